import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyHandlerV2WithJWTAuthorizer } from 'aws-lambda';
import { ensureAppInstanceUser } from './lib/app-instance-user';
import { chimeIdentityClient } from './lib/chime-identity-client';
import {
  readExternalIssuer,
  readVendingSettings,
  VENDING_RATE_SCOPE,
} from './lib/credential-vending/config';
import { externalVending } from './lib/credential-vending/external-issuers';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';

/** Time given to Chime to create a first-time caller's AppInstanceUser (the function has 10 s). */
const ENSURE_USER_BUDGET_MS = 3000;

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const rateLimit = readRateLimitConfig(VENDING_RATE_SCOPE);
const settings = readVendingSettings();
const dynamodb = new DynamoDBClient({});
const vend = externalVending({
  issuer: readExternalIssuer(),
  // Region and endpoints from the standard variables (AWS_REGION, AWS_ENDPOINT_URL_*).
  sts: new STSClient({}),
  settings,
  consumeRequest: (caller) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, caller),
  ensureUser: async (appInstanceUserId, profile) => {
    await ensureAppInstanceUser(
      { chime: chimeIdentityClient, appInstanceArn: settings.appInstanceArn },
      {
        userAttributes: { ...profile, sub: appInstanceUserId },
        deadline: Date.now() + ENSURE_USER_BUDGET_MS,
      },
    );
  },
  logger,
});

/**
 * `POST /credentials/external/<name>` of the project's HTTP API (payload format 2.0, behind the
 * JWT authorizer of one external OpenID Connect issuer): credentials for the caller's derived id,
 * whose AppInstanceUser is created first. See docs/federation.md, "The STS path".
 */
export const handler: APIGatewayProxyHandlerV2WithJWTAuthorizer = async (event, context) => {
  logger.addContext(context);
  return vend({
    claims: event.requestContext.authorizer.jwt.claims as Record<string, string | undefined>,
  });
};
