import { requireEnv } from '../env';
import { assertValidRateLimit, type RateLimit } from './rate-limit';

/**
 * Environment variables every route function of the HTTP API reads for its per-caller limit (set
 * by infra/constructs/project-http-api.ts).
 */
export const RATE_LIMIT_ENV = {
  tableName: 'RATE_LIMIT_TABLE_NAME',
  /** Requests per caller and window. */
  limit: 'RATE_LIMIT_PER_WINDOW',
  windowSeconds: 'RATE_LIMIT_WINDOW_SECONDS',
} as const;

export interface RateLimitConfig {
  readonly tableName: string;
  readonly limit: RateLimit;
}

function wholeNumber(name: string, env: NodeJS.ProcessEnv): number {
  const text = requireEnv(name, env).trim();
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, got '${text}'`);
  return Number(text);
}

/** The route's limit from its environment; throws naming the bad variable. */
export function readRateLimitConfig(
  scope: string,
  env: NodeJS.ProcessEnv = process.env,
): RateLimitConfig {
  const limit: RateLimit = {
    scope,
    limit: wholeNumber(RATE_LIMIT_ENV.limit, env),
    windowSeconds: wholeNumber(RATE_LIMIT_ENV.windowSeconds, env),
  };
  assertValidRateLimit(limit);
  return { tableName: requireEnv(RATE_LIMIT_ENV.tableName, env), limit };
}
