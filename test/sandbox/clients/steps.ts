/**
 * The client side of run-client.ts: what an SRP client script of this folder reports (one result
 * per step, as the last line of its output), and the sandbox route it reads codes from. Kept apart
 * from run-client.ts so that the scripts' bundles hold only what runs in the client.
 */

/** One step's outcome: its value, or the error's name and message. */
export type StepResult<T = unknown> =
  | { readonly ok: T; readonly error?: undefined }
  | {
      readonly ok?: undefined;
      readonly error: { readonly name: string; readonly message: string };
    };

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
