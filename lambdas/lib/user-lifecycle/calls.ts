import { isRetryableChimeError } from '../app-instance-user';

/**
 * How the lifecycle code calls AWS: every call is paced to a share of the service's rate, and
 * throttling, 5xx and network errors are retried with full-jitter exponential backoff until the
 * run's deadline. Hand-written rather than the SDK's retry strategy, because retries must stop at
 * the run's deadline and count throttling for the metrics, which SDK strategies do not do; and
 * rather than a rate-limit library, because the pacing is a dozen lines (one slot per call).
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform [0, 1), for backoff jitter. */
  random(): number;
}

export const systemClock: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Cognito's throttling and server errors (Chime's are known to isRetryableChimeError). */
const COGNITO_RETRYABLE = new Set(['TooManyRequestsException', 'InternalErrorException']);
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottledClientException']);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function isThrottling(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return THROTTLING.has(errorName(error)) || status === 429;
}

export function isRetryable(error: unknown): boolean {
  return isRetryableChimeError(error) || COGNITO_RETRYABLE.has(errorName(error));
}

export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxAttempts: number;
}

/** Batch work can wait: up to 8 attempts, backoff from 200 ms up to 10 s. */
export const BATCH_RETRY: RetryPolicy = { baseMs: 200, capMs: 10_000, maxAttempts: 8 };

/** Spaces calls to at most `perSecond` (Infinity or 0: no pacing). */
export class Pacer {
  private next = 0;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {}

  async take(): Promise<void> {
    if (!(this.perSecond > 0) || !Number.isFinite(this.perSecond)) return;
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await this.clock.sleep(at - now);
  }
}

/** The run ran out of time before the call could (re)start. */
export class DeadlineReachedError extends Error {
  constructor(what: string) {
    super(`no time left for ${what}`);
    this.name = 'DeadlineReachedError';
  }
}

export interface CallOptions {
  readonly clock: Clock;
  readonly pacer: Pacer;
  readonly deadline: number;
  readonly policy?: RetryPolicy;
  /** Told about every throttled or failed attempt that is retried. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Paces and retries `call`. Throws the last error when it is not retryable, when the attempts are
 * used up or when the next attempt would start after the deadline.
 */
export async function paced<T>(
  what: string,
  call: () => Promise<T>,
  options: CallOptions,
): Promise<T> {
  const { clock, pacer, deadline, policy = BATCH_RETRY } = options;
  for (let attempt = 1; ; attempt++) {
    if (clock.now() >= deadline) throw new DeadlineReachedError(what);
    await pacer.take();
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error;
      const delay = Math.floor(
        clock.random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt),
      );
      if (clock.now() + delay >= deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await clock.sleep(delay);
    }
  }
}
