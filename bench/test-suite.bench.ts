/**
 * The suite's own speed against issue 16's goal: `npm run test:fast` under 60 s and `npm test`
 * under 150 s on 2 cores, caches warm, no test left out.
 *
 * `npm test` runs once first, unmeasured, to warm every cache a developer's second run has (the
 * cloud assemblies, the demo build, the Lambda bundles, tsc's and Prettier's). Then each command
 * runs BENCH_SUITE_RUNS times (default 1), and each run reports its wall time and the machine's busy
 * CPU time over it (Linux, /proc/stat): run it on an otherwise idle machine, since anything else
 * running counts too. (The CPU time of the command's own processes, a child's `cutime`, would leave
 * Chromium's renderers out: a 2 s loop in a page added 0.2 s to its launcher's.)
 * A run that fails is shown with its exit code and log, and not counted towards the goal.
 *
 * On a machine with more than 2 cores the commands run under `taskset` on 2 of them, so jest,
 * ESLint and Chromium all see the 2 cores of the goal. A control runs before and after: a fixed
 * single-threaded JavaScript workload whose CPU time shows how fast this machine's cores are at the
 * time (a shared host's change from one hour to the next, as CONTRIBUTING.md says).
 *
 * It runs the whole suite at least three times, so `npm run bench` leaves it out: run it by name,
 * `npm run bench -- test-suite`. The commands' output goes to test-results/bench/test-suite/.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../sandbox/synth';

/** Only `npm run bench -- test-suite` runs this module (bench/run.ts). */
export const runOnlyWhenNamed = true;

const RUNS = Number(process.env.BENCH_SUITE_RUNS ?? 1);
const GOAL_CORES = 2;
/** Issue 16's goal, in seconds of wall time on GOAL_CORES cores. */
const GOALS = [
  { script: 'test:fast', seconds: 60 },
  { script: 'test', seconds: 150 },
] as const;
const LOG_DIR = join(PROJECT_ROOT, 'test-results', 'bench', 'test-suite');
/** Linux's USER_HZ: the unit of /proc/stat's times on every Linux architecture. */
const TICKS_PER_SECOND = 100;

/** The machine's busy CPU seconds since boot (all but idle and iowait), or undefined off Linux. */
function machineBusySeconds(): number | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1).map(Number);
  if (!cpu) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of a fixed workload in this thread: objects made, sorted and serialized, the kind of
 * work (and garbage) the suite's Node.js processes do. Only comparable with itself: the same
 * machine at another time, or another machine.
 */
function control(): number {
  const start = process.cpuUsage();
  let checksum = 0;
  for (let round = 0; round < 40; round += 1) {
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      name: `user-${(i * 7919 + round) % 20_000}`,
      tags: [i % 3, i % 5, i % 7],
    }));
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    checksum += (JSON.parse(JSON.stringify(items)) as unknown[]).length;
  }
  if (checksum !== 40 * 20_000) throw new Error('control workload miscounted');
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The CPUs this process may run on (Linux: `Cpus_allowed_list` of /proc/self/status, "0-3,8"). */
function allowedCpus(): number[] {
  const status = readFileSync('/proc/self/status', 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((range) => {
    const [first = NaN, last = first] = range.split('-').map(Number);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/**
 * `taskset -c <the first 2 allowed CPUs>` on a machine with more cores than the goal's (Linux),
 * else nothing.
 */
function pinning(): string[] {
  const cores = availableParallelism();
  if (cores <= GOAL_CORES) return [];
  if (!existsSync('/usr/bin/taskset') || !existsSync('/proc/self/status')) {
    throw new Error(
      `this machine has ${cores} cores, and no /usr/bin/taskset (apt-get install util-linux) or /proc to run the suite on ${GOAL_CORES} of them`,
    );
  }
  return ['/usr/bin/taskset', '-c', allowedCpus().slice(0, GOAL_CORES).join(',')];
}

interface RunFigures {
  /** The command's exit code: figures of a failed run are shown, not counted towards the goal. */
  readonly exitCode: number | null;
  readonly wallSeconds: number;
  readonly machineBusySeconds?: number;
}

/** Runs `npm run <script>` to the end, its output into `log`. */
async function runScript(script: string, log: string): Promise<RunFigures> {
  const [command = 'npm', ...args] = [...pinning(), 'npm', 'run', script];
  const out = openSync(log, 'w');
  const busyBefore = machineBusySeconds();
  const started = performance.now();
  let exitCode: number | null;
  try {
    exitCode = await new Promise<number | null>((done, fail) => {
      const child = spawn(command, args, {
        cwd: PROJECT_ROOT,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
        stdio: ['ignore', out, out],
      });
      child.once('error', fail);
      child.once('exit', (exitCode) => done(exitCode));
    });
  } finally {
    closeSync(out);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const busyAfter = machineBusySeconds();
  return {
    exitCode,
    wallSeconds,
    ...(busyBefore !== undefined &&
      busyAfter !== undefined && { machineBusySeconds: busyAfter - busyBefore }),
  };
}

const seconds = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(1));

export async function run(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) {
    throw new Error(`BENCH_SUITE_RUNS must be a whole number of at least 1 (got ${RUNS})`);
  }
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const pin = pinning();
  console.log(
    `Cores: ${Math.min(availableParallelism(), GOAL_CORES)}` +
      (pin.length > 0 ? ` (${pin.slice(1).join(' ')} of ${availableParallelism()})` : '') +
      `; runs of each command: ${RUNS}; output in ${LOG_DIR}`,
  );
  const controlBefore = control();
  console.log(`Control before: ${controlBefore.toFixed(2)} CPU-s`);

  console.log('Warming the caches: npm test, not measured…');
  const warmUp = await runScript('test', join(LOG_DIR, 'warm-up.log'));
  if (warmUp.exitCode !== 0) console.log(`The warm-up failed (exit ${warmUp.exitCode}).`);

  console.log('\n| Command | Run | Wall (s) | Machine busy CPU-s | Goal (s) | Exit |');
  console.log('|---|---|---|---|---|---|');
  const verdicts: string[] = [];
  for (const { script, seconds: goal } of GOALS) {
    const walls: number[] = [];
    for (let n = 1; n <= RUNS; n += 1) {
      const log = join(LOG_DIR, `${script.replace(':', '-')}-${n}.log`);
      const figures = await runScript(script, log);
      if (figures.exitCode === 0) walls.push(figures.wallSeconds);
      console.log(
        `| npm run ${script} | ${n} | ${seconds(figures.wallSeconds)} | ` +
          `${seconds(figures.machineBusySeconds)} | ${goal} | ` +
          `${figures.exitCode === 0 ? '0' : `${figures.exitCode} (failed: ${log})`} |`,
      );
    }
    const best = Math.min(...walls);
    verdicts.push(
      walls.length === 0
        ? `npm run ${script}: no run passed, nothing measured`
        : `npm run ${script} under ${goal} s: ${best < goal ? 'met' : 'NOT met'} (best passing run ${best.toFixed(1)} s)`,
    );
  }
  const controlAfter = control();
  console.log(
    `\nControl after: ${controlAfter.toFixed(2)} CPU-s (before: ${controlBefore.toFixed(2)})`,
  );
  console.log(`Goal on ${GOAL_CORES} cores, caches warm: ${verdicts.join('; ')}`);
}
