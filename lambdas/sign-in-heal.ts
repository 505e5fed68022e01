import type { PostAuthenticationTriggerHandler } from 'aws-lambda';
import { chimeIdentityClient } from './lib/chime-identity-client';
import { requireEnv } from './lib/env';
import { logger } from './lib/logger';
import { syncAppInstanceUser, syncDeadline } from './lib/sync-trigger';

const deps = { chime: chimeIdentityClient, appInstanceArn: requireEnv('APP_INSTANCE_ARN') };

/** At most this much sign-in latency is spent on Chime, whatever state Chime is in. */
const BUDGET_MS = 1500;

/**
 * Post-authentication trigger, the healing path: on every sign-in (never on token refresh) it makes
 * sure the user's AppInstanceUser exists, with one idempotent CreateAppInstanceUser call
 * (`ConflictException` = exists). This covers the users post-confirmation never sees or failed:
 * administrator-created users (first sign-in after NEW_PASSWORD_REQUIRED), federated users on later
 * sign-ins, and anyone whose post-confirmation call failed.
 *
 * It never fails a sign-in: every error is logged and the event is returned.
 */
export const handler: PostAuthenticationTriggerHandler = async (event, context) => {
  logger.addContext(context);
  try {
    await syncAppInstanceUser(
      deps,
      'PostAuthentication',
      event.request.userAttributes,
      syncDeadline(context, BUDGET_MS),
    );
  } catch (error) {
    logger.error('AppInstanceUser check skipped', {
      trigger: 'PostAuthentication',
      errorName: error instanceof Error ? error.name : typeof error,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  return event;
};
