import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Per-caller rate limits whose state lives in DynamoDB (one table for every route), so every
 * Lambda container of every route sees the same count: a counter per caller and fixed window,
 * incremented by one conditional UpdateItem, and deleted by DynamoDB's TTL after the window.
 *
 * A fixed window lets a caller spend a whole window's allowance at the end of one window and again
 * at the start of the next: at most twice the limit in any span of one window's length. That is
 * the price of one write per request (a sliding window needs a read too).
 */

/** The table's partition key: `<scope>#<caller>#<window start, epoch seconds>`. */
export const RATE_LIMIT_KEY_ATTRIBUTE = 'pk';
/** Epoch seconds after which DynamoDB's TTL may delete the counter. */
export const RATE_LIMIT_TTL_ATTRIBUTE = 'expiresAt';
const COUNT_ATTRIBUTE = 'requests';

/** The partition-key prefix of a scope: what a route's IAM policy may write (`<scope>#*`). */
export function rateLimitKeyPrefix(scope: string): string {
  return `${scope}#`;
}

export interface RateLimit {
  /** What is counted, e.g. `users` (also the key prefix the route's role may write). */
  readonly scope: string;
  /** Requests allowed per caller in one window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimiterDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

export type RateDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The counter could not be read or written (throttled, unavailable, misconfigured). */
export class RateLimitUnavailableError extends Error {
  constructor(public readonly errorName: string) {
    super(`rate-limit table unavailable (${errorName})`);
    this.name = 'RateLimitUnavailableError';
  }
}

/** Throws when a limit is not usable (a programming or configuration error). */
export function assertValidRateLimit(limit: RateLimit): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(limit.scope)) {
    throw new Error(`rate-limit scope must be 1-32 of a-z, 0-9 and -, got '${limit.scope}'`);
  }
  for (const [name, value] of [
    ['limit', limit.limit],
    ['windowSeconds', limit.windowSeconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`rate-limit ${name} must be a positive whole number, got ${value}`);
    }
  }
}

/**
 * Counts one request of `callerId` (a user's `sub`: letters, digits and `:-_.@`, never `#`) and
 * says whether it is within the limit. Fails closed: a table error throws
 * {@link RateLimitUnavailableError}, and the caller answers 503.
 */
export async function consumeRateLimit(
  deps: RateLimiterDeps,
  limit: RateLimit,
  callerId: string,
): Promise<RateDecision> {
  if (callerId === '' || callerId.includes('#')) {
    throw new Error('rate-limit caller id must be non-empty and contain no #');
  }
  const nowSeconds = Math.floor((deps.now ?? Date.now)() / 1000);
  const windowStart = nowSeconds - (nowSeconds % limit.windowSeconds);
  const windowEnd = windowStart + limit.windowSeconds;
  try {
    const output = await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: {
          [RATE_LIMIT_KEY_ATTRIBUTE]: {
            S: `${rateLimitKeyPrefix(limit.scope)}${callerId}#${windowStart}`,
          },
        },
        UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': COUNT_ATTRIBUTE, '#ttl': RATE_LIMIT_TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':limit': { N: String(limit.limit) },
          // A minute past the window: TTL deletion is lazy, and the key names its window anyway.
          ':ttl': { N: String(windowEnd + 60) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(output.Attributes?.[COUNT_ATTRIBUTE]?.N ?? limit.limit);
    return { allowed: true, remaining: Math.max(0, limit.limit - count) };
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    if (name === 'ConditionalCheckFailedException') {
      return { allowed: false, retryAfterSeconds: Math.max(1, windowEnd - nowSeconds) };
    }
    throw new RateLimitUnavailableError(name);
  }
}
