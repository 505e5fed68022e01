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

/**
 * A user who exists only at an external provider (Cognito status EXTERNAL_PROVIDER). A password
 * user linked to a provider keeps status CONFIRMED: they can also sign in through the API.
 */
function isExternalProviderUser(attributes: Readonly<Record<string, string | undefined>>): boolean {
  return attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER';
}

/**
 * Which sign-ins this function heals (the trigger sources are from the Cognito developer guide's
 * tables of triggers per operation, for local and for federated users; docs/triggers.md):
 *
 * - `TokenGeneration_HostedAuth`: every sign-in on the managed login pages or through an external
 *   provider (federated users can only sign in that way), first sign-in included. For a local user
 *   the guide lists no post authentication on `/login`; for a federated user this is the one source
 *   that runs at every sign-in, so their AppInstanceUser is there at first sign-in even if post
 *   confirmation failed.
 * - `PostAuthentication_Authentication`: sign-ins through the user pools API (including an
 *   administrator-created user's first sign-in after NEW_PASSWORD_REQUIRED). Skipped for
 *   external-provider users, whose sign-ins all report `TokenGeneration_HostedAuth`: one Chime call
 *   per sign-in, not two.
 *
 * Every other pre-token-generation source (token refresh included) returns at once, without a call.
 */
export function healingTrigger(event: SignInEvent): SyncTrigger | undefined {
  if (
    event.triggerSource === 'PostAuthentication_Authentication' &&
    !isExternalProviderUser(event.request.userAttributes)
  ) {
    return 'PostAuthentication';
  }
  if (event.triggerSource === 'TokenGeneration_HostedAuth') return 'PreTokenGeneration';
  return undefined;
}

/**
 * The healing path, wired as the post-authentication and the pre-token-generation trigger: makes
 * sure the signed-in user's AppInstanceUser exists with one idempotent CreateAppInstanceUser
 * (`ConflictException` = exists). It covers the users post-confirmation never sees or failed:
 * administrator-created users, federated users (from their first sign-in on, with a display name
 * from their mapped attributes), anyone whose post-confirmation call failed.
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
