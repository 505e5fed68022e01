import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { USER_LIFECYCLE_METRICS as M } from '../../../contracts/user-lifecycle';
import { metrics } from '../metrics';
import type { ApplyOutcome } from './apply';

/** Counts of an applied plan as metrics (one EMF document per invocation, published by the caller). */
export function addOutcomeMetrics(applied: ApplyOutcome, throttled: number): void {
  const counts: [string, number][] = [
    [M.created, applied.created.length],
    [M.renamed, applied.renamed.length],
    [M.deleted, applied.deleted.length],
    [M.membershipsRemoved, applied.membershipsRemoved],
    [M.moderatorRolesRemoved, applied.moderatorRolesRemoved],
    [M.failed, applied.failed.length],
    [M.throttled, throttled],
  ];
  for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
}

/** What a log line may say about an outcome: counts and ids (a `sub` is no personal data here). */
export function outcomeSummary(applied: ApplyOutcome) {
  return {
    created: applied.created.length,
    alreadyExisted: applied.alreadyExisted.length,
    renamed: applied.renamed.length,
    deleted: applied.deleted.length,
    kept: applied.kept.length,
    membershipsRemoved: applied.membershipsRemoved,
    moderatorRolesRemoved: applied.moderatorRolesRemoved,
    unfinished: applied.unfinished,
    failed: applied.failed.map((f) => ({ id: f.id, action: f.action, errorName: f.errorName })),
  };
}
