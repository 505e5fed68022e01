import type { PostConfirmationTriggerHandler } from 'aws-lambda';
import { TRIGGER_ENV } from '../contracts/lambda-environment';
import { chimeIdentityClient } from './lib/chime-identity-client';
import { requireEnv } from './lib/env';
import { logger } from './lib/logger';
import { syncAppInstanceUser, syncDeadline } from './lib/sync-trigger';

const deps = { chime: chimeIdentityClient, appInstanceArn: requireEnv(TRIGGER_ENV.appInstanceArn) };

/** Chime work budget: well inside Cognito's 5 s, leaving room for a cold start. */
const BUDGET_MS = 2500;

/**
 * Post-confirmation trigger: creates the confirmed user's AppInstanceUser (id = `sub`).
 *
 * Acts on `PostConfirmation_ConfirmSignUp` (self sign-up, AdminConfirmSignUp, managed login, first
 * federated sign-in); does nothing on `PostConfirmation_ConfirmForgotPassword`. When Chime keeps
 * failing it logs the error and returns the event anyway: the user is confirmed regardless, and the
 * sign-in healing trigger (lambdas/sign-in-heal.ts) creates the AppInstanceUser at their next
 * sign-in.
 */
export const handler: PostConfirmationTriggerHandler = async (event, context) => {
  logger.addContext(context);
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') {
    logger.debug('nothing to do for this trigger source', { triggerSource: event.triggerSource });
    return event;
  }
  await syncAppInstanceUser(
    deps,
    'PostConfirmation',
    event.request.userAttributes,
    syncDeadline(context, BUDGET_MS),
  );
  return event;
};
