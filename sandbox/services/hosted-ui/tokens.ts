/** The user pool's tokens as the hosted UI hands them on, with the claims the OAuth flow sets. */
import { type SigningKey, resign } from '../user-pool/signing-key';

/** The user pool's signing key, re-exported so one line here names where it lives. */
export type { SigningKey };

/** The user pool's `AuthenticationResult` tokens. */
export interface Tokens {
  readonly IdToken: string;
  readonly AccessToken: string;
  readonly RefreshToken?: string;
}

/** Rewrites claims of a token the pool issued and signs it again with the pool's key. */
export function withClaims(token: string, patch: Record<string, unknown>, key: SigningKey): string {
  const [header, payload] = token.split('.');
  if (!header || !payload) throw new Error('not a JWT');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object;
  const body = Buffer.from(JSON.stringify({ ...claims, ...patch })).toString('base64url');
  return resign(`${header}.${body}.`, key);
}

/** Seconds from `nowMs` until the token's `exp` (0 once past). */
export function expiresIn(token: string, nowMs: number): number {
  const claims = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { exp?: number };
  return Math.max(0, (claims.exp ?? 0) - Math.floor(nowMs / 1000));
}
