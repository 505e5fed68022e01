import { appInstanceUserArn, isAppInstanceUserId } from '../../../contracts/chime-arns';
import { isGuestId } from '../../../contracts/guests';
import { errorResponse, type RouteResponse } from '../http-api/responses';

/** The verified claims API Gateway's JWT authorizer passes (strings). */
export type VerifiedClaims = Readonly<Record<string, string | undefined>>;

/**
 * The signed-in caller of a moderator route: the ID token's `sub` as an AppInstanceUser ARN, or
 * the refusal (an access token, or a subject that cannot be a person's AppInstanceUserId).
 */
export function moderatorCallerOf(
  claims: VerifiedClaims,
  appInstanceArn: string,
): { userId: string; userArn: string } | RouteResponse {
  if (claims.token_use !== 'id') {
    return errorResponse(
      401,
      'invalid_token',
      'send the ID token as Authorization: Bearer <token>',
    );
  }
  const sub = claims.sub;
  if (!isAppInstanceUserId(sub) || isGuestId(sub)) {
    return errorResponse(403, 'unsupported_identity', 'the token subject is not a chat user id');
  }
  return { userId: sub, userArn: appInstanceUserArn(appInstanceArn, sub) };
}
