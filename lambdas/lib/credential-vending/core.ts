import { type Logger } from '@aws-lambda-powertools/logger';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn } from '../../../contracts/client-config';
import {
  type VendedCredentialsResponse,
  type VendingErrorBody,
  type VendingErrorCode,
} from '../../../contracts/credential-vending';
import {
  IdentityProviderUnavailableError,
  InvalidTokenError,
  type IdTokenVerifier,
  UnsupportedIdentityError,
  type VerifiedClaims,
} from './errors';

/** Shortest and longest session this API hands out (STS role chaining caps it at one hour). */
export const MIN_SESSION_SECONDS = 15 * 60;
export const MAX_SESSION_SECONDS = 60 * 60;

/** The AppInstanceUserId rules (CreateAppInstanceUser); a subset of the STS tag value rules. */
const APP_INSTANCE_USER_ID = /^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/;

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

export interface VendingDeps {
  readonly verifyIdToken: IdTokenVerifier;
  readonly sts: STSClient;
  readonly settings: VendingSettings;
  readonly logger: VendingLogger;
  /**
   * The caller's AppInstanceUserId from the verified claims, and whatever must exist before
   * credentials are vended (external issuers: the derived id and its AppInstanceUser, see
   * external-issuers.ts). Throws {@link UnsupportedIdentityError} for a 403.
   * @default - the token's `sub`
   */
  readonly resolveCaller?: (claims: VerifiedClaims) => Promise<string>;
}

export interface VendingRequest {
  /** HTTP method of the request. */
  readonly method: string;
  /** The `Authorization` header, as received. */
  readonly authorization: string | undefined;
}

export interface VendingResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
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

const NO_STORE = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;

function json(
  statusCode: number,
  body: unknown,
  extra: Record<string, string> = {},
): VendingResponse {
  return { statusCode, headers: { ...NO_STORE, ...extra }, body: JSON.stringify(body) };
}

function fail(statusCode: number, error: VendingErrorCode, message: string): VendingResponse {
  const body: VendingErrorBody = { error, message };
  // RFC 6750: a 401 names the scheme the client must use.
  const extra: Record<string, string> =
    statusCode === 401
      ? {
          'www-authenticate': error === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"',
        }
      : {};
  return json(statusCode, body, extra);
}

/** `Bearer <token>` (scheme case-insensitive, RFC 6750); anything else yields undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * The seed page's credential-vending server: authorizes the caller by their ID token, then calls
 * `sts:AssumeRole` on the user role with a session tag carrying their user id, and returns the
 * credentials. Never throws; never logs the token or the credentials.
 */
export async function vendCredentials(
  deps: VendingDeps,
  request: VendingRequest,
): Promise<VendingResponse> {
  const { settings, logger } = deps;
  if (request.method.toUpperCase() !== 'POST') {
    return {
      ...fail(405, 'method_not_allowed', 'use POST'),
      headers: { ...NO_STORE, allow: 'POST' },
    };
  }
  if (!request.authorization) {
    return fail(401, 'missing_token', 'send the ID token as Authorization: Bearer <token>');
  }
  const token = bearerToken(request.authorization);
  if (token === undefined) {
    return fail(401, 'invalid_token', 'the Authorization header is not a Bearer token');
  }

  let claims: VerifiedClaims;
  try {
    claims = await deps.verifyIdToken(token);
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      logger.warn('ID token rejected', { reason: err.reason });
      return fail(401, 'invalid_token', err.reason);
    }
    logger.error('cannot verify ID tokens', {
      errorName: err instanceof Error ? err.name : typeof err,
      cause: err instanceof IdentityProviderUnavailableError ? err.causeName : undefined,
    });
    return fail(503, 'identity_provider_unavailable', 'try again later');
  }
  let userId: unknown = claims.sub;
  if (deps.resolveCaller) {
    try {
      userId = await deps.resolveCaller(claims);
    } catch (err) {
      if (err instanceof UnsupportedIdentityError) {
        logger.warn('token subject cannot be a chat user', { reason: err.reason });
        return fail(403, 'unsupported_identity', err.reason);
      }
      logger.error('chat user could not be prepared', {
        errorName: err instanceof Error ? err.name : typeof err,
      });
      return fail(502, 'credentials_unavailable', 'could not prepare the chat user');
    }
  }
  if (typeof userId !== 'string' || !APP_INSTANCE_USER_ID.test(userId)) {
    logger.warn('token subject cannot be an AppInstanceUserId', {
      subLength: typeof userId === 'string' ? userId.length : undefined,
    });
    return fail(403, 'unsupported_identity', 'the token subject is not a valid chat user id');
  }

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
    const e = err as {
      name?: unknown;
      $metadata?: { httpStatusCode?: number; requestId?: string };
    };
    logger.error('AssumeRole failed', {
      userId,
      errorName: typeof e?.name === 'string' ? e.name : typeof err,
      httpStatusCode: e?.$metadata?.httpStatusCode,
      requestId: e?.$metadata?.requestId,
    });
    return fail(502, 'credentials_unavailable', 'could not issue credentials');
  }

  const c = output.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    logger.error('AssumeRole returned no complete credentials', { userId });
    return fail(502, 'credentials_unavailable', 'could not issue credentials');
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
  return json(200, response);
}
