/**
 * The confirmation codes the user pool "sends": no email leaves the sandbox, so each code is
 * logged and kept (the newest `CODES_KEPT`, in `<stateDir>/codes.json`) for the codes page, tests
 * and `RunningSandbox.codes()`. The log names the address masked (logs never hold email
 * addresses); the codes page and `codes()` have it whole.
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
      log(`confirmation code for ${maskedAddress(code.destination)}: ${code.code}`);
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

/** `alice@example.com` -> `a***@e***.com`: enough to tell one's own sign-up apart, not the address. */
export function maskedAddress(destination: string): string {
  const at = destination.lastIndexOf('@');
  if (at < 1) return `${destination.slice(0, 1)}***`;
  const domain = destination.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${destination[0]}***@${domain.slice(0, 1)}***${tld}`;
}
