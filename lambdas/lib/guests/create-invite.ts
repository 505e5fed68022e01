import { randomUUID } from 'node:crypto';
import {
  type ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import {
  GUEST_INVITE_AUDIENCE,
  GUEST_INVITE_ISSUER,
  type GuestInviteResponse,
  GuestRequestError,
  guestExpirationDays,
  guestIdFromUuid,
  parseGuestInviteRequest,
} from '../../../contracts/guests';
import { errorNameOf } from '../errors';
import {
  jsonBodyOf,
  type RouteLogger,
  refusalOfRateLimit,
  RequestBodyError,
} from '../http-api/request';
import type { RateDecision } from '../http-api/rate-limit';
import { errorResponse, jsonResponse, type RouteResponse } from '../http-api/responses';
import { moderatorCallerOf, type VerifiedClaims } from './caller';
import { moderatesChannel } from './chime-checks';
import { guestMetadataJson } from './guest-metadata';
import { type InviteSigner, signInvite } from './invite-token';

export interface CreateInviteDeps {
  readonly chimeIdentity: Pick<ChimeSDKIdentityClient, 'send'>;
  readonly messaging: Pick<ChimeSDKMessagingClient, 'send'>;
  readonly sign: InviteSigner;
  /** `kid` of the invites (the invite key's id). */
  readonly kid: string;
  readonly appInstanceArn: string;
  /** Counts one invite of this caller (each creates an AppInstanceUser: quota). */
  readonly consumeInvite: (callerSub: string) => Promise<RateDecision>;
  readonly logger: RouteLogger;
  /** @default crypto.randomUUID */
  readonly randomUuid?: () => string;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
}

export interface CreateInviteRequest {
  readonly claims: VerifiedClaims;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean | undefined;
}

/**
 * `POST /guest-invites`: a channel moderator invites a guest. Checks the caller moderates the
 * channel (a read as the caller), counts the invite, creates the guest's AppInstanceUser
 * (`guest-<uuid>`, deleted by Chime after the lifetime rounded up to whole days), and answers the
 * signed invite. The caller's own client then adds the guest to the channel: the server writes
 * nothing as a user. Never throws; never logs the invite.
 */
export async function createInvite(
  deps: CreateInviteDeps,
  request: CreateInviteRequest,
): Promise<RouteResponse> {
  const { logger } = deps;
  const caller = moderatorCallerOf(request.claims, deps.appInstanceArn);
  if ('statusCode' in caller) return caller;

  let input;
  try {
    input = parseGuestInviteRequest(
      jsonBodyOf(request.body, request.isBase64Encoded),
      deps.appInstanceArn,
    );
  } catch (error) {
    if (error instanceof GuestRequestError || error instanceof RequestBodyError) {
      return errorResponse(400, 'invalid_request', error.message);
    }
    throw error;
  }

  const limited = await refusalOfRateLimit(() => deps.consumeInvite(caller.userId), logger, {
    outcome: 'rate_limited',
    userId: caller.userId,
  });
  if (limited) return limited;

  try {
    if (!(await moderatesChannel(deps.messaging, input.channelArn, caller.userArn))) {
      logger.warn('guest invite refused', { outcome: 'not_moderator', userId: caller.userId });
      return errorResponse(403, 'not_moderator', 'only a moderator of the channel can invite');
    }
  } catch (error) {
    logger.error('moderator check failed', { errorName: errorNameOf(error) });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }

  const now = (deps.now ?? Date.now)();
  const issuedAt = Math.floor(now / 1000);
  const expiresAtSeconds = issuedAt + input.lifetimeHours * 3600;
  const expiresAt = new Date(expiresAtSeconds * 1000).toISOString();
  const uuid = (deps.randomUuid ?? randomUUID)();
  const guestId = guestIdFromUuid(uuid);
  const guestArn = appInstanceUserArn(deps.appInstanceArn, guestId);

  try {
    await deps.chimeIdentity.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: deps.appInstanceArn,
        AppInstanceUserId: guestId,
        Name: input.name,
        Metadata: guestMetadataJson({
          channelArn: input.channelArn,
          invitedBy: caller.userArn,
          expiresAt,
        }),
        // A retried request (SDK retry) creates the same guest, never a second one.
        ClientRequestToken: uuid,
        ExpirationSettings: {
          ExpirationCriterion: 'CREATED_TIMESTAMP',
          ExpirationDays: guestExpirationDays(input.lifetimeHours),
        },
      }),
    );
  } catch (error) {
    logger.error('CreateAppInstanceUser failed', { errorName: errorNameOf(error) });
    return errorResponse(503, 'service_unavailable', 'could not create the guest; try again later');
  }

  let invite: string;
  try {
    invite = await signInvite(deps.sign, deps.kid, {
      iss: GUEST_INVITE_ISSUER,
      aud: GUEST_INVITE_AUDIENCE,
      sub: guestId,
      channel: input.channelArn,
      name: input.name,
      iat: issuedAt,
      exp: expiresAtSeconds,
      jti: uuid,
    });
  } catch (error) {
    logger.error('signing the invite failed', { errorName: errorNameOf(error) });
    // No invite, no use for the guest: remove it now rather than when Chime expires it.
    await deps.chimeIdentity
      .send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: guestArn }))
      .catch((e: unknown) =>
        logger.warn('removing the unused guest failed', { errorName: errorNameOf(e) }),
      );
    return errorResponse(503, 'service_unavailable', 'could not sign the invite; try again later');
  }

  logger.info('guest invited', {
    outcome: 'invited',
    userId: caller.userId,
    guestId,
    channelArn: input.channelArn,
    expiresAt,
  });
  const response: GuestInviteResponse = { guestArn, invite, expiresAt };
  return jsonResponse(201, response);
}
