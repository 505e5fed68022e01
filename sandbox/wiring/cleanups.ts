/**
 * What to undo when the sandbox stops, or when it fails to start half-way: each part that starts
 * something adds its stop, and they run newest first (a service stops before what it uses).
 */
export class Cleanups {
  private readonly steps: (() => Promise<void>)[] = [];
  private done: Promise<void> | undefined;

  add(step: () => Promise<void> | void): void {
    this.steps.push(async () => {
      await step();
    });
  }

  /** Runs every step once, newest first; a failing step does not keep the others from running. */
  runAll(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await step().catch(() => {});
    })();
    return this.done;
  }
}
