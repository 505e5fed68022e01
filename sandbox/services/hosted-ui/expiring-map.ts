/**
 * What the hosted UI remembers for a few minutes (authorization codes, sign-in sessions, pending
 * challenges, federation round trips): entries that end at a fixed instant of an injected clock,
 * so tests see a code or a session expire without waiting. In memory: a restart ends them all.
 */
export class ExpiringMap<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expires: number }>();

  /**
   * @param now epoch milliseconds (the hosted UI's clock)
   * @param limit entries kept at most (the oldest dropped first). @default - no limit
   */
  constructor(
    private readonly now: () => number,
    private readonly limit = Infinity,
  ) {}

  /** Remembers `value` under `key` for `lifetimeMs` from now. */
  set(key: string, value: T, lifetimeMs: number): void {
    const now = this.now();
    for (const [k, entry] of this.entries) if (entry.expires <= now) this.entries.delete(k);
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.limit) break;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, expires: now + lifetimeMs });
  }

  /** The value under `key` while it lasts. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > this.now() ? entry.value : undefined;
  }

  /** The value under `key` while it lasts, removed either way (single use, right or wrong). */
  take(key: string): T | undefined {
    const value = this.get(key);
    this.entries.delete(key);
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
