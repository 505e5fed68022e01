import { type Logger } from '@aws-lambda-powertools/logger';
import {
  type CognitoIdentityProviderClient,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn, isAppInstanceUserId } from '../../../contracts/chime-arns';
import { type VendedCredentialsResponse } from '../../../contracts/credential-vending';
import { errorNameOf } from '../errors';
import { errorResponse, jsonResponse, type RouteResponse } from '../http-api/responses';
import { type RateDecision, RateLimitUnavailableError } from '../http-api/rate-limit';

/** Shortest and longest session this API hands out (STS role chaining caps it at one hour). */
export const MIN_SESSION_SECONDS = 15 * 60;
export const MAX_SESSION_SECONDS = 60 * 60;

export interface VendingSettings {
  /** ARN of the user role, whose permissions are keyed on the principal tag. */
  readonly userRoleArn: string;
  /** Session tag key carrying the AppInstanceUserId (the user's `sub`). */
  readonly principalTagKey: string;
  /** ARN of the Chime AppInstance, to tell the caller its AppInstanceUser ARN. */
  readonly appInstanceArn: string;
  /** Lifetime of the vended credentials, {@link MIN_SESSION_SECONDS}..{@link MAX_SESSION_SECONDS}. */
  readonly sessionDurationSeconds: number;
}

/** The few Logger methods the core uses (the project's Powertools Logger, or a spy in tests). */
export type VendingLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** What every vending route needs (the user pool's and the external issuers'). */
export interface VendingBaseDeps {
  readonly sts: Pick<STSClient, 'send'>;
  readonly settings: VendingSettings;
  /** Counts one request of this caller (per-caller limit, lambdas/lib/http-api/rate-limit.ts). */
  readonly consumeRequest: (callerSub: string) => Promise<RateDecision>;
  readonly logger: VendingLogger;
}

export interface VendingDeps extends VendingBaseDeps {
  /** Cognito user pools, for `GetUser` (authorized by the caller's access token, not by IAM). */
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
}

export interface VendingRequest {
  /** The verified token's claims, as API Gateway's JWT authorizer passes them (strings). */
  readonly claims: Readonly<Record<string, string | undefined>>;
  /** The `Authorization` header, as received (the authorizer has verified the token in it). */
  readonly authorization: string | undefined;
}

/** Validates settings once (at cold start), so a misconfigured function fails loudly. */
export function assertValidSettings(settings: VendingSettings): void {
  const d = settings.sessionDurationSeconds;
  if (!Number.isInteger(d) || d < MIN_SESSION_SECONDS || d > MAX_SESSION_SECONDS) {
    throw new Error(
      `session duration must be whole seconds from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}, got ${d}`,
    );
  }
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(settings.userRoleArn)) {
    throw new Error(`user role ARN is not an IAM role ARN: '${settings.userRoleArn}'`);
  }
  if (
    !/^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[\w-]+$/.test(settings.appInstanceArn)
  ) {
    throw new Error(`AppInstance ARN is not an AppInstance ARN: '${settings.appInstanceArn}'`);
  }
}

/**
 * STS RoleSessionName (2-64 of `[\w+=,.@-]`) derived from the user id, so CloudTrail shows whose
 * session it is. Only for auditing: the permissions come from the session tag, never from this.
 */
export function roleSessionNameFor(userId: string): string {
  const safe = userId.replace(/[^\w+=,.@-]/g, '-');
  return (safe.length < 2 ? `user-${safe}` : safe).slice(0, 64);
}

/** `Bearer <token>` (scheme case-insensitive, RFC 6750); anything else yields undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Cognito refuses the token itself: signed out globally (revoked), user disabled or deleted. */
const REFUSED_BY_COGNITO = new Set(['NotAuthorizedException', 'UserNotFoundException']);

/**
 * The seed page's credential-vending server, behind the HTTP API's JWT authorizer (which checked
 * the access token's signature, issuer, client, expiry and scope): counts the request against the
 * caller's limit, asks Cognito whether the token is still good (`GetUser` fails for a revoked
 * token and for a disabled or deleted user, which a signature check cannot see), then calls
 * `sts:AssumeRole` on the user role with a session tag carrying the caller's `sub`. Never throws;
 * never logs the token or the credentials.
 */
export async function vendCredentials(
  deps: VendingDeps,
  request: VendingRequest,
): Promise<RouteResponse> {
  const { logger } = deps;
  // The route requires the scope only access tokens carry; say so plainly if another token slips.
  const token = bearerToken(request.authorization);
  if (request.claims.token_use !== 'access' || token === undefined) {
    return errorResponse(
      401,
      'invalid_token',
      'send the access token as Authorization: Bearer <token>',
    );
  }
  const userId = request.claims.sub;
  if (!isAppInstanceUserId(userId)) {
    logger.warn('token subject cannot be an AppInstanceUserId', {
      subLength: request.claims.sub?.length,
    });
    return errorResponse(
      403,
      'unsupported_identity',
      'the token subject is not a valid chat user id',
    );
  }

  return vendAs(deps, userId, async () => {
    // Revocation: the one server-side check of an access token Cognito offers.
    try {
      const user = await deps.cognito.send(new GetUserCommand({ AccessToken: token }));
      const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
      if (sub !== userId) {
        logger.warn('GetUser answered for another user', { userId });
        return errorResponse(401, 'invalid_token', 'the token does not belong to its user');
      }
    } catch (error) {
      const name = errorNameOf(error);
      if (REFUSED_BY_COGNITO.has(name)) {
        logger.warn('token refused by Cognito', { userId, errorName: name });
        return errorResponse(
          401,
          'invalid_token',
          'the token was revoked, or its user is disabled or deleted; sign in again',
        );
      }
      logger.error('GetUser failed', { userId, errorName: name });
      return errorResponse(503, 'service_unavailable', 'try again later');
    }
    return undefined;
  });
}

/**
 * The steps every vending route shares once it knows the caller's AppInstanceUserId: count the
 * request against the caller's limit, run the route's own check (`beforeVend`: the user pool's
 * revocation check, or an external person's AppInstanceUser; a response ends the request), then
 * `sts:AssumeRole` on the user role with the id as session tag.
 */
export async function vendAs(
  deps: VendingBaseDeps,
  userId: string,
  beforeVend: () => Promise<RouteResponse | undefined>,
): Promise<RouteResponse> {
  const { settings, logger } = deps;
  let decision: RateDecision;
  try {
    decision = await deps.consumeRequest(userId);
  } catch (error) {
    logger.error('rate-limit table unavailable', {
      errorName: error instanceof RateLimitUnavailableError ? error.errorName : errorNameOf(error),
    });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }
  if (!decision.allowed) {
    logger.warn('vending rate limit reached', { userId });
    return errorResponse(429, 'too_many_requests', 'too many requests; try again later', {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }

  const refused = await beforeVend();
  if (refused) return refused;

  const roleSessionName = roleSessionNameFor(userId);
  let output;
  try {
    output = await deps.sts.send(
      new AssumeRoleCommand({
        RoleArn: settings.userRoleArn,
        RoleSessionName: roleSessionName,
        DurationSeconds: settings.sessionDurationSeconds,
        Tags: [{ Key: settings.principalTagKey, Value: userId }],
      }),
    );
  } catch (err) {
    const e = err as { $metadata?: { httpStatusCode?: number; requestId?: string } };
    logger.error('AssumeRole failed', {
      userId,
      errorName: errorNameOf(err),
      httpStatusCode: e?.$metadata?.httpStatusCode,
      requestId: e?.$metadata?.requestId,
    });
    return errorResponse(502, 'credentials_unavailable', 'could not issue credentials');
  }

  const c = output.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    logger.error('AssumeRole returned no complete credentials', { userId });
    return errorResponse(502, 'credentials_unavailable', 'could not issue credentials');
  }
  const response: VendedCredentialsResponse = {
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration.toISOString(),
    },
    appInstanceUserArn: appInstanceUserArn(settings.appInstanceArn, userId),
  };
  logger.info('credentials vended', {
    userId,
    roleSessionName,
    expiration: response.credentials.expiration,
  });
  return jsonResponse(200, response);
}
