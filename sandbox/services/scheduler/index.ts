/**
 * EventBridge Scheduler, as far as the template uses it: each enabled `AWS::Scheduler::Schedule`
 * with a `rate(...)` expression and a Lambda target of the template invokes that function on a
 * timer, with the target's `Input` as the payload (`{}` without one), so the stack's scheduled
 * functions (the user reconcile) run as deployed: their bundle, their role, their timeout.
 *
 * `cron(...)` schedules are not timed (reported at start): run them on demand. A run still going
 * when the next is due is not doubled (the next tick is skipped, as a reserved concurrency of one
 * would). `intervalMs` replaces every rate (e.g. seconds instead of an hour); `run()` runs now.
 */
import type { InvokeResult, LambdaRunner } from '../../lambda/runner';
import { resourcesOfType } from '../../cloudformation/template';
import type { SandboxResources } from '../../resources';

export interface SandboxSchedule {
  readonly name: string;
  readonly expression: string;
  readonly functionName: string;
  /** Milliseconds between runs, or undefined when it only runs on demand. */
  readonly everyMs?: number;
}

export interface ScheduleRun {
  readonly schedule: string;
  readonly functionName: string;
  readonly result: InvokeResult;
}

export interface RunningScheduler {
  readonly schedules: readonly SandboxSchedule[];
  /** Runs every schedule (or the one named, by logical id) now and waits for the results. */
  run(name?: string): Promise<ScheduleRun[]>;
  stop(): void;
}

export interface SchedulerOptions {
  readonly resources: SandboxResources;
  readonly lambda: Pick<LambdaRunner, 'find' | 'invoke'>;
  readonly log: (line: string) => void;
  /** Run every schedule this often instead of its own rate. @default - the template's rates */
  readonly intervalMs?: number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `rate(5 minutes)` -> 300000; anything else -> undefined. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!.replace(/s$/, '')]!;
}

export function startScheduler({
  resources,
  lambda,
  log,
  intervalMs,
}: SchedulerOptions): RunningScheduler {
  const schedules: (SandboxSchedule & { payload: string })[] = [];
  for (const logicalId of resourcesOfType(resources.stack.template, 'AWS::Scheduler::Schedule')) {
    const props = resources.properties(logicalId);
    if (props.State === 'DISABLED') continue;
    const target = (props.Target ?? {}) as Record<string, unknown>;
    const fn = lambda.find(String(target.Arn));
    if (!fn) {
      log(`warning: schedule ${logicalId}: target ${String(target.Arn)} is not a sandbox function`);
      continue;
    }
    const expression = typeof props.ScheduleExpression === 'string' ? props.ScheduleExpression : '';
    const everyMs = intervalMs ?? rateMs(expression);
    if (everyMs === undefined) {
      log(`schedule ${logicalId} (${expression}) is not timed by the sandbox: run it on demand`);
    }
    schedules.push({
      name: logicalId,
      expression,
      functionName: fn.functionName,
      ...(everyMs !== undefined && { everyMs }),
      payload: typeof target.Input === 'string' ? target.Input : '{}',
    });
  }

  const running = new Map<string, Promise<ScheduleRun>>();
  const runOne = (schedule: (typeof schedules)[number]): Promise<ScheduleRun> => {
    const current = running.get(schedule.name);
    const next = (async () => {
      await current?.catch(() => {});
      const result = await lambda.invoke(schedule.functionName, schedule.payload);
      if (result.FunctionError) {
        log(
          `schedule ${schedule.name}: ${schedule.functionName} failed: ${result.Payload.slice(0, 300)}`,
        );
      }
      return { schedule: schedule.name, functionName: schedule.functionName, result };
    })();
    running.set(schedule.name, next);
    void next
      .finally(() => {
        if (running.get(schedule.name) === next) running.delete(schedule.name);
      })
      .catch(() => {});
    return next;
  };

  const timers: NodeJS.Timeout[] = [];
  for (const schedule of schedules) {
    if (schedule.everyMs === undefined) continue;
    const timer = setInterval(() => {
      if (running.has(schedule.name)) {
        log(`schedule ${schedule.name}: previous run still going, this one skipped`);
        return;
      }
      runOne(schedule).catch((error: unknown) =>
        log(`schedule ${schedule.name}: not run: ${(error as Error).message}`),
      );
    }, schedule.everyMs);
    timer.unref();
    timers.push(timer);
  }

  return {
    schedules: schedules.map(({ payload: _payload, ...s }) => s),
    async run(name) {
      const selected = schedules.filter((s) => name === undefined || s.name === name);
      if (name !== undefined && selected.length === 0) {
        throw new Error(
          `no schedule named '${name}' (known: ${schedules.map((s) => s.name).join(', ')})`,
        );
      }
      return Promise.all(selected.map(runOne));
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
