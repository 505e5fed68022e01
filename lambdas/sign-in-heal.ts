import type {
  Context,
  PostAuthenticationTriggerEvent,
  PreTokenGenerationTriggerEvent,
} from 'aws-lambda';
import { TRIGGER_ENV } from '../contracts/lambda-environment';
import { chimeIdentityClient } from './lib/chime-identity-client';
import { requireEnv } from './lib/env';
import { logger } from './lib/logger';
import { type SyncTrigger, syncAppInstanceUser, syncDeadline } from './lib/sync-trigger';

const deps = { chime: chimeIdentityClient, appInstanceArn: requireEnv(TRIGGER_ENV.appInstanceArn) };

/** At most this much sign-in latency is spent on Chime, whatever state Chime is in. */
const BUDGET_MS = 1500;

export type SignInEvent = PostAuthenticationTriggerEvent | PreTokenGenerationTriggerEvent;

/** Federated users carry an `identities` attribute (and status EXTERNAL_PROVIDER). */
function isFederated(attributes: Readonly<Record<string, string | undefined>>): boolean {
  return (
    attributes.identities !== undefined || attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER'
  );
}

/**
 * Which sign-ins this function heals, so that each sign-in costs at most one Chime call:
 *
 * - `PostAuthentication_Authentication`: every sign-in through the user pools API (including an
 *   administrator-created user's first sign-in after NEW_PASSWORD_REQUIRED) and a federated user's
 *   later sign-ins;
 * - `TokenGeneration_HostedAuth` for local (non-federated) users: a sign-in on the managed login
 *   pages, where the Cognito guide lists no post authentication trigger. Federated users are skipped
 *   (post confirmation or post authentication already runs for them).
 *
 * Every other pre-token-generation source (token refresh included) returns at once, without a call.
 */
export function healingTrigger(event: SignInEvent): SyncTrigger | undefined {
  if (event.triggerSource === 'PostAuthentication_Authentication') return 'PostAuthentication';
  if (
    event.triggerSource === 'TokenGeneration_HostedAuth' &&
    !isFederated(event.request.userAttributes)
  ) {
    return 'PreTokenGeneration';
  }
  return undefined;
}

/**
 * The healing path, wired as the post-authentication and the pre-token-generation trigger: makes
 * sure the signed-in user's AppInstanceUser exists with one idempotent CreateAppInstanceUser
 * (`ConflictException` = exists). It covers the users post-confirmation never sees or failed:
 * administrator-created users, federated users on later sign-ins, anyone whose post-confirmation
 * call failed.
 *
 * It never fails a sign-in or a token refresh: every error is logged and the event is returned
 * unchanged (for pre token generation: no claim changes).
 */
export const handler = async <E extends SignInEvent>(event: E, context: Context): Promise<E> => {
  logger.addContext(context);
  const trigger = healingTrigger(event);
  if (!trigger) return event;
  try {
    await syncAppInstanceUser(
      deps,
      trigger,
      event.request.userAttributes,
      syncDeadline(context, BUDGET_MS),
    );
  } catch (error) {
    logger.error('AppInstanceUser check skipped', {
      trigger,
      errorName: error instanceof Error ? error.name : typeof error,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  return event;
};
