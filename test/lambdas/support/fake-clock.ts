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
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    random: () => 0.5,
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
