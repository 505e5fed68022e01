import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** Test-only identity provider: an RSA key pair, its JWKS, and a signer for real RS256 JWTs. */
export interface TestIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly jwks: { keys: Record<string, unknown>[] };
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function createTestIssuer(issuer: string, kid = 'test-key-1'): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    issuer,
    kid,
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    sign: (payload, header = {}) => signJwt(privateKey, { alg: 'RS256', kid, ...header }, payload),
  };
}

export function signJwt(
  key: KeyObject,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key, 'base64url')}`;
}

/** An `alg: none` token, as an attacker would send it: empty or made-up signature part. */
export function unsignedJwt(payload: Record<string, unknown>, kid: string, signature = ''): string {
  return `${b64url(JSON.stringify({ alg: 'none', kid }))}.${b64url(JSON.stringify(payload))}.${signature}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims of a Cognito user pool ID token. */
export function idTokenClaims(
  issuer: string,
  clientId: string,
  sub: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = nowSeconds();
  return {
    sub,
    aud: clientId,
    iss: issuer,
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    'cognito:username': sub,
    email_verified: true,
    ...overrides,
  };
}

/** Claims of a Cognito access token for the same user (no `aud`, `client_id` instead). */
export function accessTokenClaims(
  issuer: string,
  clientId: string,
  sub: string,
): Record<string, unknown> {
  const now = nowSeconds();
  return {
    sub,
    client_id: clientId,
    iss: issuer,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    username: sub,
  };
}
