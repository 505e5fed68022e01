import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyHandlerV2WithJWTAuthorizer } from 'aws-lambda';
import { readVendingSettings, VENDING_RATE_SCOPE } from './lib/credential-vending/config';
import { vendCredentials, type VendingDeps } from './lib/credential-vending/core';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const rateLimit = readRateLimitConfig(VENDING_RATE_SCOPE);
const dynamodb = new DynamoDBClient({});
const deps: VendingDeps = {
  // Region and endpoints from the standard variables (AWS_REGION, AWS_ENDPOINT_URL_*).
  cognito: new CognitoIdentityProviderClient({}),
  sts: new STSClient({}),
  settings: readVendingSettings(),
  consumeRequest: (caller) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, caller),
  logger,
};

/**
 * `POST /credentials` of the project's HTTP API (payload format 2.0, behind the Cognito JWT
 * authorizer with the `aws.cognito.signin.user.admin` scope): temporary credentials that can act
 * in Chime only as the caller's own AppInstanceUser. See docs/credential-vending.md.
 */
export const handler: APIGatewayProxyHandlerV2WithJWTAuthorizer = async (event, context) => {
  logger.addContext(context);
  return vendCredentials(deps, {
    claims: event.requestContext.authorizer.jwt.claims as Record<string, string | undefined>,
    authorization: event.headers?.authorization,
  });
};
