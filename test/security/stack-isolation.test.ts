/**
 * Per-user isolation, proven on the policies the real stack synthesizes: every request of the
 * matrix (security/matrix.ts) is decided by an IAM policy engine and must match the promise;
 * docs/security-matrix.md must be the current rendering; and each way of breaking the promise in
 * the template (mutations built from the synthesized JSON) must make the matrix fail.
 */
import { readFileSync } from 'node:fs';
import { CHIME_USER_MESSAGING_ACTIONS } from '../../contracts/chime-user-policy';
import {
  referencedLogicalId,
  type CfnResource,
  type CfnTemplate,
} from '../../sandbox/cloudformation/template';
import {
  buildSecurityMatrix,
  symbolize,
  type MatrixRow,
  type SecurityMatrix,
} from '../../security/matrix';
import {
  buildVariantMatrices,
  renderSecurityDocument,
  SECURITY_MATRIX_DOC,
  type VariantMatrix,
} from '../../security/security-document';

let variants: VariantMatrix[];

beforeAll(async () => {
  variants = await buildVariantMatrices();
}, 120_000);

const defaultVariant = () => variants[0]!;

function failures(matrix: SecurityMatrix): string[] {
  const rows = matrix.rows
    .filter((r) => !r.holds)
    .map(
      (r) =>
        `${r.id}: ${r.action} on ${r.resource} [${r.context}] expected ${r.expected}, got ${r.actual}`,
    );
  const facts = matrix.facts
    .filter((f) => !f.holds)
    .map((f) => `${f.id}: ${f.fact}: expected ${f.expected}, got ${f.actual}`);
  return [...rows, ...facts].map((line) => symbolize(line, matrix.symbols));
}

function failingIds(matrix: SecurityMatrix): string[] {
  return [...matrix.rows.filter((r) => !r.holds), ...matrix.facts.filter((f) => !f.holds)].map(
    (r) => r.id,
  );
}

function rowsOf(matrix: SecurityMatrix, idPart: string): MatrixRow[] {
  return matrix.rows.filter((r) => r.id.includes(idPart));
}

// --- template helpers for the mutations ------------------------------------------------------

function clone(template: CfnTemplate): CfnTemplate {
  return structuredClone(template);
}

function resourcesOf(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The identity pool's authenticated role (raw, mutable). */
function authenticatedRole(template: CfnTemplate): { id: string; props: Record<string, unknown> } {
  const [[, attachment]] = resourcesOf(template, 'AWS::Cognito::IdentityPoolRoleAttachment') as [
    [string, CfnResource],
  ];
  const roles = attachment.Properties!.Roles as Record<string, unknown>;
  const id = referencedLogicalId(roles.authenticated)!;
  return { id, props: template.Resources[id]!.Properties! };
}

type Json = Record<string, unknown>;

function trustStatement(template: CfnTemplate): Json {
  const doc = authenticatedRole(template).props.AssumeRolePolicyDocument as { Statement: Json[] };
  return doc.Statement[0]!;
}

/** Rewrites every string inside `value`. */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

function withAuthenticatedPolicies(template: CfnTemplate, fn: (s: string) => string): CfnTemplate {
  const mutated = clone(template);
  const role = authenticatedRole(mutated);
  role.props.Policies = mapStrings(role.props.Policies, fn);
  return mutated;
}

/**
 * The matrix of the authenticated role only (the part a mutation of it can break) and the stack
 * facts, restricted to the requests `only` matches (to keep the suite fast).
 */
async function authenticatedMatrix(template: CfnTemplate, only: RegExp): Promise<SecurityMatrix> {
  const id = authenticatedRole(template).id;
  return buildSecurityMatrix(template, {
    roleFilter: (r) => r.logicalId === id,
    caseFilter: (caseId) => only.test(caseId),
  });
}

const MESSAGING = /\/(chime:SendChannelMessage|chime:Connect)\//;
const TRUST = /\/trust\//;

// ---------------------------------------------------------------------------------------------

describe('security matrix of the synthesized stack', () => {
  it('evaluates hundreds of requests, each with a unique id', () => {
    for (const { matrix } of variants) {
      expect(matrix.rows.length).toBeGreaterThan(200);
      expect(new Set(matrix.rows.map((r) => r.id)).size).toBe(matrix.rows.length);
      expect(new Set(matrix.facts.map((f) => f.id)).size).toBe(matrix.facts.length);
    }
  });

  it('holds in every deployment variant: every request decides as promised', () => {
    for (const { variant, matrix } of variants) {
      expect({ variant: variant.name, failures: failures(matrix) }).toEqual({
        variant: variant.name,
        failures: [],
      });
    }
  });

  it('covers every action the authenticated role grants, as a whole request on every resource type it needs', () => {
    const { matrix } = defaultVariant();
    const rowOf = (action: string, suffix: string) =>
      matrix.rows.find((r) => r.id.endsWith(`AuthenticatedRole/${action}/${suffix}`));
    for (const action of CHIME_USER_MESSAGING_ACTIONS) {
      // Every messaging action names the bearer: allowed as oneself, refused as anyone else.
      expect({
        action,
        own: rowOf(action, 'own')?.actual,
        otherUser: rowOf(action, 'other-user')?.actual,
        noTag: rowOf(action, 'no-tag')?.actual,
        otherInstanceUser: rowOf(action, 'other-instance-user')?.actual,
        otherAccountUser: rowOf(action, 'other-account-user')?.actual,
      }).toEqual({
        action,
        own: 'Allowed',
        otherUser: 'ImplicitlyDenied',
        noTag: 'ImplicitlyDenied',
        otherInstanceUser: 'ImplicitlyDenied',
        otherAccountUser: 'ImplicitlyDenied',
      });
    }
    // A channel action's request names the bearer and the channel, both in the resource column.
    const send = rowOf('chime:SendChannelMessage', 'own')!;
    expect(send.resource).toMatch(/\/user\/[^ ]+ \+ .*\/channel\//);
    const channelRows = rowsOf(matrix, '/other-instance-channel').filter((r) =>
      r.id.includes('AuthenticatedRole'),
    );
    expect(channelRows.length).toBeGreaterThan(10);
    expect(channelRows.every((r) => r.actual === 'ImplicitlyDenied')).toBe(true);
    const endpoint = matrix.rows.find((r) =>
      r.id.endsWith('AuthenticatedRole/chime:GetMessagingSessionEndpoint/*'),
    );
    expect(endpoint?.actual).toBe('Allowed');
  });

  it('refuses administrative and unrelated actions to end users', () => {
    const { matrix } = defaultVariant();
    const refused = rowsOf(matrix, 'AuthenticatedRole/refused/');
    const actions = new Set(refused.map((r) => r.action));
    for (const action of [
      'chime:CreateAppInstanceUser',
      'chime:UpdateAppInstanceUser',
      'chime:DeleteAppInstanceUser',
      'chime:CreateAppInstanceAdmin',
      'chime:DeleteAppInstance',
      'chime:PutAppInstanceRetentionSettings',
      'chime:DeleteChannelMessage',
      'chime:CreateMeeting',
      'chime:CreateSipMediaApplication',
      'sts:AssumeRole',
      'iam:PutRolePolicy',
      'cognito-idp:AdminUpdateUserAttributes',
    ]) {
      expect(actions).toContain(action);
    }
    expect(refused.filter((r) => r.actual === 'Allowed')).toEqual([]);
  });

  it('trusts only this identity pool, only authenticated identities, with session tags', () => {
    const { matrix } = defaultVariant();
    const trust = Object.fromEntries(
      rowsOf(matrix, 'AuthenticatedRole/trust/').map((r) => [
        r.id.replace(/^.*\/trust\//, ''),
        r.actual,
      ]),
    );
    expect(trust).toMatchObject({
      'AssumeRoleWithWebIdentity/authenticated': 'Allowed',
      'TagSession/authenticated': 'Allowed',
      'AssumeRoleWithWebIdentity/other-pool': 'ImplicitlyDenied',
      'TagSession/other-pool': 'ImplicitlyDenied',
      'AssumeRoleWithWebIdentity/unauthenticated': 'ImplicitlyDenied',
      'TagSession/unauthenticated': 'ImplicitlyDenied',
      google: 'ImplicitlyDenied',
      'AssumeRole/same-account-role': 'ImplicitlyDenied',
    });
  });

  it('is not widened by wildcard characters or other ids in the tag value', () => {
    const { matrix } = defaultVariant();
    const traps = rowsOf(matrix, 'AuthenticatedRole/trap/');
    expect(traps.length).toBeGreaterThanOrEqual(10);
    expect(traps.filter((r) => r.actual === 'Allowed')).toEqual([]);
  });

  it('covers every Lambda role of every variant with a known purpose and neighbour denials', () => {
    for (const { variant, template, matrix } of variants) {
      const lambdaRoles = resourcesOf(template, 'AWS::IAM::Role')
        .filter(([, r]) =>
          JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
        )
        .map(([id]) => id);
      for (const id of lambdaRoles) {
        const described = matrix.roles.find((r) => r.roleId === id);
        expect({ variant: variant.name, id, purpose: described?.purpose }).toEqual({
          variant: variant.name,
          id,
          purpose: expect.stringMatching(/^Lambda: (?!UNKNOWN)/),
        });
        const neighbours = matrix.rows.filter(
          (r) => r.roleId === id && r.id.includes('/neighbour/'),
        );
        expect(neighbours.length).toBeGreaterThan(10);
      }
    }
    // The optional-features deployment adds Lambda roles (credential vending, user events, ...).
    const optional = variants[variants.length - 1]!;
    expect(
      optional.matrix.roles.filter((r) => r.purpose.startsWith('Lambda:')).length,
    ).toBeGreaterThan(
      defaultVariant().matrix.roles.filter((r) => r.purpose.startsWith('Lambda:')).length,
    );
  });

  it('gives every end-user role (identity pool, vended) the same decisions', () => {
    for (const { matrix } of variants) {
      const endUserRoles = matrix.roles.filter((r) => r.purpose.startsWith('end-user'));
      const decisions = endUserRoles.map((role) =>
        Object.fromEntries(
          matrix.rows
            .filter((r) => r.roleId === role.roleId && !r.id.includes('/trust/'))
            .map((r) => [r.id.slice(`role:${role.role}/`.length), r.actual]),
        ),
      );
      for (const other of decisions.slice(1)) expect(other).toEqual(decisions[0]);
    }
  });

  it('is published current in docs/security-matrix.md', () => {
    let current = '';
    try {
      current = readFileSync(SECURITY_MATRIX_DOC, 'utf8');
    } catch {
      // Missing file: the comparison below fails with the instruction.
    }
    const expected = renderSecurityDocument(variants);
    if (current !== expected) {
      const have = current.split('\n');
      const want = expected.split('\n');
      const line = want.findIndex((l, i) => l !== have[i]);
      throw new Error(
        `docs/security-matrix.md is not current (first difference at line ${line + 1}: expected ${JSON.stringify(want[line]?.slice(0, 200))}): run \`npm run security:matrix\` and commit it`,
      );
    }
  });
});

describe('mutations of the synthesized template are caught', () => {
  it('widening the user resource to /user/*', async () => {
    const mutated = withAuthenticatedPolicies(defaultVariant().template, (s) =>
      s.replace(/\/user\/\$\{aws:PrincipalTag\/[^}]+\}/, '/user/*'),
    );
    const failing = failingIds(
      await authenticatedMatrix(mutated, /\/(chime:SendChannelMessage|chime:Connect)\/|\/trap\//),
    );
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AuthenticatedRole\/chime:SendChannelMessage\/other-user$/),
        expect.stringMatching(/AuthenticatedRole\/chime:Connect\/no-tag$/),
        expect.stringMatching(/AuthenticatedRole\/trap\/star$/),
      ]),
    );
  });

  it('dropping sts:TagSession from the trust policy', async () => {
    const mutated = clone(defaultVariant().template);
    const statement = trustStatement(mutated);
    statement.Action = [statement.Action].flat().filter((a) => a !== 'sts:TagSession');
    expect(statement.Action).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const failing = failingIds(await authenticatedMatrix(mutated, TRUST));
    expect(failing).toEqual([
      expect.stringMatching(/AuthenticatedRole\/trust\/TagSession\/authenticated$/),
    ]);
  });

  it('dropping the amr condition', async () => {
    const mutated = clone(defaultVariant().template);
    const condition = trustStatement(mutated).Condition as Json;
    expect(condition['ForAnyValue:StringLike']).toBeDefined();
    delete condition['ForAnyValue:StringLike'];
    const failing = failingIds(await authenticatedMatrix(mutated, TRUST));
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/trust\/AssumeRoleWithWebIdentity\/unauthenticated$/),
        expect.stringMatching(/trust\/TagSession\/unauthenticated$/),
        expect.stringMatching(/trust\/AssumeRoleWithWebIdentity\/no-amr$/),
      ]),
    );
  });

  it('dropping the aud condition', async () => {
    const mutated = clone(defaultVariant().template);
    delete (trustStatement(mutated).Condition as Json).StringEquals;
    const failing = failingIds(await authenticatedMatrix(mutated, TRUST));
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/trust\/AssumeRoleWithWebIdentity\/other-pool$/),
        expect.stringMatching(/trust\/TagSession\/no-aud$/),
      ]),
    );
  });

  it('a tag key in the principal tag mapping that differs from the policy', async () => {
    const mutated = clone(defaultVariant().template);
    const [[, tags]] = resourcesOf(mutated, 'AWS::Cognito::IdentityPoolPrincipalTag') as [
      [string, CfnResource],
    ];
    const mapping = tags.Properties!.PrincipalTags as Record<string, string>;
    const [key] = Object.keys(mapping);
    (tags.Properties as Json).PrincipalTags = { [`${key}_v2`]: mapping[key!] };
    const failing = failingIds(await authenticatedMatrix(mutated, MESSAGING));
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AuthenticatedRole\/tag-key$/),
        expect.stringMatching(/AuthenticatedRole\/chime:SendChannelMessage\/own$/),
      ]),
    );
  });

  it('a tag key in the policy that differs from the mapping', async () => {
    const mutated = withAuthenticatedPolicies(defaultVariant().template, (s) =>
      s.replace(/\$\{aws:PrincipalTag\/([^}]+)\}/, '$${aws:PrincipalTag/$1_v2}'),
    );
    const failing = failingIds(await authenticatedMatrix(mutated, MESSAGING));
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AuthenticatedRole\/tag-key$/),
        expect.stringMatching(/AuthenticatedRole\/chime:Connect\/own$/),
      ]),
    );
  });

  it('mapping a claim other than sub, or enabling unauthenticated identities', async () => {
    const mutated = clone(defaultVariant().template);
    const [[, tags]] = resourcesOf(mutated, 'AWS::Cognito::IdentityPoolPrincipalTag') as [
      [string, CfnResource],
    ];
    const mapping = tags.Properties!.PrincipalTags as Record<string, string>;
    (tags.Properties as Json).PrincipalTags = Object.fromEntries(
      Object.keys(mapping).map((k) => [k, 'custom:chime_id']),
    );
    const [[, pool]] = resourcesOf(mutated, 'AWS::Cognito::IdentityPool') as [
      [string, CfnResource],
    ];
    (pool.Properties as Json).AllowUnauthenticatedIdentities = true;
    const failing = failingIds(await authenticatedMatrix(mutated, /^$/));
    expect(failing).toEqual([
      expect.stringMatching(/\/unauthenticated$/),
      expect.stringMatching(/\/tag-claim$/),
    ]);
  });

  it('granting an action that needs a resource the policy never grants (a channel flow)', async () => {
    const mutated = withAuthenticatedPolicies(defaultVariant().template, (s) =>
      s === 'chime:SendChannelMessage' ? 'chime:AssociateChannelFlow' : s,
    );
    const matrix = await authenticatedMatrix(mutated, /\/chime:AssociateChannelFlow\//);
    const own = matrix.rows.find((r) => r.id.endsWith('/chime:AssociateChannelFlow/own'));
    // Allowed on the bearer and the channel, but IAM also needs the channel flow: never allowed.
    expect(own).toMatchObject({
      expected: 'Allowed',
      actual: 'ImplicitlyDenied',
      holds: false,
      note: expect.stringMatching(/^refused on .*\/channel-flow\//),
    });
    expect(own?.resource.split(' + ')).toEqual([
      expect.stringMatching(/\/user\//),
      expect.stringMatching(/\/channel\//),
      expect.stringMatching(/\/channel-flow\//),
    ]);
    expect(failingIds(matrix)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AuthenticatedRole\/actions$/),
        expect.stringMatching(/AuthenticatedRole\/chime:AssociateChannelFlow\/own$/),
      ]),
    );
  });

  it('granting chime:* (administration) to end users', async () => {
    const mutated = withAuthenticatedPolicies(defaultVariant().template, (s) =>
      s === 'chime:SendChannelMessage' ? 'chime:*' : s,
    );
    const failing = failingIds(await authenticatedMatrix(mutated, /\/refused\//));
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AuthenticatedRole\/actions$/),
        expect.stringMatching(/AuthenticatedRole\/refused\/DeleteAppInstanceUser-self$/),
      ]),
    );
  });

  it('a Lambda role granted Chime on *, or of an unknown kind', async () => {
    const base = defaultVariant().template;
    const mutated = clone(base);
    mutated.Resources.RogueRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'Rogue',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }],
            },
          },
        ],
      },
    };
    mutated.Resources.RogueFunction = {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: { 'Fn::GetAtt': ['RogueRole', 'Arn'] } },
    };
    const matrix = await buildSecurityMatrix(mutated, {
      roleFilter: (r) => r.logicalId === 'RogueRole',
    });
    const failing = failingIds(matrix);
    expect(failing).toEqual(
      expect.arrayContaining([
        'role:RogueRole/purpose',
        'role:RogueRole/neighbour/SendChannelMessage-channel',
        'role:RogueRole/neighbour/CreateAppInstanceAdmin',
      ]),
    );
  });

  it('the SDK-call provider asking for the messaging session endpoint granted chime:* instead', async () => {
    const base = defaultVariant().template;
    const provider = defaultVariant().matrix.roles.find((r) =>
      r.purpose.includes('AwsCustomResource (chime:GetMessagingSessionEndpoint'),
    );
    if (!provider) throw new Error('the default deployment has no messaging endpoint provider');
    // In place, it needs the endpoint and is denied the rest (every variant, retention included).
    for (const { matrix } of variants) {
      const own = rowsOf(matrix, `/needs/chime:GetMessagingSessionEndpoint`).filter(
        (r) => r.roleId === provider.roleId,
      );
      expect(own.map((r) => [r.resource, r.actual])).toEqual([['*', 'Allowed']]);
    }
    const optional = variants[variants.length - 1]!.matrix;
    expect(
      rowsOf(optional, '/needs/chime:PutAppInstanceRetentionSettings').filter(
        (r) => r.roleId === provider.roleId && r.holds,
      ),
    ).toHaveLength(1);
    const mutated = clone(base);
    for (const [id, policy] of resourcesOf(mutated, 'AWS::IAM::Policy')) {
      if (!id.startsWith('MessagingSessionEndpointCustomResourcePolicy')) continue;
      policy.Properties!.PolicyDocument = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }],
      };
    }
    const matrix = await buildSecurityMatrix(mutated, {
      roleFilter: (r) => r.logicalId === provider.roleId,
    });
    const label = provider.role;
    expect(failingIds(matrix)).toEqual(
      expect.arrayContaining([
        `role:${label}/neighbour/chime:GetMessagingSessionEndpoint-then-Connect`,
        `role:${label}/neighbour/SendChannelMessage-channel`,
        `role:${label}/neighbour/CreateAppInstanceAdmin`,
      ]),
    );
  });

  it('a Cognito trigger allowed to create users in any AppInstance', async () => {
    const base = defaultVariant().template;
    const trigger = defaultVariant().matrix.roles.find((r) =>
      r.purpose.startsWith('Lambda: Cognito trigger'),
    );
    if (!trigger) throw new Error('the default deployment has no Cognito trigger role');
    const mutated = clone(base);
    const documents: unknown[] = [];
    for (const [, policy] of resourcesOf(mutated, 'AWS::IAM::Policy')) {
      const roles = (policy.Properties!.Roles as unknown[]).map(referencedLogicalId);
      if (roles.includes(trigger.roleId)) documents.push(policy.Properties!.PolicyDocument);
    }
    const inline = (mutated.Resources[trigger.roleId]!.Properties!.Policies ?? []) as Json[];
    documents.push(...inline.map((p) => p.PolicyDocument));
    let widened = 0;
    for (const doc of documents as { Statement: Json[] }[]) {
      for (const s of doc.Statement) {
        if (JSON.stringify(s.Action).includes('CreateAppInstanceUser')) {
          s.Resource = 'arn:aws:chime:*:*:app-instance/*/user/*';
          widened++;
        }
      }
    }
    expect(widened).toBeGreaterThan(0);
    const matrix = await buildSecurityMatrix(mutated, {
      roleFilter: (r) => r.logicalId === trigger.roleId,
    });
    expect(failingIds(matrix)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/neighbour\/CreateAppInstanceUser-other-instance$/),
      ]),
    );
  });

  it('the vending role allowed to create any user (not only oidc-*), or the linking trigger any pool', async () => {
    const optional = variants[variants.length - 1]!;
    const roleOf = (prefix: string) => {
      const role = optional.matrix.roles.find((r) => r.purpose.startsWith(prefix));
      if (!role) throw new Error(`the optional-features deployment has no role: ${prefix}`);
      return role.roleId;
    };
    const vending = roleOf('Lambda: credential-vending server (external issuers');
    const linking = roleOf('Lambda: Cognito trigger (PreSignUp)');
    const mutated = clone(optional.template);
    let widened = 0;
    for (const [, policy] of resourcesOf(mutated, 'AWS::IAM::Policy')) {
      const roles = (policy.Properties!.Roles as unknown[]).map(referencedLogicalId);
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Json[] })
        .Statement) {
        const actions = JSON.stringify(statement.Action);
        if (roles.includes(vending) && actions.includes('CreateAppInstanceUser')) {
          statement.Resource = JSON.parse(
            JSON.stringify(statement.Resource).replace('/user/oidc-*', '/user/*'),
          ) as unknown;
          widened++;
        }
        if (roles.includes(linking) && actions.includes('AdminLinkProviderForUser')) {
          statement.Resource = 'arn:aws:cognito-idp:*:*:userpool/*';
          widened++;
        }
      }
    }
    expect(widened).toBe(2);
    const matrix = await buildSecurityMatrix(mutated, {
      roleFilter: (r) => r.logicalId === vending || r.logicalId === linking,
    });
    expect(failingIds(matrix)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ServerRole\/neighbour\/chime:CreateAppInstanceUser-user-pool-id$/),
        expect.stringMatching(/ServerRole\/neighbour\/CreateAppInstanceUser$/),
        expect.stringMatching(
          /AccountLinkingServiceRole\/neighbour\/cognito-idp:AdminLinkProviderForUser-other-pool$/,
        ),
      ]),
    );
  });

  it('a user lifecycle role allowed to delete users, leave channels or read users anywhere', async () => {
    const base = defaultVariant().template;
    const lifecycle = defaultVariant().matrix.roles.find((r) =>
      r.purpose.startsWith('Lambda: user lifecycle'),
    );
    if (!lifecycle) throw new Error('the default deployment has no user lifecycle role');
    const mutated = clone(base);
    let widened = 0;
    for (const [, policy] of resourcesOf(mutated, 'AWS::IAM::Policy')) {
      const roles = (policy.Properties!.Roles as unknown[]).map(referencedLogicalId);
      if (!roles.includes(lifecycle.roleId)) continue;
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Json[] })
        .Statement) {
        const actions = JSON.stringify(statement.Action);
        if (actions.includes('chime:') && !actions.includes('ListAppInstanceUsers')) {
          statement.Resource = 'arn:aws:chime:*:*:app-instance/*';
          widened++;
        } else if (actions.includes('cognito-idp:')) {
          statement.Resource = 'arn:aws:cognito-idp:*:*:userpool/*';
          widened++;
        }
      }
    }
    expect(widened).toBe(3);
    const matrix = await buildSecurityMatrix(mutated, {
      roleFilter: (r) => r.logicalId === lifecycle.roleId,
    });
    expect(failingIds(matrix)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/neighbour\/DeleteAppInstanceUser-other-instance$/),
        expect.stringMatching(/\/neighbour\/DeleteChannelMembership-other-instance-channel$/),
        expect.stringMatching(/\/neighbour\/ListUsers-other-pool$/),
      ]),
    );
  });

  it('the people lookup role granted ListUsers on every pool, or counters without the key condition', async () => {
    const base = defaultVariant().template;
    const route = defaultVariant().matrix.roles.find((r) => r.purpose.includes('GET /users'));
    if (!route) throw new Error('the default deployment has no people lookup role');
    const mutate = (change: (s: Json) => boolean) => {
      const mutated = clone(base);
      let changed = 0;
      for (const [, policy] of resourcesOf(mutated, 'AWS::IAM::Policy')) {
        const roles = (policy.Properties!.Roles as unknown[]).map(referencedLogicalId);
        if (!roles.includes(route.roleId)) continue;
        for (const s of (policy.Properties!.PolicyDocument as { Statement: Json[] }).Statement) {
          if (change(s)) changed++;
        }
      }
      expect(changed).toBeGreaterThan(0);
      return buildSecurityMatrix(mutated, { roleFilter: (r) => r.logicalId === route.roleId });
    };
    const anyPool = await mutate((s) => {
      if (!JSON.stringify(s.Action).includes('ListUsers')) return false;
      s.Resource = 'arn:aws:cognito-idp:*:*:userpool/*';
      return true;
    });
    expect(failingIds(anyPool)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/neighbour\/cognito-idp:ListUsers\/pool$/)]),
    );
    const anyKey = await mutate((s) => {
      if (!JSON.stringify(s.Action).includes('dynamodb:UpdateItem')) return false;
      delete s.Condition;
      return true;
    });
    expect(failingIds(anyKey)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/neighbour\/dynamodb:UpdateItem\/credentials$/),
      ]),
    );
  });

  it('guests: a trust without the guest-id condition, a guest role allowed to add members, an invite role allowed to create any user', async () => {
    const base = defaultVariant().template;
    const guestRole = defaultVariant().matrix.roles.find((r) => r.purpose.startsWith('guest'));
    const invite = defaultVariant().matrix.roles.find((r) =>
      r.purpose.includes('POST /guest-invites'),
    );
    if (!guestRole || !invite) throw new Error('the default deployment has no guest access');
    const only = (id: string) => ({ roleFilter: (r: { logicalId: string }) => r.logicalId === id });

    const noCondition = clone(base);
    const trust = noCondition.Resources[guestRole.roleId]!.Properties!.AssumeRolePolicyDocument as {
      Statement: Json[];
    };
    delete (trust.Statement[0]!.Condition as Json).StringLike;
    expect(failingIds(await buildSecurityMatrix(noCondition, only(guestRole.roleId)))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/trust\/AssumeRole\/.*\/a-person$/)]),
    );

    const addMembers = clone(base);
    const inline = addMembers.Resources[guestRole.roleId]!.Properties!.Policies as {
      PolicyDocument: { Statement: Json[] };
    }[];
    const statement = inline[0]!.PolicyDocument.Statement.find(
      (st) => st.Sid === 'GuestInChannels',
    )!;
    statement.Action = [...(statement.Action as string[]), 'chime:CreateChannelMembership'];
    expect(failingIds(await buildSecurityMatrix(addMembers, only(guestRole.roleId)))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/actions$/),
        expect.stringMatching(/\/chime:CreateChannelMembership\/own$/),
      ]),
    );

    const anyUser = clone(base);
    let widened = 0;
    for (const [, policy] of resourcesOf(anyUser, 'AWS::IAM::Policy')) {
      const roles = (policy.Properties!.Roles as unknown[]).map(referencedLogicalId);
      if (!roles.includes(invite.roleId)) continue;
      for (const st of (policy.Properties!.PolicyDocument as { Statement: Json[] }).Statement) {
        if (st.Sid === 'CreateGuests') {
          st.Resource = mapStrings(st.Resource, (x) => x.replace('/user/guest-*', '/user/*'));
          widened++;
        }
      }
    }
    expect(widened).toBe(1);
    expect(failingIds(await buildSecurityMatrix(anyUser, only(invite.roleId)))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/neighbour\/chime:CreateAppInstanceUser\/guest$/),
      ]),
    );
  });
});
