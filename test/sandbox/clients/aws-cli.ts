/**
 * The AWS CLI v2 as a client of the sandbox, run two ways:
 *
 * - `runAwsCommand`: one `aws` process per command, exactly as a person runs it;
 * - `awsCliDriver`: the commands of a test file one after another in one Python process, through
 *   the CLI's own entry point (`aws-cli-driver.py`). A fresh `aws` process costs 0.6-0.8 s of CPU
 *   here, mostly Python importing awscli and botocore; the same command in the running process
 *   0.07-0.15 s. Each command still gets its own environment, argv, stdout, stderr and exit code,
 *   and aws-cli.test.ts checks that both ways answer alike, byte for byte.
 *
 * The driver needs an `aws` that is a Python script (Debian's awscli, pip's awscli v2). Where it
 * is a frozen binary (AWS's own installer), `awsCliDriver` runs one process per command instead.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AwsCli {
  /** Runs `aws <args>` with exactly `env` as its environment. */
  run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult>;
  close(): Promise<void>;
  /** 'driver': one Python process for every command; 'process': one `aws` process per command. */
  readonly mode: 'driver' | 'process';
}

/** Runs one `aws` process, as a person does. */
export async function runAwsCommand(
  awsPath: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(awsPath, args, { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The interpreter of an `aws` that is a Python script (its `#!` line), or undefined. */
function pythonOf(awsPath: string): string[] | undefined {
  const firstLine = readFileSync(awsPath).subarray(0, 256).toString('latin1').split('\n')[0] ?? '';
  if (!firstLine.startsWith('#!') || !/python/.test(firstLine)) return undefined;
  return firstLine.slice(2).trim().split(/\s+/);
}

export function awsCliDriver(awsPath: string): AwsCli {
  const python = pythonOf(awsPath);
  if (!python) {
    return {
      mode: 'process',
      run: (args, env) => runAwsCommand(awsPath, args, env),
      close: () => Promise.resolve(),
    };
  }
  const [interpreter = 'python3', ...interpreterArgs] = python;
  let child: ChildProcess | undefined;
  let answers: AsyncIterator<string> | undefined;
  let diagnostics = '';
  // One command at a time: the driver runs them in turn, and answers in the same order.
  let queue: Promise<unknown> = Promise.resolve();

  const start = () => {
    diagnostics = '';
    // The environment of Python's own start; each command then runs with its own.
    child = spawn(interpreter, [...interpreterArgs, join(__dirname, 'aws-cli-driver.py')], {
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    const note = (text: string) => {
      diagnostics = (diagnostics + text).slice(-4000);
    };
    child.stderr?.on('data', (chunk: Buffer) => note(chunk.toString()));
    // No interpreter, or a write after Python died: the waiting call fails with this, not the worker.
    child.on('error', (error) => note(`${error.message}\n`));
    child.stdin?.on('error', (error) => note(`${error.message}\n`));
    answers = createInterface({ input: child.stdio[3] as Readable })[Symbol.asyncIterator]();
    return { child, answers };
  };

  const runInDriver = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
    const running = child && child.exitCode === null && answers ? { child, answers } : start();
    const request = JSON.stringify({ argv: args, env, program: awsPath });
    (running.child.stdin as Writable).write(`${request}\n`);
    const next = await running.answers.next();
    if (next.done) {
      child = undefined;
      answers = undefined;
      throw new Error(`the AWS CLI driver stopped:\n${diagnostics}`);
    }
    return JSON.parse(next.value) as CliResult;
  };

  return {
    mode: 'driver',
    run(args, env) {
      const result = queue.then(() => runInDriver(args, env));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((done) => {
        // A command still running (a test that timed out) does not hold the close.
        const kill = setTimeout(() => running.kill('SIGKILL'), 5_000);
        running.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        running.stdin?.end();
      });
    },
  };
}
