import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { API_PATHS, apiRouteUrl } from '../../contracts/http-api';
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
   * Reserved concurrency of the function.
   * @default DEFAULT_ROUTE_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: number;
}

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
  public readonly function: ProjectNodejsFunction;
  /** `<apiUrl>/credentials` (for `config.json`'s `credentialVendingUrl`). */
  public readonly url: string;
  public readonly principalTagKey: string;

  constructor(scope: Construct, id: string, props: CredentialVendingProps) {
    super(scope, id);
    this.principalTagKey = props.principalTagKey ?? DEFAULT_PRINCIPAL_TAG_KEY;
    assertValidPrincipalTagKey(this.principalTagKey);
    const sessionDuration = props.sessionDuration ?? MAX_SESSION;
    const seconds = sessionDuration.toSeconds();
    if (seconds < MIN_SESSION.toSeconds() || seconds > MAX_SESSION.toSeconds()) {
      throw new Error(`sessionDuration must be 15 to 60 minutes, got ${seconds} seconds`);
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

    this.function = props.api.addRoute('CredentialVendingFunction', {
      method: apigwv2.HttpMethod.POST,
      path: API_PATHS.credentials,
      // Only access tokens carry this scope (API Gateway refuses ID tokens), and GetUser needs it.
      authorizationScopes: [VENDING_AUTHORIZATION_SCOPE],
      description: 'POST /credentials: access token in, Chime-scoped STS credentials out',
      entry: path.join(__dirname, '..', '..', 'lambdas', 'credential-vending.ts'),
      handler: 'handler',
      role: this.serverRole,
      timeout: Duration.seconds(10),
      serviceName: 'credential-vending',
      throttle: VENDING_THROTTLE,
      perCallerLimit: {
        scope: VENDING_RATE_SCOPE,
        limit: props.requestsPerMinute ?? DEFAULT_VENDING_REQUESTS_PER_MINUTE,
        windowSeconds: 60,
      },
      ...(props.reservedConcurrency !== undefined && {
        reservedConcurrency: props.reservedConcurrency,
      }),
      environment: {
        [VENDING_ENV.userRoleArn]: this.userRole.roleArn,
        [VENDING_ENV.principalTagKey]: this.principalTagKey,
        [VENDING_ENV.appInstanceArn]: props.appInstanceArn,
        [VENDING_ENV.sessionDurationSeconds]: String(seconds),
      },
    });
    this.url = apiRouteUrl(props.api.url, API_PATHS.credentials);
  }
}
