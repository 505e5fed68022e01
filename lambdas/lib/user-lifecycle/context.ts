import type { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  BATCH_RETRY,
  type Clock,
  isThrottling,
  Pacer,
  paced,
  type RetryPolicy,
  systemClock,
} from './calls';

/** Where the lifecycle code writes warnings (Powertools Logger in Lambda, the console in the CLI). */
export interface LifecycleLog {
  info(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/**
 * The share of each service's request rate the lifecycle code allows itself (calls per second).
 *
 * Cognito: ListUsers and AdminGetUser count against the account's **UserRead** category (120
 * requests per second by default, shared with every other reader in the account, sign-in's
 * GetUser included): 10 leaves the rest to sign-ins. Chime: the per-API rates are listed on the
 * "Amazon Chime SDK endpoints and quotas" page of the AWS General Reference (not readable here,
 * see docs/user-lifecycle.md); 10 per second stays under any rate the identity and messaging APIs
 * are documented with, and a 429 is retried with backoff anyway.
 */
export interface CallRates {
  readonly cognitoPerSecond: number;
  readonly chimePerSecond: number;
}

export const DEFAULT_CALL_RATES: CallRates = { cognitoPerSecond: 10, chimePerSecond: 10 };

export interface LifecycleDeps {
  /** SDK retries off (`maxAttempts: 1`): the lifecycle code retries within its deadline. */
  readonly chime: Pick<ChimeSDKIdentityClient, 'send'>;
  readonly messaging: Pick<ChimeSDKMessagingClient, 'send'>;
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  readonly appInstanceArn: string;
  readonly userPoolId: string;
  /** @default DEFAULT_CALL_RATES */
  readonly rates?: CallRates;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Backoff and attempts of the paced calls. @default BATCH_RETRY (backoff from 200 ms) */
  readonly retry?: RetryPolicy;
  /** @default - nothing is logged */
  readonly log?: LifecycleLog;
}

const silent: LifecycleLog = { info() {}, warn() {}, error() {} };

/** Deps plus the pacers and counters of one run (one per invocation or command). */
export class LifecycleContext {
  readonly clock: Clock;
  readonly log: LifecycleLog;
  readonly retry: RetryPolicy;
  /** Attempts answered with throttling (then retried). */
  throttled = 0;
  private readonly cognitoPacer: Pacer;
  private readonly chimePacer: Pacer;

  constructor(readonly deps: LifecycleDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? silent;
    this.retry = deps.retry ?? BATCH_RETRY;
    const rates = deps.rates ?? DEFAULT_CALL_RATES;
    this.cognitoPacer = new Pacer(rates.cognitoPerSecond, this.clock);
    this.chimePacer = new Pacer(rates.chimePerSecond, this.clock);
  }

  /** `<appInstanceArn>/user/<id>` */
  userArn(id: string): string {
    return `${this.deps.appInstanceArn}/user/${id}`;
  }

  cognitoCall<T>(what: string, call: () => Promise<T>, deadline: number): Promise<T> {
    return this.call(what, call, deadline, this.cognitoPacer);
  }

  chimeCall<T>(what: string, call: () => Promise<T>, deadline: number): Promise<T> {
    return this.call(what, call, deadline, this.chimePacer);
  }

  /**
   * Every item of a paginated listing: `page(token)` makes one paced call and returns its items
   * and the next token; `onPage` gets the running count.
   */
  async collect<T>(
    page: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string }>,
    onPage: (count: number) => void = () => {},
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const out = await page(token);
      items.push(...out.items);
      token = out.next;
      onPage(items.length);
    } while (token);
    return items;
  }

  /** A pacing slot for a Chime call made by other code (ensureAppInstanceUser). */
  chimeSlot(): Promise<void> {
    return this.chimePacer.take();
  }

  private call<T>(what: string, call: () => Promise<T>, deadline: number, pacer: Pacer) {
    return paced(what, call, {
      clock: this.clock,
      pacer,
      deadline,
      policy: this.retry,
      onRetry: (error) => {
        if (isThrottling(error)) this.throttled += 1;
      },
    });
  }
}
