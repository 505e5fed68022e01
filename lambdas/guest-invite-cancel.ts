import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyHandlerV2WithJWTAuthorizer } from 'aws-lambda';
import { cancelInvite, type CancelInviteDeps } from './lib/guests/cancel-invite';
import { GUEST_CANCEL_RATE_SCOPE, readInviteSettings } from './lib/guests/config';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const settings = readInviteSettings();
const rateLimit = readRateLimitConfig(GUEST_CANCEL_RATE_SCOPE);
const dynamodb = new DynamoDBClient({});
const deps: CancelInviteDeps = {
  chimeIdentity: new ChimeSDKIdentityClient({}),
  messaging: new ChimeSDKMessagingClient({}),
  appInstanceArn: settings.appInstanceArn,
  consumeCancel: (caller) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, caller),
  logger,
};

/**
 * `DELETE /guest-invites/{guestId}` of the project's HTTP API (behind the Cognito JWT authorizer;
 * ID token): a moderator of the guest's channel cancels the invite. See docs/guests.md.
 */
export const handler: APIGatewayProxyHandlerV2WithJWTAuthorizer = async (event, context) => {
  logger.addContext(context);
  return cancelInvite(deps, {
    claims: event.requestContext.authorizer.jwt.claims as Record<string, string | undefined>,
    pathParameters: event.pathParameters,
  });
};
