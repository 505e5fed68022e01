/**
 * Runs an independent SRP client (a script of this folder) in its own Node process and returns
 * what it reports. Not in jest's process: the JSBN big integers Amplify and
 * amazon-cognito-identity-js compute SRP with run 20-70 times slower inside jest's module sandbox
 * (a sign-in takes a minute there, 1.5 s in Node), as an app runs them in a browser or Node.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** One step's outcome: its value, or the error's name and message. */
export type StepResult<T = unknown> =
  | { readonly ok: T; readonly error?: undefined }
  | {
      readonly ok?: undefined;
      readonly error: { readonly name: string; readonly message: string };
    };

export function runClient<S>(script: string, input: S, timeoutMs = 120_000): Promise<StepResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, script), JSON.stringify(input)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
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

/** Runs `steps` in order; an error is recorded and the next step still runs. */
export async function runSteps<S>(
  steps: readonly S[],
  run: (step: S) => Promise<unknown>,
): Promise<void> {
  const results: StepResult[] = [];
  for (const step of steps) {
    try {
      results.push({ ok: (await run(step)) ?? null });
    } catch (error) {
      const e = error as { name?: string; code?: string; message?: string };
      results.push({ error: { name: e.code ?? e.name ?? 'Error', message: e.message ?? '' } });
    }
  }
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
}

/** The newest confirmation code the sandbox delivered to `email` (its sandbox-only route). */
export async function latestCode(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/_sandbox/codes?username=${encodeURIComponent(email)}`);
  const { codes } = (await response.json()) as { codes: { code: string }[] };
  const code = codes.at(-1)?.code;
  if (!code) throw new Error(`no code was sent to ${email}`);
  return code;
}
