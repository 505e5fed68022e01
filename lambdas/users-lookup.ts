import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyHandlerV2WithJWTAuthorizer } from 'aws-lambda';
import { readRateLimitConfig } from './lib/http-api/config';
import { consumeRateLimit } from './lib/http-api/rate-limit';
import { logger } from './lib/logger';
import { readUsersLookupConfig, USERS_LOOKUP_RATE_SCOPE } from './lib/users-lookup/config';
import { lookUpUser, type UserLookupDeps } from './lib/users-lookup/core';

// Once per container: configuration (fails the first invocation if wrong) and SDK clients.
const config = readUsersLookupConfig();
const rateLimit = readRateLimitConfig(USERS_LOOKUP_RATE_SCOPE);
const dynamodb = new DynamoDBClient({});
const deps: UserLookupDeps = {
  // Region and endpoint from the standard variables (AWS_REGION, AWS_ENDPOINT_URL_*).
  cognito: new CognitoIdentityProviderClient({}),
  userPoolId: config.userPoolId,
  appInstanceArn: config.appInstanceArn,
  consumeLookup: (caller) =>
    consumeRateLimit({ dynamodb, tableName: rateLimit.tableName }, rateLimit.limit, caller),
  logger,
};

/**
 * `GET /users?email=<address>` of the project's HTTP API (payload format 2.0, behind the Cognito
 * JWT authorizer): finds one person by exact email. See docs/people.md.
 */
export const handler: APIGatewayProxyHandlerV2WithJWTAuthorizer = async (event, context) => {
  logger.addContext(context);
  return lookUpUser(deps, {
    claims: event.requestContext.authorizer.jwt.claims as Record<string, string | undefined>,
    rawQueryString: event.rawQueryString ?? '',
  });
};
