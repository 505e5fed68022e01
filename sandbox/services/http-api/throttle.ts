/**
 * API Gateway's throttling, a token bucket per route (the developer guide: "API Gateway throttles
 * requests to your API using the token bucket algorithm, where a token counts for a request"):
 * a route's own settings, else the stage's default route settings; the bucket holds `burstLimit`
 * tokens and refills at `rateLimit` per second. AWS applies throttles "on a best-effort basis";
 * here they are exact, so tests can count on them.
 */
import type { Throttle } from './template';

interface Bucket {
  tokens: number;
  at: number;
}

export class RouteThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token for `routeKey`; false when the bucket is empty (answer 429). */
  take(routeKey: string, throttle: Throttle | undefined): boolean {
    if (!throttle) return true;
    const now = this.now();
    const bucket = this.buckets.get(routeKey) ?? { tokens: throttle.burstLimit, at: now };
    bucket.tokens = Math.min(
      throttle.burstLimit,
      bucket.tokens + ((now - bucket.at) / 1000) * throttle.rateLimit,
    );
    bucket.at = now;
    this.buckets.set(routeKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
