/**
 * A clock that moves only when the code under test sleeps (or when the test advances it), so
 * retry, backoff and pacing tests take no real time and see exact delays. `random()` is 0.5, so
 * full-jitter backoff waits half its ceiling.
 */
export function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/**
 * Runs `work` on jest's fake clock (Date and timers), so a handler's deadlines and backoff sleeps
 * pass in simulated time: a test of a 1.5 s budget takes milliseconds, and the elapsed time it
 * asserts is the handler's own reading of the clock, unaffected by a loaded machine.
 */
export async function onFakeClock<T>(
  work: () => Promise<T>,
): Promise<{ result: T; elapsedMs: number }> {
  jest.useFakeTimers();
  try {
    const started = Date.now();
    const pending = work();
    await jest.runAllTimersAsync();
    const result = await pending;
    return { result, elapsedMs: Date.now() - started };
  } finally {
    jest.useRealTimers();
  }
}
