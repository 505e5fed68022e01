import * as path from 'node:path';
import { Duration, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EXTERNAL_USER_ID_PREFIX } from '../../contracts/app-instance-user-id';
import {
  API_PATHS,
  apiRouteUrl,
  EXTERNAL_ISSUER_NAME_PATTERN,
  externalCredentialsPath,
} from '../../contracts/http-api';
import { appInstanceChannelsArn } from '../../contracts/chime-arns';
import { chimeUserPolicyDocument } from '../../contracts/chime-user-policy';
import {
  assertValidPrincipalTagKey,
  DEFAULT_PRINCIPAL_TAG_KEY,
} from '../../contracts/principal-tag';
import { VENDING_ENV, VENDING_RATE_SCOPE } from '../../lambdas/lib/credential-vending/config';
import type { ProjectNodejsFunction } from '../lambda-defaults';
import { acknowledgeNag, nagResourceName } from '../nag';
import type { ProjectHttpApi } from './project-http-api';

/** Shortest and longest vended session (STS role chaining from a Lambda caps it at one hour). */
const MIN_SESSION = Duration.minutes(15);
const MAX_SESSION = Duration.hours(1);

export interface CredentialVendingProps {
  /** ARN of the Chime AppInstance the vended credentials are scoped to. */
  readonly appInstanceArn: string;

  /** The project's HTTP API: the route `POST /credentials` is added to it. */
  readonly api: ProjectHttpApi;

  /**
   * Session tag key carrying the AppInstanceUserId; must equal the one in the user role policy.
   * @default DEFAULT_PRINCIPAL_TAG_KEY
   */
  readonly principalTagKey?: string;

  /**
   * Lifetime of the vended credentials, 15 to 60 minutes.
   * @default Duration.hours(1)
   */
  readonly sessionDuration?: Duration;

  /**
   * Requests per caller and minute (each buys one-hour credentials: a client needs about one an
   * hour).
   * @default DEFAULT_VENDING_REQUESTS_PER_MINUTE
   */
  readonly requestsPerMinute?: number;

  /**
   * Reserved concurrency of the function (and of each external issuer's function).
   * @default DEFAULT_ROUTE_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: number;

  /**
   * External OpenID Connect issuers whose people buy credentials too, each on its own route
   * `POST /credentials/external/<name>` behind its own JWT authorizer, with an id derived from
   * issuer and `sub` (`oidc-...`); their AppInstanceUser is created before the first credentials.
   * @default - none
   */
  readonly externalIssuers?: readonly ExternalOidcIssuer[];

  /**
   * Whether the user pool's route `POST /credentials` exists. `false` vends to the external
   * issuers' people only ("instead of" the user pool): no route, no function, nothing of it in the
   * template. Needs at least one external issuer.
   * @default true
   */
  readonly userPoolRoute?: boolean;
}

/** An external OpenID Connect issuer whose people may buy credentials (docs/federation.md). */
export interface ExternalOidcIssuer {
  /** Its route's last path segment (`[a-z0-9-]`, see EXTERNAL_ISSUER_NAME_PATTERN). */
  readonly name: string;
  /**
   * The issuer URL, exactly as its tokens' `iss` (https: API Gateway finds the keys through
   * `<issuer>/.well-known/openid-configuration`).
   */
  readonly issuer: string;
  /** Accepted `aud` (or, without `aud`, `client_id`) values: the client ids it gives the app. */
  readonly audience: readonly string[];
}

/** The route name of an external issuer given by context without one. */
export const DEFAULT_EXTERNAL_ISSUER_NAME = 'oidc';

/** The actions an external issuer's function needs to create its caller's AppInstanceUser. */
export const EXTERNAL_USER_ACTIONS = [
  'chime:CreateAppInstanceUser',
  'chime:DescribeAppInstanceUser',
] as const;

/** Per-caller vending requests per minute unless configured. */
export const DEFAULT_VENDING_REQUESTS_PER_MINUTE = 10;

/** The route's throttle on the stage: the overall limit of the vending API. */
export const VENDING_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 10, burstLimit: 20 };

/** The scope Cognito puts in access tokens that may call `GetUser` (the revocation check). */
export const VENDING_AUTHORIZATION_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * The seed page's "Using STS to vend credentials", made valid and complete, as the route
 * `POST /credentials` of the project's HTTP API: a Lambda (server role) that checks the caller's
 * access token with Cognito (revoked, disabled, deleted) and calls `sts:AssumeRole` + `sts:TagSession` on a user role
 * with the caller's id as session tag; the user role trusts only the server role, only with that
 * tag, and carries the same Chime policy as the identity pool role.
 */
export class CredentialVending extends Construct {
  /** The Lambda execution role: may only assume (and tag) the user role, and write its logs. */
  public readonly serverRole: iam.Role;
  /** The role whose credentials users receive. */
  public readonly userRole: iam.Role;
  /** The user pool route's function; undefined with `userPoolRoute: false`. */
  public readonly function?: ProjectNodejsFunction;
  /**
   * `<apiUrl>/credentials` (for `config.json`'s `credentialVendingUrl`); undefined with
   * `userPoolRoute: false`, so no client is offered a route that does not exist.
   */
  public readonly url?: string;
  public readonly principalTagKey: string;
  /** Per external issuer (by name): its route's function and `<apiUrl>/credentials/external/<name>`. */
  public readonly externalRoutes: ReadonlyMap<
    string,
    { readonly function: ProjectNodejsFunction; readonly url: string }
  >;

  constructor(scope: Construct, id: string, props: CredentialVendingProps) {
    super(scope, id);
    this.principalTagKey = props.principalTagKey ?? DEFAULT_PRINCIPAL_TAG_KEY;
    assertValidPrincipalTagKey(this.principalTagKey);
    const sessionDuration = props.sessionDuration ?? MAX_SESSION;
    const seconds = sessionDuration.toSeconds();
    if (seconds < MIN_SESSION.toSeconds() || seconds > MAX_SESSION.toSeconds()) {
      throw new Error(`sessionDuration must be 15 to 60 minutes, got ${seconds} seconds`);
    }
    const externalIssuers = validateExternalIssuers(props.externalIssuers ?? []);
    const userPoolRoute = props.userPoolRoute ?? true;
    if (!userPoolRoute && externalIssuers.length === 0) {
      throw new Error(
        'userPoolRoute: false leaves no vending route: configure at least one external issuer, or keep the user pool route',
      );
    }

    this.serverRole = new iam.Role(this, 'ServerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Credential-vending Lambda: may only assume and tag the vending user role',
    });

    const tagCondition = 'aws:RequestTag/' + this.principalTagKey;
    this.userRole = new iam.Role(this, 'UserRole', {
      description:
        'Users of the credential-vending API: Chime messaging as their own AppInstanceUser only',
      // One statement for sts:AssumeRole and sts:TagSession (the seed page forgets TagSession): only
      // the server role, only with the principal tag set, and no other tag.
      assumedBy: new iam.SessionTagsPrincipal(this.serverRole).withConditions({
        Null: { [tagCondition]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [this.principalTagKey] },
      }),
      maxSessionDuration: MAX_SESSION,
      inlinePolicies: {
        ChimeMessagingAsSelf: iam.PolicyDocument.fromJson(
          chimeUserPolicyDocument({
            appInstanceArn: props.appInstanceArn,
            principalTagKey: this.principalTagKey,
          }),
        ),
      },
    });
    // A grant on the server role's own policy resource (not inline), so the two roles' mutual
    // references do not form a dependency cycle.
    this.userRole.grant(this.serverRole, 'sts:AssumeRole', 'sts:TagSession');

    acknowledgeNag(
      this.userRole,
      'IAM5[Resource::*]',
      'chime:GetMessagingSessionEndpoint has no resource type: IAM only accepts * for it, in a statement of its own',
    );
    acknowledgeNag(
      this.userRole,
      `IAM5[Resource::${nagResourceName(this, appInstanceChannelsArn(props.appInstanceArn))}]`,
      'any channel of this AppInstance: Chime itself enforces channel membership, moderation and bans per bearer, and the bearer is pinned to the caller by the session tag',
    );

    const perCallerLimit = {
      scope: VENDING_RATE_SCOPE,
      limit: props.requestsPerMinute ?? DEFAULT_VENDING_REQUESTS_PER_MINUTE,
      windowSeconds: 60,
    };
    const common = {
      method: apigwv2.HttpMethod.POST,
      handler: 'handler',
      role: this.serverRole,
      timeout: Duration.seconds(10),
      throttle: VENDING_THROTTLE,
      // The same per-caller counters for every vending route (ids of all forms are distinct).
      perCallerLimit,
      ...(props.reservedConcurrency !== undefined && {
        reservedConcurrency: props.reservedConcurrency,
      }),
      environment: {
        [VENDING_ENV.userRoleArn]: this.userRole.roleArn,
        [VENDING_ENV.principalTagKey]: this.principalTagKey,
        [VENDING_ENV.appInstanceArn]: props.appInstanceArn,
        [VENDING_ENV.sessionDurationSeconds]: String(seconds),
      },
    };
    if (userPoolRoute) {
      this.function = props.api.addRoute('CredentialVendingFunction', {
        ...common,
        path: API_PATHS.credentials,
        // Only access tokens carry this scope (API Gateway refuses ID tokens), and GetUser needs it.
        authorizationScopes: [VENDING_AUTHORIZATION_SCOPE],
        description: 'POST /credentials: access token in, Chime-scoped STS credentials out',
        entry: path.join(__dirname, '..', '..', 'lambdas', 'credential-vending.ts'),
        serviceName: 'credential-vending',
      });
      this.url = apiRouteUrl(props.api.url, API_PATHS.credentials);
    }

    const externalRoutes = new Map<string, { function: ProjectNodejsFunction; url: string }>();
    for (const external of externalIssuers) {
      const routePath = externalCredentialsPath(external.name);
      const suffix = external.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) =>
        c.toUpperCase(),
      );
      const fn = props.api.addRoute(`ExternalVending${suffix}Function`, {
        ...common,
        path: routePath,
        // API Gateway checks issuer, audience, signature (keys by discovery) and expiry.
        authorizer: new HttpJwtAuthorizer(`External${suffix}`, external.issuer, {
          jwtAudience: [...external.audience],
          identitySource: ['$request.header.Authorization'],
        }),
        description: `POST ${routePath}: a token of ${external.issuer} in, credentials for its derived id out`,
        entry: path.join(__dirname, '..', '..', 'lambdas', 'credential-vending-external.ts'),
        serviceName: 'credential-vending-external',
        environment: {
          ...common.environment,
          [VENDING_ENV.externalIssuer]: external.issuer,
        },
      });
      externalRoutes.set(external.name, {
        function: fn,
        url: apiRouteUrl(props.api.url, routePath),
      });
    }
    this.externalRoutes = externalRoutes;
    if (externalRoutes.size > 0) {
      // Only ids of the external form: the role cannot create or probe user pool users' ids.
      const externalUsers = props.appInstanceArn + '/user/' + EXTERNAL_USER_ID_PREFIX + '*';
      this.serverRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ExternalCallersAppInstanceUsers',
          actions: [...EXTERNAL_USER_ACTIONS],
          resources: [externalUsers],
        }),
      );
      acknowledgeNag(
        this.serverRole,
        `IAM5[Resource::${nagResourceName(this, externalUsers)}]`,
        'external callers get ids derived at request time (oidc-<hash>); the wildcard is limited to that id form in this one AppInstance, and to create/describe',
      );
    }
  }
}

/** Validates the external issuers (names, https issuers, audiences); lowercase, actionable errors. */
function validateExternalIssuers(issuers: readonly ExternalOidcIssuer[]): ExternalOidcIssuer[] {
  const names = new Set<string>();
  const urls = new Set<string>();
  return issuers.map((e, i) => {
    if (!EXTERNAL_ISSUER_NAME_PATTERN.test(e.name)) {
      throw new Error(
        `externalIssuers[${i}].name must be 1-32 of [a-z0-9-] starting with a letter or digit, got '${e.name}'`,
      );
    }
    if (names.has(e.name)) throw new Error(`externalIssuers[${i}].name '${e.name}' is used twice`);
    names.add(e.name);
    if (!Token.isUnresolved(e.issuer)) {
      // API Gateway takes https issuers; plain http only on loopback, which only the local sandbox
      // can serve (its OpenID provider), so a deployment with one fails at API Gateway, not here.
      if (
        !/^(https:\/\/[^\s?#]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/[^\s?#]*)?)$/.test(
          e.issuer,
        )
      ) {
        throw new Error(`externalIssuers[${i}].issuer must be an https URL, got '${e.issuer}'`);
      }
      if (/^https:\/\/cognito-idp\./.test(e.issuer)) {
        throw new Error(
          `externalIssuers[${i}].issuer is a Cognito user pool: its users keep their sub on POST /credentials`,
        );
      }
    }
    if (urls.has(e.issuer)) throw new Error(`externalIssuers[${i}].issuer is listed twice`);
    urls.add(e.issuer);
    if (e.audience.length === 0 || e.audience.some((a) => a.trim() === '')) {
      throw new Error(`externalIssuers[${i}].audience must list the app's client id(s)`);
    }
    return { name: e.name, issuer: e.issuer, audience: [...e.audience] };
  });
}
