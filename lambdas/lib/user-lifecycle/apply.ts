import {
  DeleteAppInstanceUserCommand,
  UpdateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { ensureAppInstanceUser, type EnsureAppInstanceUserDeps } from '../app-instance-user';
import { isThrottling } from './calls';
import { leaveAllChannels } from './channels';
import type { LifecycleContext } from './context';
import type { DriftPlan, PlannedCreate, PlannedDelete, PlannedRename } from './plan';
import { getPoolUser } from './sources';

/** Carries out a plan: creations, renames, then (unless held back) deletions. */

export type Action = 'create' | 'rename' | 'delete';

export interface FailedChange {
  readonly id: string;
  readonly action: Action;
  readonly errorName: string;
  readonly message: string;
}

export interface ApplyOutcome {
  readonly created: string[];
  /** Planned creations Chime already had (created meanwhile, e.g. by a sign-in). */
  readonly alreadyExisted: string[];
  readonly renamed: string[];
  readonly deleted: string[];
  /** Planned deletions not made because the Cognito user does exist (created after the listing). */
  readonly kept: string[];
  readonly failed: FailedChange[];
  readonly membershipsRemoved: number;
  readonly moderatorRolesRemoved: number;
  /** Changes not started because the deadline came first (the next run does them). */
  readonly unfinished: number;
}

export interface ApplyOptions {
  readonly deadline: number;
  /** Skip the deletions (the brake engaged). */
  readonly holdDeletes?: boolean;
  /**
   * Check with AdminGetUser that the Cognito user is really gone before deleting (the listing is a
   * few seconds old). Off only when the caller has just checked.
   */
  readonly confirmDeletes: boolean;
  /** Changes in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Time one creation may take, at most (its own retries stop there). */
const CREATE_BUDGET_MS = 60_000;

/** The service's error name (ensureAppInstanceUser wraps it and keeps it as `errorName`). */
function errorName(error: unknown): string {
  const inner = (error as { errorName?: unknown } | undefined)?.errorName;
  if (typeof inner === 'string') return inner;
  return error instanceof Error ? error.name : typeof error;
}

export async function applyPlan(
  ctx: LifecycleContext,
  plan: DriftPlan,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const outcome = {
    created: [] as string[],
    alreadyExisted: [] as string[],
    renamed: [] as string[],
    deleted: [] as string[],
    kept: [] as string[],
    failed: [] as FailedChange[],
    membershipsRemoved: 0,
    moderatorRolesRemoved: 0,
    unfinished: 0,
  };
  const { deadline } = options;
  const work: { id: string; action: Action; run: () => Promise<void> }[] = [
    ...plan.creates.map((c) => ({
      id: c.id,
      action: 'create' as const,
      run: () => create(ctx, c, deadline, outcome),
    })),
    ...plan.renames.map((r) => ({
      id: r.id,
      action: 'rename' as const,
      run: () => rename(ctx, r, deadline, outcome),
    })),
    ...(options.holdDeletes ? [] : plan.deletes).map((d) => ({
      id: d.id,
      action: 'delete' as const,
      run: () => remove(ctx, d, deadline, options.confirmDeletes, outcome),
    })),
  ];
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const item = work[next++];
      if (!item) return;
      if (ctx.clock.now() >= deadline) {
        outcome.unfinished += 1;
        continue;
      }
      try {
        await item.run();
      } catch (error) {
        outcome.failed.push({
          id: item.id,
          action: item.action,
          errorName: errorName(error),
          message: error instanceof Error ? error.message : String(error),
        });
        ctx.log.error(`could not ${item.action} AppInstanceUser`, {
          appInstanceUserId: item.id,
          errorName: errorName(error),
        });
      }
      done += 1;
      options.onProgress?.(done, work.length);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, work.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outcome;
}

async function create(
  ctx: LifecycleContext,
  change: PlannedCreate,
  deadline: number,
  outcome: { created: string[]; alreadyExisted: string[] },
): Promise<void> {
  const { clock } = ctx;
  // Every attempt (ensureAppInstanceUser retries on its own) takes a pacing slot.
  const chime: EnsureAppInstanceUserDeps['chime'] = {
    send: async (command: Parameters<EnsureAppInstanceUserDeps['chime']['send']>[0]) => {
      await ctx.chimeSlot();
      try {
        return await ctx.deps.chime.send(command);
      } catch (error) {
        if (isThrottling(error)) ctx.throttled += 1;
        throw error;
      }
    },
  } as EnsureAppInstanceUserDeps['chime'];
  const result = await ensureAppInstanceUser(
    {
      chime,
      appInstanceArn: ctx.deps.appInstanceArn,
      now: () => clock.now(),
      sleep: (ms) => clock.sleep(ms),
      random: () => clock.random(),
    },
    {
      userAttributes: { ...change.attributes, sub: change.id },
      deadline: Math.min(deadline, clock.now() + CREATE_BUDGET_MS),
    },
  );
  (result.outcome === 'created' ? outcome.created : outcome.alreadyExisted).push(change.id);
}

async function rename(
  ctx: LifecycleContext,
  change: PlannedRename,
  deadline: number,
  outcome: { renamed: string[] },
): Promise<void> {
  await ctx.chimeCall(
    'UpdateAppInstanceUser',
    () =>
      ctx.deps.chime.send(
        new UpdateAppInstanceUserCommand({
          AppInstanceUserArn: change.arn,
          Name: change.to,
          // Required by the API: keep what is there (this project writes no metadata).
          Metadata: change.metadata ?? '',
        }),
      ),
    deadline,
  );
  outcome.renamed.push(change.id);
}

async function remove(
  ctx: LifecycleContext,
  change: PlannedDelete,
  deadline: number,
  confirm: boolean,
  outcome: {
    deleted: string[];
    kept: string[];
    membershipsRemoved: number;
    moderatorRolesRemoved: number;
  },
): Promise<void> {
  if (confirm && (await getPoolUser(ctx, change.id, deadline))) {
    ctx.log.warn('AppInstanceUser kept: its Cognito user exists after all', {
      appInstanceUserId: change.id,
    });
    outcome.kept.push(change.id);
    return;
  }
  const cleanup = await leaveAllChannels(ctx, change.arn, deadline);
  outcome.membershipsRemoved += cleanup.memberships;
  outcome.moderatorRolesRemoved += cleanup.moderatorRoles;
  try {
    await ctx.chimeCall(
      'DeleteAppInstanceUser',
      () =>
        ctx.deps.chime.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: change.arn })),
      deadline,
    );
  } catch (error) {
    if (errorName(error) !== 'NotFoundException') throw error;
  }
  outcome.deleted.push(change.id);
}
