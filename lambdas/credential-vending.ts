import { STSClient } from '@aws-sdk/client-sts';
import type { LambdaFunctionURLHandler } from 'aws-lambda';
import { readVendingConfig } from './lib/credential-vending/config';
import { vendCredentials, type VendingDeps } from './lib/credential-vending/core';
import { createIdTokenVerifier } from './lib/credential-vending/verifier';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong), STS client, JWKS cache.
const config = readVendingConfig();
const deps: VendingDeps = {
  verifyIdToken: createIdTokenVerifier(config.issuer),
  // Region and endpoint from the standard variables (AWS_REGION, AWS_ENDPOINT_URL_STS).
  sts: new STSClient({}),
  settings: config.settings,
  logger,
};

/**
 * STS credential vending behind a Lambda function URL: `POST` with `Authorization: Bearer <ID token>`
 * returns temporary credentials that can act in Chime only as the caller's own AppInstanceUser.
 * CORS (preflight included) is answered by the function URL itself, for the configured origins.
 */
export const handler: LambdaFunctionURLHandler = async (event) => {
  const response = await vendCredentials(deps, {
    method: event.requestContext.http.method,
    authorization: event.headers?.authorization,
  });
  return { ...response };
};
