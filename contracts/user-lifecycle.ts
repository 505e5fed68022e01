/**
 * The user lifecycle contract: what an administrator's (or a user's) change to a Cognito user looks
 * like on the way to Chime, shared by the stack (event rule, function environment, alarms), the
 * functions (lambdas/user-reconcile.ts, lambdas/user-event.ts), the local sandbox (which emits the
 * same CloudTrail events) and the `npm run users` command. See docs/user-lifecycle.md.
 */

/**
 * The user pool API calls, as CloudTrail names them (`detail.eventName`), that change whether a user
 * exists, is enabled or what they are called: each one makes the event function sync that user.
 * Cognito has no Lambda trigger for any of them.
 */
export const USER_LIFECYCLE_EVENT_NAMES = [
  'AdminDeleteUser',
  'DeleteUser',
  'AdminUpdateUserAttributes',
  'UpdateUserAttributes',
  'AdminDisableUser',
  'AdminEnableUser',
] as const;
export type UserLifecycleEventName = (typeof USER_LIFECYCLE_EVENT_NAMES)[number];

/**
 * The calls a user makes with their own access token: their request carries no `UserPoolId` (the
 * token names the pool), so the event rule cannot filter them by pool; the function checks the user.
 */
export const TOKEN_AUTHORIZED_EVENT_NAMES: readonly UserLifecycleEventName[] = [
  'DeleteUser',
  'UpdateUserAttributes',
];

/** EventBridge `source` and `detail-type` of API calls recorded by CloudTrail. */
export const COGNITO_IDP_EVENT_BUS_SOURCE = 'aws.cognito-idp';
export const CLOUDTRAIL_API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** CloudTrail's `detail.eventSource` for user pool calls. */
export const COGNITO_IDP_EVENT_SOURCE = 'cognito-idp.amazonaws.com';

/**
 * The form of this pool's `sub` (a lowercase UUID), and so of the AppInstanceUserIds the stack
 * creates. Reconciliation only ever deletes AppInstanceUsers whose id has this form: users made
 * by hand or by other code (`guest-…`, bots, admins) are left alone.
 */
export const POOL_USER_ID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The reconcile safety brake: a run that would delete more than either deletes nothing. */
export interface DeleteBrake {
  /** Percentage of this pool's AppInstanceUsers (0-100; at least one deletion is always allowed). */
  readonly maxPercent: number;
  /** Absolute number. */
  readonly maxCount: number;
}

export const DEFAULT_DELETE_BRAKE: DeleteBrake = { maxPercent: 5, maxCount: 50 };

/** Environment variables of the lifecycle functions: the stack writes them, the handlers read them. */
export const USER_LIFECYCLE_ENV = {
  appInstanceArn: 'APP_INSTANCE_ARN',
  userPoolId: 'USER_POOL_ID',
  maxDeletePercent: 'RECONCILE_MAX_DELETE_PERCENT',
  maxDeleteCount: 'RECONCILE_MAX_DELETE_COUNT',
} as const;

/** Metric names (namespace `ChimeCognitoAuth`, dimension `service`), written by the functions. */
export const USER_LIFECYCLE_METRICS = {
  created: 'AppInstanceUsersCreated',
  renamed: 'AppInstanceUsersRenamed',
  deleted: 'AppInstanceUsersDeleted',
  membershipsRemoved: 'ChannelMembershipsRemoved',
  moderatorRolesRemoved: 'ChannelModeratorRolesRemoved',
  poolUsers: 'PoolUsersScanned',
  appInstanceUsers: 'AppInstanceUsersScanned',
  throttled: 'ThrottledCalls',
  failed: 'UserSyncFailures',
  runFailed: 'ReconcileRunFailed',
  brake: 'ReconcileBrakeEngaged',
  eventsIgnored: 'UserEventsIgnored',
} as const;

/** Validates a brake, with messages that name the bad value. */
export function assertValidDeleteBrake(brake: DeleteBrake): void {
  if (!Number.isFinite(brake.maxPercent) || brake.maxPercent < 0 || brake.maxPercent > 100) {
    throw new Error(`the delete brake's percentage must be 0-100, got ${brake.maxPercent}`);
  }
  if (!Number.isInteger(brake.maxCount) || brake.maxCount < 0) {
    throw new Error(`the delete brake's count must be a whole number >= 0, got ${brake.maxCount}`);
  }
}
