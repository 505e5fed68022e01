/**
 * Stand-in `cdk` and `npm` executables for the script tests: first on PATH, they record every
 * invocation (argv, cwd) and do what the real ones would leave behind: `cdk deploy --outputs-file F`
 * writes F. Controlled through the environment of the script under test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const STAND_IN = `
const { appendFileSync, writeFileSync } = require('node:fs');
const { basename } = require('node:path');
const name = basename(process.argv[1]);
const args = process.argv.slice(2);
appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ name, args, cwd: process.cwd() }) + '\\n');
if (name === 'cdk' && args[0] === 'deploy' && process.env.STANDIN_OUTPUTS) {
  const at = args.findIndex((a) => a === '--outputs-file' || a === '-O');
  const inline = args.find((a) => a.startsWith('--outputs-file='));
  const file = at >= 0 ? args[at + 1] : inline && inline.slice('--outputs-file='.length);
  if (file) writeFileSync(file, process.env.STANDIN_OUTPUTS);
}
process.exit(Number(process.env['STANDIN_EXIT_' + name.toUpperCase()] || 0));
`;

export interface Invocation {
  readonly name: string;
  readonly args: string[];
  readonly cwd: string;
}

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly invocations: Invocation[];
}

export interface StandIns {
  /** A fresh working directory for the script (files it reads and writes). */
  readonly cwd: string;
  /** Runs `scripts/<script>` with `args`, stdin not a terminal, the stand-ins first on PATH. */
  run(script: string, args: readonly string[], env?: NodeJS.ProcessEnv): ScriptRun;
  file(name: string): string | undefined;
  cleanup(): void;
}

export function createStandIns(): StandIns {
  const bin = mkdtempSync(join(tmpdir(), 'stand-in-bin-'));
  const cwd = mkdtempSync(join(tmpdir(), 'stand-in-cwd-'));
  for (const name of ['cdk', 'npm']) {
    const path = join(bin, name);
    writeFileSync(path, `#!${process.execPath}\n${STAND_IN}`);
    chmodSync(path, 0o755);
  }
  return {
    cwd,
    run(script, args, env = {}) {
      const log = join(bin, `log-${Date.now()}-${Math.random()}.jsonl`);
      writeFileSync(log, '');
      const result = spawnSync(
        process.execPath,
        ['--import', TSX_LOADER, join(ROOT, 'scripts', script), ...args],
        {
          cwd,
          encoding: 'utf8',
          input: '',
          env: { ...process.env, ...env, STANDIN_LOG: log, PATH: `${bin}:${process.env.PATH}` },
          timeout: 60_000,
        },
      );
      const invocations = readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Invocation);
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, invocations };
    },
    file(name) {
      const path = join(cwd, name);
      return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    },
    cleanup() {
      rmSync(bin, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
