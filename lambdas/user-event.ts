import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { USER_LIFECYCLE_METRICS as M } from '../contracts/user-lifecycle';
import { logger } from './lib/logger';
import { metrics } from './lib/metrics';
import { parseUserLifecycleEvent } from './lib/user-lifecycle/cloudtrail-event';
import { lifecycleFunction } from './lib/user-lifecycle/function-deps';
import { syncUser } from './lib/user-lifecycle/reconcile';
import { addOutcomeMetrics, outcomeSummary } from './lib/user-lifecycle/report';

const { config, deps } = lifecycleFunction();

const MARGIN_MS = 2_000;

/** A change could not be made: fail the invocation, so Lambda retries the event (twice). */
export class UserSyncFailedError extends Error {
  constructor(sub: string, actions: string) {
    super(`could not ${actions} the AppInstanceUser of ${sub}`);
    this.name = 'UserSyncFailedError';
  }
}

/**
 * Immediate sync (`-c userEvents=true`): an EventBridge rule delivers the CloudTrail events of the
 * user pool's delete, disable, enable and attribute-update calls; this brings that one user's
 * AppInstanceUser in line with Cognito, with the same plan and code as the scheduled reconcile.
 * Anything else (malformed, foreign, failed calls, no `sub`) is ignored with a log line saying why.
 */
export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  try {
    const parsed = parseUserLifecycleEvent(event, config.userPoolId);
    if (!parsed.ok) {
      logger.info('event ignored', { reason: parsed.reason, eventName: parsed.eventName });
      metrics.addMetric(M.eventsIgnored, MetricUnit.Count, 1);
      return { ignored: parsed.reason };
    }
    const deadline = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - MARGIN_MS);
    const report = await syncUser(deps, parsed.sub, deadline);
    addOutcomeMetrics(report.applied, report.throttled);
    const summary = {
      eventName: parsed.eventName,
      eventId: parsed.eventId,
      appInstanceUserId: parsed.sub,
      ...outcomeSummary(report.applied),
    };
    logger.info('user synced', summary);
    const failed = report.applied.failed;
    if (failed.length > 0 || report.applied.unfinished > 0) {
      throw new UserSyncFailedError(
        parsed.sub,
        failed.map((f) => f.action).join(', ') || 'finish changing',
      );
    }
    return summary;
  } finally {
    metrics.publishStoredMetrics();
  }
};
