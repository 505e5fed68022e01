import { randomUUID } from 'node:crypto';
import {
  type ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { appInstanceUserArn, isAppInstanceUserId } from '../../contracts/chime-arns';
import { displayNameFromAttributes } from './display-name';

// The display-name rule lives in display-name.ts (shared with the people API); re-exported here
// for the callers that know it from this module.
export { displayNameFromAttributes, NAME_MAX_LENGTH, sanitizeDisplayName } from './display-name';

/**
 * The core shared by the post-confirmation and sign-in healing triggers: make sure the Chime
 * AppInstanceUser of one Cognito user exists. It never reads `process.env` and never builds a
 * client; the handlers inject both.
 */

/** The user's `sub` is missing or cannot be an AppInstanceUserId (and so cannot be a tag value). */
export class InvalidUserSubError extends Error {
  constructor(sub: unknown) {
    const shown =
      typeof sub === 'string' ? JSON.stringify(sub.slice(0, 80)) : `a value of type ${typeof sub}`;
    super(
      `user attribute 'sub' must be 1-64 characters of letters, digits and :-_.@ that start and end ` +
        `with a letter or digit (it becomes the AppInstanceUserId), got ${shown}`,
    );
    this.name = 'InvalidUserSubError';
  }
}

/** CreateAppInstanceUser kept failing: a permanent error, or retries ran out of time. */
export class AppInstanceUserSyncError extends Error {
  constructor(
    message: string,
    public readonly appInstanceUserId: string,
    public readonly attempts: number,
    public readonly errorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppInstanceUserSyncError';
  }
}

export interface EnsureAppInstanceUserDeps {
  /** A Chime SDK identity client (created once per container, with SDK retries off). */
  readonly chime: Pick<ChimeSDKIdentityClient, 'send'>;
  readonly appInstanceArn: string;
  /** Clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1), for backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** A new `ClientRequestToken` (2-64 of `[-_a-zA-Z0-9]`) per call. @default randomUUID */
  readonly newToken?: () => string;
}

export interface EnsureAppInstanceUserInput {
  /** The user's Cognito attributes (`sub` and the profile names). */
  readonly userAttributes: Readonly<Record<string, string | undefined>>;
  /** Give up (throw) rather than start or continue a call after this instant (epoch ms). */
  readonly deadline: number;
}

export interface EnsureAppInstanceUserResult {
  /**
   * `created` by this call, or it `exists` already (created before, by another invocation, or by
   * this call's own attempt whose answer was lost and which then answered Conflict).
   */
  readonly outcome: 'created' | 'exists';
  readonly appInstanceUserId: string;
  readonly appInstanceUserArn: string;
  readonly attempts: number;
}

/** Backoff between attempts: full jitter, exponential from BASE, capped at CAP. */
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 800;
/** Do not start an attempt with less time than this before the deadline. */
const MIN_ATTEMPT_MS = 150;

/** Validates `sub` as an AppInstanceUserId; returns it unchanged (never rewritten). */
export function appInstanceUserIdFromSub(sub: unknown): string {
  // A Cognito `sub` (a UUID) is always a valid AppInstanceUserId.
  if (!isAppInstanceUserId(sub)) {
    throw new InvalidUserSubError(sub);
  }
  return sub;
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const RETRYABLE_NAMES = new Set([
  'ThrottledClientException',
  'ServiceUnavailableException',
  'ServiceFailureException',
  // Network-level failures before any response (the SDK's own names and Node's codes).
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Throttling, 5xx and network errors are worth another attempt; anything else (bad request,
 * forbidden, limit exceeded) will not change. Hand-written instead of the SDK's retry strategy
 * because retries must stop at the invocation's deadline, which SDK strategies do not know.
 */
export function isRetryableChimeError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  return (
    RETRYABLE_NAMES.has(e.name ?? '') ||
    RETRYABLE_NAMES.has(e.code ?? '') ||
    e.$retryable !== undefined ||
    status === 429 ||
    (status !== undefined && status >= 500)
  );
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

const DEADLINE_ERROR = 'DeadlineExceeded';

/**
 * Settles within `ms` whatever the call does: the request is aborted and the promise rejects at the
 * deadline. Raced rather than trusting the abort signal alone, because parts of a call (credential
 * resolution, a mocked client) do not observe it.
 */
async function beforeDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  ms: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`Chime did not answer within ${ms} ms`);
      error.name = DEADLINE_ERROR;
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ensures the AppInstanceUser `<appInstanceArn>/user/<sub>` exists, creating it if needed.
 *
 * One CreateAppInstanceUser call in the common case. Its `ClientRequestToken` is new for every call
 * and the same for the call's own retries. A repeated token is an idempotent retry, which Chime
 * answers with success even when the user already exists, so a token shared across invocations
 * would report every sign-in of an existing user as `created`. With a fresh token an existing user
 * answers `ConflictException` (`exists`), and success means this call created it. Throttling,
 * 5xx and network errors are retried with full-jitter exponential backoff while time remains before
 * `deadline`; each call is aborted at the deadline. Another 4xx from Create is checked with one
 * DescribeAppInstanceUser (an existing user is success) before it is reported.
 *
 * @throws InvalidUserSubError when `sub` is missing or malformed (before any call)
 * @throws AppInstanceUserSyncError when the user could not be created in time
 */
export async function ensureAppInstanceUser(
  deps: EnsureAppInstanceUserDeps,
  input: EnsureAppInstanceUserInput,
): Promise<EnsureAppInstanceUserResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;

  const appInstanceUserId = appInstanceUserIdFromSub(input.userAttributes.sub);
  const arn = appInstanceUserArn(deps.appInstanceArn, appInstanceUserId);
  const name = displayNameFromAttributes(input.userAttributes, appInstanceUserId);
  const command = new CreateAppInstanceUserCommand({
    AppInstanceArn: deps.appInstanceArn,
    AppInstanceUserId: appInstanceUserId,
    Name: name,
    ClientRequestToken: (deps.newToken ?? randomUUID)(),
  });
  const result = (outcome: 'created' | 'exists', attempts: number) => ({
    outcome,
    appInstanceUserId,
    appInstanceUserArn: arn,
    attempts,
  });

  let attempts = 0;
  for (;;) {
    const remaining = input.deadline - now();
    if (remaining < MIN_ATTEMPT_MS) {
      throw new AppInstanceUserSyncError(
        attempts === 0
          ? `no time left to create AppInstanceUser ${appInstanceUserId}`
          : `gave up creating AppInstanceUser ${appInstanceUserId} after ${attempts} attempts: deadline reached`,
        appInstanceUserId,
        attempts,
        attempts === 0 ? 'DeadlineExceeded' : 'RetriesExhausted',
      );
    }
    attempts += 1;
    try {
      await beforeDeadline((abortSignal) => deps.chime.send(command, { abortSignal }), remaining);
      return result('created', attempts);
    } catch (error) {
      const name_ = errorName(error);
      if (name_ === 'ConflictException') return result('exists', attempts);
      if (isRetryableChimeError(error)) {
        const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempts);
        const delay = Math.floor(random() * ceiling);
        if (input.deadline - now() - delay >= MIN_ATTEMPT_MS) {
          await sleep(delay);
          continue;
        }
        throw new AppInstanceUserSyncError(
          `gave up creating AppInstanceUser ${appInstanceUserId} after ${attempts} attempts: ${name_}`,
          appInstanceUserId,
          attempts,
          name_,
          { cause: error },
        );
      }
      if (name_ !== DEADLINE_ERROR && (await existsAlready(deps, arn, input.deadline - now()))) {
        return result('exists', attempts);
      }
      throw new AppInstanceUserSyncError(
        `could not create AppInstanceUser ${appInstanceUserId}: ${name_}`,
        appInstanceUserId,
        attempts,
        name_,
        { cause: error },
      );
    }
  }
}

/** One DescribeAppInstanceUser; any error (NotFound, or the Forbidden Chime returns) means no. */
async function existsAlready(
  deps: EnsureAppInstanceUserDeps,
  arn: string,
  remaining: number,
): Promise<boolean> {
  if (remaining < MIN_ATTEMPT_MS) return false;
  try {
    const out = await beforeDeadline(
      (abortSignal) =>
        deps.chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }), {
          abortSignal,
        }),
      remaining,
    );
    return out.AppInstanceUser?.AppInstanceUserArn !== undefined;
  } catch {
    return false;
  }
}
