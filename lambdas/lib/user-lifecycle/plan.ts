import { type DeleteBrake, POOL_USER_ID_PATTERN } from '../../../contracts/user-lifecycle';
import { InvalidUserSubError, appInstanceUserIdFromSub } from '../app-instance-user';
import { displayNameFromAttributes } from '../display-name';
import type { ChimeUser, PoolUser } from './sources';

/**
 * The drift between the user pool and the AppInstance, as a plan: pure, so the scheduled run, the
 * one-user event path and `npm run users -- reconcile` decide identically.
 */

/**
 * Users who may chat: enabled, and confirmed (self sign-up confirmed, federated, created by an
 * administrator, or imported). UNCONFIRMED sign-ups get no AppInstanceUser.
 */
const CHAT_STATUSES = new Set([
  'CONFIRMED',
  'EXTERNAL_PROVIDER',
  'FORCE_CHANGE_PASSWORD',
  'RESET_REQUIRED',
]);

export function isChatEligible(user: PoolUser): boolean {
  return user.enabled && CHAT_STATUSES.has(user.status);
}

export interface PlannedCreate {
  readonly id: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PlannedRename {
  readonly id: string;
  readonly arn: string;
  readonly from: string;
  readonly to: string;
  readonly metadata?: string;
}

export interface PlannedDelete {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
}

export interface DriftPlan {
  readonly creates: readonly PlannedCreate[];
  readonly renames: readonly PlannedRename[];
  readonly deletes: readonly PlannedDelete[];
  /** AppInstanceUsers whose id is not of this pool's form: never deleted. */
  readonly foreign: number;
  /** Pool users without an AppInstanceUser who may not chat (disabled, unconfirmed). */
  readonly notEligible: number;
  /** Pool users whose `sub` cannot be an AppInstanceUserId (never seen from Cognito). */
  readonly invalidSubs: number;
  readonly poolUsers: number;
  readonly appInstanceUsers: number;
  /** AppInstanceUsers whose id is of this pool's form (the brake's base). */
  readonly poolFormUsers: number;
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function planDrift(
  poolUsers: readonly PoolUser[],
  chimeUsers: readonly ChimeUser[],
): DriftPlan {
  const chimeById = new Map(chimeUsers.map((u) => [u.id, u]));
  const inPool = new Set<string>();
  const creates: PlannedCreate[] = [];
  const renames: PlannedRename[] = [];
  let notEligible = 0;
  let invalidSubs = 0;
  for (const user of poolUsers) {
    let id: string;
    try {
      id = appInstanceUserIdFromSub(user.sub);
    } catch (error) {
      if (!(error instanceof InvalidUserSubError)) throw error;
      invalidSubs += 1;
      continue;
    }
    inPool.add(id);
    const name = displayNameFromAttributes(user.attributes, id);
    const existing = chimeById.get(id);
    if (!existing) {
      if (isChatEligible(user)) creates.push({ id, name, attributes: user.attributes });
      else notEligible += 1;
    } else if (existing.name !== name) {
      renames.push({
        id,
        arn: existing.arn,
        from: existing.name,
        to: name,
        ...(existing.metadata !== undefined && { metadata: existing.metadata }),
      });
    }
  }
  const deletes: PlannedDelete[] = [];
  let foreign = 0;
  let poolFormUsers = 0;
  for (const user of chimeUsers) {
    const poolForm = POOL_USER_ID_PATTERN.test(user.id);
    if (poolForm) poolFormUsers += 1;
    if (inPool.has(user.id)) continue;
    if (poolForm) deletes.push({ id: user.id, arn: user.arn, name: user.name });
    else foreign += 1;
  }
  return {
    creates: creates.sort(byId),
    renames: renames.sort(byId),
    deletes: deletes.sort(byId),
    foreign,
    notEligible,
    invalidSubs,
    poolUsers: poolUsers.length,
    appInstanceUsers: chimeUsers.length,
    poolFormUsers,
  };
}

export interface BrakeDecision {
  readonly engaged: boolean;
  /** The most deletions one run may make. */
  readonly limit: number;
  readonly deletes: number;
  /** Why it engaged, for logs and the command's output. */
  readonly reason?: string;
}

/**
 * The safety brake: a run may delete at most `maxCount` AppInstanceUsers and at most `maxPercent`
 * of this pool's AppInstanceUsers (rounded down, but never less than one). More than that looks
 * like a mistake (a wrong pool, a failed listing, a mass deletion by accident), so the run deletes
 * nothing and says why.
 */
export function evaluateBrake(
  deletes: number,
  poolFormUsers: number,
  brake: DeleteBrake,
): BrakeDecision {
  const byShare = Math.max(1, Math.floor((poolFormUsers * brake.maxPercent) / 100));
  const limit = Math.min(brake.maxCount, byShare);
  if (deletes <= limit) return { engaged: false, limit, deletes };
  const share = poolFormUsers === 0 ? 100 : (deletes / poolFormUsers) * 100;
  return {
    engaged: true,
    limit,
    deletes,
    reason:
      `${deletes} AppInstanceUsers (${share.toFixed(1)} % of ${poolFormUsers}) have no Cognito user; ` +
      `a run may delete at most ${limit} (${brake.maxCount} users or ${brake.maxPercent} %), ` +
      `so none were deleted. Check the user pool, then run 'npm run users -- reconcile' to see ` +
      `them and 'npm run users -- reconcile --apply --force' to delete them`,
  };
}
