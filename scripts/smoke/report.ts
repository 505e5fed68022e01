/** The smoke test's steps as they ran, and the pass/fail table printed at the end. */

export type Outcome = 'PASS' | 'FAIL' | 'SKIP';

export interface StepRecord {
  readonly step: string;
  readonly outcome: Outcome;
  readonly ms: number;
  /** What was observed (ids, timings) or why it failed; never a secret, token or address. */
  readonly detail: string;
}

/**
 * Runs steps in order and records each. A step whose prerequisite failed is recorded as SKIP
 * without running. Errors become FAIL rows with the error's name and message.
 */
export class StepLog {
  readonly records: StepRecord[] = [];

  /** Runs `run` unless `skipBecause` is given; returns its value, or undefined on FAIL/SKIP. */
  async step<T>(
    step: string,
    run: () => Promise<{ value: T; detail: string }>,
    skipBecause?: string,
  ): Promise<T | undefined> {
    if (skipBecause !== undefined) {
      this.records.push({ step, outcome: 'SKIP', ms: 0, detail: skipBecause });
      return undefined;
    }
    const started = Date.now();
    try {
      const { value, detail } = await run();
      this.records.push({ step, outcome: 'PASS', ms: Date.now() - started, detail });
      return value;
    } catch (error) {
      this.records.push({
        step,
        outcome: 'FAIL',
        ms: Date.now() - started,
        detail: describeError(error),
      });
      return undefined;
    }
  }

  get passed(): boolean {
    return this.records.every((r) => r.outcome === 'PASS');
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}${status ? ` (${status})` : ''}: ${error.message}`.replace(/\s+/g, ' ');
}

/** A Markdown-style table (readable in a terminal, pasteable into an issue), then the verdict. */
export function renderReport(description: string, records: readonly StepRecord[]): string {
  const rows = records.map((r) => [r.step, r.outcome, `${r.ms} ms`, r.detail]);
  const header = ['step', 'result', 'time', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(i === 3 ? 0 : widths[i]!)).join(' | ')} |`;
  const failed = records.filter((r) => r.outcome === 'FAIL').length;
  const skipped = records.filter((r) => r.outcome === 'SKIP').length;
  return [
    `smoke test against the ${description}`,
    '',
    line(header),
    line(widths.map((w, i) => '-'.repeat(i === 3 ? 6 : w))),
    ...rows.map(line),
    '',
    failed === 0 && skipped === 0
      ? `PASS: all ${records.length} steps passed`
      : `FAIL: ${failed} failed, ${skipped} skipped of ${records.length} steps`,
  ].join('\n');
}
