/**
 * The sandbox's clock for the time of its AWS resources: when AppInstanceUsers expire (Chime
 * `ExpirationSettings`) and what IAM sees as `aws:CurrentTime` / `aws:EpochTime`. Tests move it
 * forward (`advance`) to see a day pass in a second.
 *
 * What it does not move: SigV4's clock-skew and presigned-URL checks, credential expiry and JWT
 * expiry. Those compare against the clocks of real clients and of the Lambda functions (separate
 * processes), which a test cannot move.
 */
export class SandboxClock {
  private offset: number;

  constructor(
    offsetMs = 0,
    private readonly realNow: () => number = Date.now,
  ) {
    this.offset = offsetMs;
  }

  /** Epoch milliseconds, moved forward by every {@link advance} so far. */
  now(): number {
    return this.realNow() + this.offset;
  }

  /** How far ahead of real time the clock is, in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock forward (never back: time in AWS does not run backwards). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`the sandbox clock only moves forward, got ${ms} ms`);
    }
    this.offset += ms;
  }
}
