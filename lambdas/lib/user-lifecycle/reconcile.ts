import type { DeleteBrake } from '../../../contracts/user-lifecycle';
import { type ApplyOutcome, applyPlan } from './apply';
import { LifecycleContext, type LifecycleDeps } from './context';
import { type BrakeDecision, type DriftPlan, evaluateBrake, planDrift } from './plan';
import { getChimeUser, getPoolUser, listChimeUsers, listPoolUsers } from './sources';

/**
 * The two entry points of the lifecycle core, used by the functions and by `npm run users`:
 * `reconcileUsers` (the whole pool against the whole AppInstance) and `syncUser` (one user, for a
 * CloudTrail event). Both plan with planDrift and change things with applyPlan.
 */

export type ReconcilePhase = 'list-chime' | 'list-cognito' | 'apply';

export interface ReconcileOptions {
  /** `plan` changes nothing; `apply` repairs the drift. */
  readonly mode: 'plan' | 'apply';
  readonly brake: DeleteBrake;
  /** Delete even when the brake engages (the command's `--force`). @default false */
  readonly force?: boolean;
  /** Epoch ms: nothing is started after it (the run reports what is left). */
  readonly deadline: number;
  readonly onProgress?: (phase: ReconcilePhase, done: number, total?: number) => void;
}

export interface ReconcileReport {
  readonly plan: DriftPlan;
  readonly brake: BrakeDecision;
  /** Deletions were made although the brake engaged (`force`). */
  readonly forced: boolean;
  /** Present in `apply` mode. */
  readonly applied?: ApplyOutcome;
  /** Attempts answered with throttling (each was retried). */
  readonly throttled: number;
  readonly durationMs: number;
}

export async function reconcileUsers(
  deps: LifecycleDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const ctx = new LifecycleContext(deps);
  const started = ctx.clock.now();
  const progress = options.onProgress ?? (() => {});
  // AppInstanceUsers first, then Cognito: a user who signs up between the two listings is then
  // in the Cognito list (and is not taken for an orphan); one deleted in between waits a run.
  const chimeUsers = await listChimeUsers(ctx, options.deadline, (n) => progress('list-chime', n));
  const poolUsers = await listPoolUsers(ctx, options.deadline, (n) => progress('list-cognito', n));
  const plan = planDrift(poolUsers, chimeUsers);
  const brake = evaluateBrake(plan.deletes.length, plan.poolFormUsers, options.brake);
  const forced = brake.engaged && options.force === true;
  let applied: ApplyOutcome | undefined;
  if (options.mode === 'apply') {
    applied = await applyPlan(ctx, plan, {
      deadline: options.deadline,
      holdDeletes: brake.engaged && !forced,
      confirmDeletes: true,
      onProgress: (done, total) => progress('apply', done, total),
    });
  }
  return {
    plan,
    brake,
    forced,
    ...(applied && { applied }),
    throttled: ctx.throttled,
    durationMs: ctx.clock.now() - started,
  };
}

export interface SyncUserReport {
  readonly plan: DriftPlan;
  readonly applied: ApplyOutcome;
  readonly throttled: number;
}

/**
 * Brings one user's AppInstanceUser in line with Cognito (created, renamed or deleted), after a
 * CloudTrail event about them. No brake: one deletion of a user Cognito has just confirmed gone.
 */
export async function syncUser(
  deps: LifecycleDeps,
  sub: string,
  deadline: number,
): Promise<SyncUserReport> {
  const ctx = new LifecycleContext(deps);
  const [poolUser, chimeUser] = await Promise.all([
    getPoolUser(ctx, sub, deadline),
    getChimeUser(ctx, sub, deadline),
  ]);
  const plan = planDrift(poolUser ? [poolUser] : [], chimeUser ? [chimeUser] : []);
  const applied = await applyPlan(ctx, plan, { deadline, confirmDeletes: false });
  return { plan, applied, throttled: ctx.throttled };
}
