/** What the command-line scripts (deploy, destroy, smoke) share: child commands and exit codes. */
import { spawn } from 'node:child_process';

/** Runs `command` (found on PATH) with this terminal; resolves with its exit code. */
export function runCommand(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** A mistake in how the script was called: its message alone, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs a script's `main`, whose result is the exit code. An error is printed as `<name>: message`
 * (no stack trace) with exit code 2 for a {@link UsageError}, 1 otherwise.
 */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
