import {
  type ChimeSDKIdentityClient,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import {
  GUEST_CREDENTIAL_SECONDS,
  type GuestCredentialsResponse,
  GuestRequestError,
  guestSessionPolicyDocument,
  MAX_SESSION_POLICY_LENGTH,
  parseGuestCredentialsRequest,
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
import { isChannelMember } from './chime-checks';
import { parseGuestMetadata } from './guest-metadata';
import { InviteTokenError, verifyInvite } from './invite-token';
import type { RedeemSettings } from './config';

export interface RedeemInviteDeps {
  readonly chimeIdentity: Pick<ChimeSDKIdentityClient, 'send'>;
  readonly messaging: Pick<ChimeSDKMessagingClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
  /** The invite key's public JWK (fetched from KMS once per container). */
  readonly inviteKey: () => Promise<JwkWithKid>;
  readonly settings: Pick<RedeemSettings, 'appInstanceArn' | 'guestRoleArn' | 'principalTagKey'>;
  /** Counts one redemption of this guest. */
  readonly consumeRedeem: (guestId: string) => Promise<RateDecision>;
  readonly logger: RouteLogger;
}

export interface RedeemInviteRequest {
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean | undefined;
}

const GONE = new Set(['NotFoundException', 'ForbiddenException']);

/**
 * `POST /guest-credentials` (no account, no JWT authorizer: the invite is the credential). Checks
 * the invite (signature, issuer, audience, expiry), counts the redemption against the guest,
 * checks the guest still exists (not cancelled) and is a member of the invite's channel (not
 * removed), then assumes the guest role with the guest's id as session tag and a session policy
 * that narrows it to that channel until the invite expires. Never throws; never logs the invite
 * or the credentials.
 */
export async function redeemInvite(
  deps: RedeemInviteDeps,
  request: RedeemInviteRequest,
): Promise<RouteResponse> {
  const { logger, settings } = deps;
  let token: string;
  try {
    token = parseGuestCredentialsRequest(jsonBodyOf(request.body, request.isBase64Encoded));
  } catch (error) {
    if (error instanceof GuestRequestError || error instanceof RequestBodyError) {
      return errorResponse(400, 'invalid_request', error.message);
    }
    throw error;
  }

  let jwk: JwkWithKid;
  try {
    jwk = await deps.inviteKey();
  } catch (error) {
    logger.error('the invite key is unavailable', { errorName: errorNameOf(error) });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }
  let claims;
  try {
    claims = verifyInvite(token, jwk, settings.appInstanceArn);
  } catch (error) {
    if (!(error instanceof InviteTokenError)) throw error;
    logger.warn('invite refused', { outcome: error.reason === 'expired' ? 'expired' : 'invalid' });
    return error.reason === 'expired'
      ? errorResponse(401, 'invite_expired', 'the invite has expired; ask for a new one')
      : errorResponse(401, 'invalid_invite', 'the invite is not valid');
  }
  const guestId = claims.sub;
  const guestArn = appInstanceUserArn(settings.appInstanceArn, guestId);

  const limited = await refusalOfRateLimit(() => deps.consumeRedeem(guestId), logger, {
    outcome: 'rate_limited',
    guestId,
  });
  if (limited) return limited;

  // Cancelled? The invite is only as good as the guest it names.
  try {
    const output = await deps.chimeIdentity.send(
      new DescribeAppInstanceUserCommand({ AppInstanceUserArn: guestArn }),
    );
    const metadata = parseGuestMetadata(output.AppInstanceUser?.Metadata);
    if (metadata?.channelArn !== claims.channel) {
      logger.warn('invite refused', { outcome: 'metadata_mismatch', guestId });
      return errorResponse(401, 'invalid_invite', 'the invite is not valid');
    }
  } catch (error) {
    if (GONE.has(errorNameOf(error))) {
      logger.info('invite refused', { outcome: 'revoked', guestId });
      return errorResponse(403, 'invite_revoked', 'the invite was cancelled');
    }
    logger.error('DescribeAppInstanceUser failed', { guestId, errorName: errorNameOf(error) });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }

  // Removed, banned, or never added to this channel?
  try {
    if (!(await isChannelMember(deps.messaging, claims.channel, guestArn))) {
      logger.info('invite refused', { outcome: 'not_in_channel', guestId });
      return errorResponse(403, 'not_in_channel', 'the guest is not a member of the channel');
    }
  } catch (error) {
    logger.error('membership check failed', { guestId, errorName: errorNameOf(error) });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }

  const accessEndsAt = new Date(claims.exp * 1000);
  const policy = JSON.stringify(
    guestSessionPolicyDocument({ guestArn, channelArn: claims.channel, accessEndsAt }),
  );
  if (policy.length > MAX_SESSION_POLICY_LENGTH) {
    logger.error('session policy too long', { guestId, length: policy.length });
    return errorResponse(502, 'credentials_unavailable', 'could not issue credentials');
  }
  let output;
  try {
    output = await deps.sts.send(
      new AssumeRoleCommand({
        RoleArn: settings.guestRoleArn,
        RoleSessionName: guestId,
        DurationSeconds: GUEST_CREDENTIAL_SECONDS,
        Tags: [{ Key: settings.principalTagKey, Value: guestId }],
        Policy: policy,
      }),
    );
  } catch (error) {
    logger.error('AssumeRole failed', { guestId, errorName: errorNameOf(error) });
    return errorResponse(502, 'credentials_unavailable', 'could not issue credentials');
  }
  const c = output.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    logger.error('AssumeRole returned no complete credentials', { guestId });
    return errorResponse(502, 'credentials_unavailable', 'could not issue credentials');
  }
  const response: GuestCredentialsResponse = {
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration.toISOString(),
    },
    appInstanceUserArn: guestArn,
    guest: {
      name: claims.name,
      channelArn: claims.channel,
      accessEndsAt: accessEndsAt.toISOString(),
    },
  };
  logger.info('guest credentials issued', {
    outcome: 'issued',
    guestId,
    expiration: response.credentials.expiration,
  });
  return jsonResponse(200, response);
}
