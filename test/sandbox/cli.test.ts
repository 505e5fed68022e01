/**
 * `npm run sandbox` as a user runs it: a child process that prints `ready`, writes the client
 * config, wipes state with --reset, and stops (Lambda environments included) on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClientConfig } from '../../contracts/client-config';
import { PROJECT_ROOT, ensureSynth } from '../../sandbox/synth';

const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  await ensureSynth();
}, 180_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

function waitFor(pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${output}`)), ms);
    const check = () => {
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child?.stdout?.on('data', check);
    check();
  });
}

it('prints ready, writes config.json, resets state and stops on SIGTERM', async () => {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'leftover.json'), '{}');
  const started = Date.now();
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sandbox/cli.ts',
      '--port',
      '0',
      '--state-dir',
      stateDir,
      '--reset',
      '--web-origin',
      'http://127.0.0.1:7777/app',
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(/^ready$/m, 60_000);
  expect(Date.now() - started).toBeLessThan(60_000);

  expect(existsSync(join(stateDir, 'leftover.json'))).toBe(false);
  const config = parseClientConfig(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8')));
  expect(config.signInFlow).toBe('USER_SRP_AUTH');
  const health = await fetch(`${config.endpoints?.userPool}/_sandbox/health`);
  expect(await health.json()).toEqual({ ready: true });
  // Browsers: the local web demo's origins and --web-origin, nothing else.
  expect(output).toMatch(
    /web origins allowed to call it from a browser: http:\/\/localhost:5173, http:\/\/127\.0\.0\.1:5173, http:\/\/127\.0\.0\.1:7777$/m,
  );
  const fromApp = await fetch(`${config.endpoints?.userPool}/_sandbox/health`, {
    headers: { origin: 'http://127.0.0.1:7777' },
  });
  expect(fromApp.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:7777');

  const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toMatch(/SIGTERM: stopping/);
  await expect(fetch(`${config.endpoints?.userPool}/_sandbox/health`)).rejects.toThrow();
}, 90_000);
