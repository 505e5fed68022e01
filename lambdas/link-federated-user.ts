import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { PreSignUpTriggerHandler } from 'aws-lambda';
import { linkToExistingUser } from './lib/account-linking';
import { requireEnv } from './lib/env';
import { logger } from './lib/logger';

/** Environment variable naming the providers whose identities are linked by verified email. */
export const LINK_PROVIDERS_ENV = 'LINK_PROVIDERS';

const deps = {
  // Region from AWS_REGION; endpoint from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (sandbox).
  cognito: new CognitoIdentityProviderClient({ maxAttempts: 2 }),
  linkableProviders: requireEnv(LINK_PROVIDERS_ENV)
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
};

/**
 * Pre sign-up trigger, present only when a provider is configured with
 * `accountLinking: "verified-email"`: on `PreSignUp_ExternalProvider` it links the new federated
 * identity to the existing password user with the same verified email (lambdas/lib/account-linking.ts).
 * Every other source (self sign-up, AdminCreateUser) passes unchanged.
 *
 * A failed AWS call fails the sign-in (Cognito shows an error; the person can retry): silently
 * creating a second user instead would split the person into two chat identities for good.
 */
export const handler: PreSignUpTriggerHandler = async (event, context) => {
  logger.addContext(context);
  if (event.triggerSource !== 'PreSignUp_ExternalProvider') return event;
  const outcome = await linkToExistingUser(deps, {
    userPoolId: event.userPoolId,
    userName: event.userName,
    userAttributes: event.request.userAttributes,
  });
  if (outcome.linked) {
    logger.info('federated identity linked to an existing user', {
      providerName: outcome.providerName,
      destinationSub: outcome.destinationSub,
    });
  } else {
    logger.info('federated identity kept separate', { reason: outcome.reason });
  }
  return event;
};
