import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyHandlerV2 } from 'aws-lambda';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { GUEST_CREDENTIALS_RATE_SCOPE, readRedeemSettings } from './lib/guests/config';
import { kmsInvitePublicJwk } from './lib/guests/invite-token';
import { redeemInvite, type RedeemInviteDeps } from './lib/guests/redeem-invite';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const settings = readRedeemSettings();
const rateLimit = readRateLimitConfig(GUEST_CREDENTIALS_RATE_SCOPE);
const dynamodb = new DynamoDBClient({});
const kms = new KMSClient({});
// The public key, once per container; a failed fetch is tried again on the next request.
let inviteKey: Promise<JwkWithKid> | undefined;
const deps: RedeemInviteDeps = {
  chimeIdentity: new ChimeSDKIdentityClient({}),
  messaging: new ChimeSDKMessagingClient({}),
  sts: new STSClient({}),
  inviteKey: () => {
    inviteKey ??= kmsInvitePublicJwk(kms, settings.inviteKeyArn).catch((error: unknown) => {
      inviteKey = undefined;
      throw error;
    });
    return inviteKey;
  },
  settings,
  consumeRedeem: (guestId) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, guestId),
  logger,
};

/**
 * `POST /guest-credentials` of the project's HTTP API (no authorizer: the invite in the body is
 * the credential): 15-minute Chime credentials for one guest in one channel. See docs/guests.md.
 */
export const handler: APIGatewayProxyHandlerV2 = async (event, context) => {
  logger.addContext(context);
  return redeemInvite(deps, { body: event.body, isBase64Encoded: event.isBase64Encoded });
};
