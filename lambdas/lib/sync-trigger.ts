import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import {
  AppInstanceUserSyncError,
  type EnsureAppInstanceUserDeps,
  ensureAppInstanceUser,
} from './app-instance-user';
import { logger } from './logger';
import { metrics } from './metrics';

/** Which Cognito trigger asked; written into logs and metric dimensions. */
export type SyncTrigger = 'PostConfirmation' | 'PostAuthentication' | 'PreTokenGeneration';

/** Time kept free after the Chime work, so the function always answers Cognito in time. */
const RESPONSE_MARGIN_MS = 400;

/**
 * The instant the Chime work must be done by: `budgetMs` from now, or earlier if the function's
 * own timeout comes first (Cognito's hard limit is 5 s per attempt, cold start included).
 */
export function syncDeadline(context: Pick<Context, 'getRemainingTimeInMillis'>, budgetMs: number) {
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function'
      ? context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS
      : budgetMs;
  return Date.now() + Math.max(0, Math.min(budgetMs, remaining));
}

/**
 * Runs ensureAppInstanceUser for one trigger invocation and reports the outcome: an INFO log when a
 * user is created, an ERROR log naming the `sub` plus an `AppInstanceUserSyncFailed` metric when it
 * could not be. Returns instead of throwing on Chime failures; input errors (a malformed `sub`)
 * are rethrown for the caller to decide.
 */
export async function syncAppInstanceUser(
  deps: EnsureAppInstanceUserDeps,
  trigger: SyncTrigger,
  userAttributes: Readonly<Record<string, string | undefined>>,
  deadline: number,
): Promise<'created' | 'exists' | 'failed'> {
  try {
    const result = await ensureAppInstanceUser(deps, { userAttributes, deadline });
    const fields = {
      trigger,
      appInstanceUserId: result.appInstanceUserId,
      attempts: result.attempts,
    };
    if (result.outcome === 'created') {
      logger.info('AppInstanceUser created', fields);
      metrics.addDimension('Trigger', trigger);
      metrics.addMetric('AppInstanceUserCreated', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    } else {
      logger.debug('AppInstanceUser already exists', fields);
    }
    return result.outcome;
  } catch (error) {
    if (!(error instanceof AppInstanceUserSyncError)) throw error;
    logger.error('AppInstanceUser could not be created; the next sign-in will retry', {
      trigger,
      appInstanceUserId: error.appInstanceUserId,
      attempts: error.attempts,
      errorName: error.errorName,
      reason: error.message,
    });
    metrics.addDimension('Trigger', trigger);
    metrics.addMetric('AppInstanceUserSyncFailed', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return 'failed';
  }
}
