/**
 * Runs an independent SRP client (a script of this folder) in its own Node process and returns
 * what it reports. Not in jest's process: the JSBN big integers Amplify and
 * amazon-cognito-identity-js compute SRP with run 20-70 times slower inside jest's module sandbox
 * (a sign-in takes a minute there, 1.5 s in Node), as an app runs them in a browser or Node.
 * The script runs bundled with its client library (sandbox/core/entry-bundle.ts), as an app ships
 * it, instead of loading hundreds of modules through tsx on every run.
 */
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { bundleCacheDir, entryBundle } from '../../../sandbox/core/entry-bundle';
import type { StepResult } from './steps';

export type { StepResult } from './steps';

const ROOT = join(__dirname, '..', '..', '..');

export async function runClient<S>(
  script: string,
  input: S,
  timeoutMs = 120_000,
): Promise<StepResult[]> {
  const bundle = await entryBundle({
    entry: join(__dirname, script),
    cacheDir: bundleCacheDir(`test-client-${basename(script, '.ts')}`),
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, JSON.stringify(input)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as StepResult[]);
      } catch {
        reject(
          new Error(`${script} exited with ${code}: ${stdout.slice(-2000)}${stderr.slice(-2000)}`),
        );
      }
    });
  });
}
