import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyHandlerV2WithJWTAuthorizer } from 'aws-lambda';
import { GUEST_INVITE_RATE_SCOPE, readInviteSettings } from './lib/guests/config';
import { createInvite, type CreateInviteDeps } from './lib/guests/create-invite';
import { kidOf, kmsInviteSigner } from './lib/guests/invite-token';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const settings = readInviteSettings();
const rateLimit = readRateLimitConfig(GUEST_INVITE_RATE_SCOPE);
const dynamodb = new DynamoDBClient({});
const deps: CreateInviteDeps = {
  // Region and endpoints from the standard variables (AWS_REGION, AWS_ENDPOINT_URL_*).
  chimeIdentity: new ChimeSDKIdentityClient({}),
  messaging: new ChimeSDKMessagingClient({}),
  sign: kmsInviteSigner(new KMSClient({}), settings.inviteKeyArn),
  kid: kidOf(settings.inviteKeyArn),
  appInstanceArn: settings.appInstanceArn,
  consumeInvite: (caller) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, caller),
  logger,
};

/**
 * `POST /guest-invites` of the project's HTTP API (behind the Cognito JWT authorizer; ID token): a
 * channel moderator invites a guest. See docs/guests.md.
 */
export const handler: APIGatewayProxyHandlerV2WithJWTAuthorizer = async (event, context) => {
  logger.addContext(context);
  return createInvite(deps, {
    claims: event.requestContext.authorizer.jwt.claims as Record<string, string | undefined>,
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  });
};
