/**
 * Token revocation by user: GlobalSignOut, AdminUserGlobalSignOut and AdminDisableUser record
 * the second they happened, and every token of that user issued at or before it is refused from
 * then on (access tokens by the pool, ID tokens by the identity pool's ServerSideTokenCheck,
 * refresh tokens by the refresh flow). cognito-local only drops the refresh tokens. Persisted in
 * the state directory (`sign-outs.json`).
 */
import type { JsonStore } from '../../core/state';

export interface UserSummary {
  readonly sub: string;
  readonly enabled: boolean;
  readonly status: string;
}

export class SignOuts {
  constructor(
    private readonly store: JsonStore<Record<string, number>>,
    private readonly findUser: (subOrUsername: string) => Promise<UserSummary | undefined>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Revokes every token of the user with this `sub` or username now; false if there is none. */
  async signOut(subOrUsername: string): Promise<boolean> {
    const user = await this.findUser(subOrUsername);
    if (!user) return false;
    this.store.update((s) => {
      s[user.sub] = Math.floor(this.now() / 1000);
    });
    return true;
  }

  /** True when a token with this `iat` (epoch seconds) was issued at or before the last revocation. */
  revoked(sub: string, iat: number): boolean {
    const at = this.store.get()[sub];
    return at !== undefined && !(iat > at);
  }
}
