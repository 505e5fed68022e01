/**
 * The scopes granted with each hosted UI refresh token, so the access tokens of the refresh_token
 * grant keep them. Kept in the state directory (survives a restart, as the refresh token does),
 * under the token's SHA-256, never the token itself.
 */
import type { JsonStore, SandboxState } from '../../core/state';
import { sha256 } from './secrets';

/** Refresh tokens remembered at most (the oldest forgotten first: they get all the scopes). */
const REFRESH_SCOPES_KEPT = 1000;

export class RefreshScopes {
  private readonly store: JsonStore<Record<string, string>>;

  constructor(state: SandboxState) {
    this.store = state.store('hosted-ui-refresh-scopes', () => ({}));
  }

  remember(refreshToken: string, scopes: readonly string[]): void {
    const hash = sha256(refreshToken).toString('base64url');
    this.store.update((s) => {
      s[hash] = scopes.join(' ');
      // Oldest first (insertion order): keep the newest REFRESH_SCOPES_KEPT.
      const keys = Object.keys(s);
      for (const old of keys.slice(0, Math.max(0, keys.length - REFRESH_SCOPES_KEPT))) {
        delete s[old];
      }
    });
  }

  /** The space-separated scopes granted with `refreshToken`, if remembered. */
  of(refreshToken: string): string | undefined {
    return this.store.get()[sha256(refreshToken).toString('base64url')];
  }
}
