import { STSClient } from '@aws-sdk/client-sts';
import type { LambdaFunctionURLHandler } from 'aws-lambda';
import { readVendingConfig } from './lib/credential-vending/config';
import { vendCredentials, type VendingDeps } from './lib/credential-vending/core';
import { vendingVerification } from './lib/credential-vending/external-issuers';
import { chimeIdentityClient } from './lib/chime-identity-client';
import { logger } from './lib/logger';

// Once per container: configuration (fails the first invocation if wrong), STS client, JWKS cache.
const config = readVendingConfig();
const deps: VendingDeps = {
  // The user pool's and/or external OIDC issuers' tokens; for external issuers, derived ids and
  // their AppInstanceUsers (AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY honoured).
  ...vendingVerification(config, {
    chime: chimeIdentityClient,
    appInstanceArn: config.settings.appInstanceArn,
  }),
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
