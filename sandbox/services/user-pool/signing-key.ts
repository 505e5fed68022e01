/**
 * The user pool's token signing key, generated for each sandbox (first start) and kept in its
 * state directory. cognito-local signs with a key published in its npm package, with which anyone
 * could mint tokens the sandbox would accept; the sandbox re-signs the ID and access tokens
 * cognito-local builds (claims untouched) with this key and serves its public half as the pool's
 * JWKS, so a forged token is refused as on AWS.
 */
import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
} from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { SandboxState } from '../../core/state';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The JWKS entry (`kty`, `n`, `e`, `kid`, `alg`, `use`). */
  readonly publicJwk: JwkWithKid;
}

interface StoredKey {
  kid: string;
  privateJwk: Record<string, string>;
}

export function loadOrCreateSigningKey(state: SandboxState): SigningKey {
  const store = state.store<Partial<StoredKey>>('signing-key', () => ({}));
  const existing = store.get();
  let stored: StoredKey;
  if (existing.kid && existing.privateJwk) {
    stored = { kid: existing.kid, privateJwk: existing.privateJwk };
  } else {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    stored = {
      kid: randomUUID(),
      privateJwk: privateKey.export({ format: 'jwk' }) as Record<string, string>,
    };
    store.update((s) => Object.assign(s, stored));
  }
  const privateKey = createPrivateKey({ key: stored.privateJwk, format: 'jwk' });
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as {
    n: string;
    e: string;
  };
  return {
    kid: stored.kid,
    privateKey,
    publicJwk: { kty: 'RSA', alg: 'RS256', use: 'sig', kid: stored.kid, n, e },
  };
}

/** A JWT of `claims`, signed with `key` (RS256), header `kid` = the key's. */
export function signJwt(claims: object, key: SigningKey): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' })).toString(
    'base64url',
  );
  const data = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${data}.${sign('sha256', Buffer.from(data), key.privateKey).toString('base64url')}`;
}

/** Signs the claims of `token` again with `key` (RS256), header `kid` = the key's. */
export function resign(token: string, key: SigningKey): string {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return signJwt(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object, key);
}

/** Verifies the access tokens the pool issued (signature, issuer, expiry, `token_use`). */
export function accessTokenVerifier(
  issuer: string,
  key: SigningKey,
): { verify(token: string): Promise<JwtPayload> } {
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new Error('not an access token');
    },
  });
  verifier.cacheJwks({ keys: [key.publicJwk] });
  return verifier;
}
