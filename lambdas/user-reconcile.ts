import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { USER_LIFECYCLE_METRICS as M } from '../contracts/user-lifecycle';
import { logger } from './lib/logger';
import { metrics } from './lib/metrics';
import { lifecycleFunction } from './lib/user-lifecycle/function-deps';
import { reconcileUsers } from './lib/user-lifecycle/reconcile';
import { addOutcomeMetrics, outcomeSummary } from './lib/user-lifecycle/report';

const { config, deps } = lifecycleFunction();

/** Ids listed in the brake's log line, at most. */
const MAX_IDS_LOGGED = 100;

/** Kept free at the end of the invocation to log and publish the metrics. */
const MARGIN_MS = 15_000;

/**
 * The scheduled reconcile (EventBridge Scheduler, hourly by default): pages through the user pool
 * and the AppInstance and repairs the drift (creates missing AppInstanceUsers, renames, deletes the
 * AppInstanceUsers of deleted users after taking them out of their channels), unless the delete
 * brake engages. The scheduler's payload is ignored. A run that cannot list both sides fails (and
 * the failure alarm fires); single changes that fail are counted and retried by the next run.
 */
export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const deadline = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - MARGIN_MS);
  try {
    const report = await reconcileUsers(deps, {
      mode: 'apply',
      brake: config.brake,
      deadline,
    });
    const { plan, brake, applied } = report;
    metrics.addMetric(M.poolUsers, MetricUnit.Count, plan.poolUsers);
    metrics.addMetric(M.appInstanceUsers, MetricUnit.Count, plan.appInstanceUsers);
    metrics.addMetric(M.brake, MetricUnit.Count, brake.engaged ? 1 : 0);
    if (applied) addOutcomeMetrics(applied, report.throttled);
    if (brake.engaged) {
      logger.error('delete brake engaged: no AppInstanceUser was deleted', {
        reason: brake.reason,
        // The first ids (a log event holds 256 KB); `npm run users -- reconcile` lists them all.
        wouldDelete: plan.deletes.slice(0, MAX_IDS_LOGGED).map((d) => d.id),
      });
    }
    const summary = {
      poolUsers: plan.poolUsers,
      appInstanceUsers: plan.appInstanceUsers,
      foreignAppInstanceUsers: plan.foreign,
      notEligible: plan.notEligible,
      brakeEngaged: brake.engaged,
      throttled: report.throttled,
      durationMs: report.durationMs,
      ...(applied && outcomeSummary(applied)),
    };
    logger.info('reconcile finished', summary);
    return summary;
  } catch (error) {
    metrics.addMetric(M.runFailed, MetricUnit.Count, 1);
    logger.error('reconcile failed: nothing after the failure was changed', {
      errorName: error instanceof Error ? error.name : typeof error,
      reason: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
