import {
  type ChimeSDKIdentityClient,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import { isGuestId } from '../../../contracts/guests';
import { errorNameOf } from '../errors';
import { type RouteLogger, refusalOfRateLimit } from '../http-api/request';
import type { RateDecision } from '../http-api/rate-limit';
import { errorResponse, type RouteResponse } from '../http-api/responses';
import { moderatorCallerOf, type VerifiedClaims } from './caller';
import { moderatesChannel } from './chime-checks';
import { parseGuestMetadata } from './guest-metadata';

export interface CancelInviteDeps {
  readonly chimeIdentity: Pick<ChimeSDKIdentityClient, 'send'>;
  readonly messaging: Pick<ChimeSDKMessagingClient, 'send'>;
  readonly appInstanceArn: string;
  readonly consumeCancel: (callerSub: string) => Promise<RateDecision>;
  readonly logger: RouteLogger;
}

export interface CancelInviteRequest {
  readonly claims: VerifiedClaims;
  readonly pathParameters: Readonly<Record<string, string | undefined>> | undefined;
}

/** Chime's answers for a user that is not there (DescribeAppInstanceUser has answered both). */
const GONE = new Set(['NotFoundException', 'ForbiddenException']);

/**
 * `DELETE /guest-invites/{guestId}`: a moderator of the guest's channel cancels the invite by
 * deleting the guest's AppInstanceUser. The next renewal is refused (`invite_revoked`), Chime
 * refuses the deleted bearer, and credentials already handed out end within 15 minutes. Removing
 * the guest from the channel is the moderator's own client's call (`DeleteChannelMembership`).
 * Never throws.
 */
export async function cancelInvite(
  deps: CancelInviteDeps,
  request: CancelInviteRequest,
): Promise<RouteResponse> {
  const { logger } = deps;
  const caller = moderatorCallerOf(request.claims, deps.appInstanceArn);
  if ('statusCode' in caller) return caller;
  const guestId = request.pathParameters?.guestId;
  if (!isGuestId(guestId)) {
    return errorResponse(400, 'invalid_request', 'the path must name a guest id (guest-<uuid>)');
  }
  const limited = await refusalOfRateLimit(() => deps.consumeCancel(caller.userId), logger, {
    outcome: 'rate_limited',
    userId: caller.userId,
  });
  if (limited) return limited;

  const guestArn = appInstanceUserArn(deps.appInstanceArn, guestId);
  let channelArn: string | undefined;
  try {
    const output = await deps.chimeIdentity.send(
      new DescribeAppInstanceUserCommand({ AppInstanceUserArn: guestArn }),
    );
    channelArn = parseGuestMetadata(output.AppInstanceUser?.Metadata)?.channelArn;
  } catch (error) {
    if (!GONE.has(errorNameOf(error))) {
      logger.error('DescribeAppInstanceUser failed', { errorName: errorNameOf(error) });
      return errorResponse(503, 'service_unavailable', 'try again later');
    }
  }
  if (channelArn === undefined) {
    return errorResponse(404, 'not_found', 'no such guest (cancelled or expired already)');
  }

  try {
    if (!(await moderatesChannel(deps.messaging, channelArn, caller.userArn))) {
      logger.warn('guest cancel refused', { outcome: 'not_moderator', userId: caller.userId });
      return errorResponse(
        403,
        'not_moderator',
        "only a moderator of the guest's channel can cancel",
      );
    }
    await deps.chimeIdentity.send(
      new DeleteAppInstanceUserCommand({ AppInstanceUserArn: guestArn }),
    );
  } catch (error) {
    // Deleted meanwhile (a second cancel): the outcome the caller asked for.
    if (!GONE.has(errorNameOf(error))) {
      logger.error('cancelling the guest failed', { errorName: errorNameOf(error) });
      return errorResponse(503, 'service_unavailable', 'try again later');
    }
  }
  logger.info('guest invite cancelled', { outcome: 'cancelled', userId: caller.userId, guestId });
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
}
