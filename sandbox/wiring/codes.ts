/**
 * The confirmation codes the user pool "sends": no email leaves the sandbox, so each code is
 * logged and kept (the newest `CODES_KEPT`, in `<stateDir>/codes.json`) for the codes page, tests
 * and `RunningSandbox.codes()`.
 */
import type { SandboxState } from '../core/state';
import type { CodeRecord } from '../services/user-pool';

const CODES_KEPT = 200;

export interface CodeBook {
  record(code: CodeRecord): void;
  /** The codes kept (newest last), optionally for one user: username or email address. */
  list(username?: string): CodeRecord[];
}

export function codeBook(state: SandboxState, log: (line: string) => void): CodeBook {
  const store = state.store<{ codes: CodeRecord[] }>('codes', () => ({ codes: [] }));
  return {
    record(code) {
      log(`confirmation code for ${code.destination}: ${code.code}`);
      store.update((s) => {
        s.codes.push(code);
        s.codes.splice(0, Math.max(0, s.codes.length - CODES_KEPT));
      });
    },
    list: (username) =>
      store
        .get()
        .codes.filter(
          (c) =>
            username === undefined ||
            c.username === username ||
            c.destination.toLowerCase() === username.toLowerCase(),
        ),
  };
}
