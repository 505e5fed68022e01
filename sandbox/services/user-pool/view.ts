/**
 * What the other services (and tests) may ask the running user pool, shared as
 * `ctx.services.userPool` (sandbox/services/index.ts): its public signing key, its users and
 * their sign-outs. Narrower than `RunningUserPool`, so nothing else can reach cognito-local.
 */
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import type { PoolUser, RunningUserPool } from '.';
import type { SigningKey } from './signing-key';

export interface UserPoolView {
  /** The public half of the key that signs the pool's tokens (its JWKS holds this one key). */
  readonly publicJwk: JwkWithKid;
  /** The user with this `sub` (or username), for server-side token checks. */
  findUser(subOrUsername: string): Promise<PoolUser | undefined>;
  /** True when a token issued at `iat` (epoch seconds) predates the user's last global sign-out. */
  revoked(sub: string, iat: number): boolean;
}

export function userPoolView(pool: RunningUserPool, signingKey: SigningKey): UserPoolView {
  return {
    publicJwk: signingKey.publicJwk,
    findUser: (subOrUsername) => pool.findUser(subOrUsername),
    revoked: (sub, iat) => pool.signOuts.revoked(sub, iat),
  };
}
