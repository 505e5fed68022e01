import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { appInstanceUserArn, isAppInstanceUserId } from '../../../contracts/chime-arns';
import type { UserLookupResponse } from '../../../contracts/http-api';
import { displayNameFromAttributes } from '../display-name';
import { errorResponse, jsonResponse, type RouteResponse } from '../http-api/responses';
import { type RateDecision, RateLimitUnavailableError } from '../http-api/rate-limit';
import { emailFilter, emailParameter, InvalidEmailError, normalizedEmail } from './email';

/**
 * `GET /users?email=<address>`: the one enabled, confirmed person whose verified email is exactly
 * this address (case-insensitively), as `{ appInstanceUserArn, name }`, or `null`. Never a list,
 * never a partial match, nothing else about them. Never throws; never logs an address or a token.
 */

/** How a lookup ended: the only thing logged about it (with the number of candidates). */
export type LookupOutcome =
  | 'found'
  | 'not_found'
  | 'ambiguous'
  | 'invalid_email'
  | 'wrong_token'
  | 'rate_limited'
  | 'unavailable';

export interface UserLookupDeps {
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  readonly userPoolId: string;
  readonly appInstanceArn: string;
  /** Counts one lookup of this caller (per-caller limit, lambdas/lib/http-api/rate-limit.ts). */
  readonly consumeLookup: (callerSub: string) => Promise<RateDecision>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface UserLookupRequest {
  /** The verified token's claims, as API Gateway passes them (every value a string). */
  readonly claims: Readonly<Record<string, string | undefined>>;
  /** The raw query string (to tell a repeated `email` from one with a comma). */
  readonly rawQueryString: string;
}

/** Two at most: enough to tell one match from several (an address is unique in this pool). */
const CANDIDATE_LIMIT = 2;

function attribute(user: UserType, name: string): string | undefined {
  return user.Attributes?.find((a) => a.Name === name)?.Value;
}

/** Only an enabled, confirmed user whose address is verified and equal to the one asked for. */
function isMatch(user: UserType, email: string): boolean {
  return (
    user.Enabled === true &&
    user.UserStatus === 'CONFIRMED' &&
    attribute(user, 'email_verified') === 'true' &&
    attribute(user, 'email')?.toLowerCase() === email &&
    isAppInstanceUserId(attribute(user, 'sub'))
  );
}

export async function lookUpUser(
  deps: UserLookupDeps,
  request: UserLookupRequest,
): Promise<RouteResponse> {
  const { logger } = deps;
  const done = (outcome: LookupOutcome, response: RouteResponse, extra: object = {}) => {
    logger.info('user lookup', { outcome, ...extra });
    return response;
  };

  // The JWT authorizer accepts any token of the pool for the web client; this route wants the ID
  // token (what the clients send), so an access token is refused here.
  if (request.claims.token_use !== 'id') {
    return done(
      'wrong_token',
      errorResponse(401, 'invalid_token', 'send the ID token as Authorization: Bearer <token>'),
    );
  }
  const caller = request.claims.sub;
  if (!isAppInstanceUserId(caller)) {
    return done(
      'wrong_token',
      errorResponse(403, 'unsupported_identity', 'the token subject is not a valid chat user id'),
    );
  }

  let email: string;
  try {
    email = normalizedEmail(emailParameter(request.rawQueryString));
  } catch (error) {
    if (!(error instanceof InvalidEmailError)) throw error;
    return done('invalid_email', errorResponse(400, 'invalid_email', error.reason));
  }

  let decision: RateDecision;
  try {
    decision = await deps.consumeLookup(caller);
  } catch (error) {
    logger.error('rate-limit table unavailable', {
      errorName: error instanceof RateLimitUnavailableError ? error.errorName : String(error),
    });
    return done('unavailable', errorResponse(503, 'service_unavailable', 'try again later'));
  }
  if (!decision.allowed) {
    // The caller (a user id, not an address) is logged here only: who is enumerating matters.
    return done(
      'rate_limited',
      errorResponse(429, 'too_many_requests', 'too many lookups; try again later', {
        retryAfterSeconds: decision.retryAfterSeconds,
      }),
      { caller },
    );
  }

  let users: UserType[];
  try {
    const output = await deps.cognito.send(
      new ListUsersCommand({
        UserPoolId: deps.userPoolId,
        Filter: emailFilter(email),
        Limit: CANDIDATE_LIMIT,
      }),
    );
    users = output.Users ?? [];
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    if (name === 'InvalidParameterException') {
      // Our filter for this address was refused: nothing about the pool is learned.
      return done(
        'invalid_email',
        errorResponse(400, 'invalid_email', 'this address cannot be searched'),
      );
    }
    logger.error('ListUsers failed', { errorName: name });
    return done('unavailable', errorResponse(503, 'service_unavailable', 'try again later'));
  }

  const matches = users.filter((user) => isMatch(user, email));
  const counts = { candidates: users.length };
  if (matches.length !== 1) {
    const body: UserLookupResponse = { user: null };
    return done(matches.length > 1 ? 'ambiguous' : 'not_found', jsonResponse(200, body), counts);
  }
  const match = matches[0]!;
  const sub = attribute(match, 'sub')!;
  const attributes = Object.fromEntries(
    (match.Attributes ?? []).map((a) => [a.Name ?? '', a.Value]),
  ) as Record<string, string | undefined>;
  const body: UserLookupResponse = {
    user: {
      appInstanceUserArn: appInstanceUserArn(deps.appInstanceArn, sub),
      name: displayNameFromAttributes(attributes, sub),
    },
  };
  return done('found', jsonResponse(200, body), counts);
}
