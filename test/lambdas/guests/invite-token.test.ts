/**
 * Guest invite tokens: JWS ES256 made from KMS's DER signatures, verified by aws-jwt-verify with
 * the public key; every way of getting one wrong is refused, and an expired one is told apart.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import {
  derToJoseSignature,
  InviteTokenError,
  kidOf,
  signInvite,
  verifyInvite,
} from '../../../lambdas/lib/guests/invite-token';
import { APP_INSTANCE, KID, inviteClaims, localInviteKey } from './support';

const now = Math.floor(Date.now() / 1000);
const claims = inviteClaims(now);

function reason(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (error instanceof InviteTokenError) return error.reason;
    throw error;
  }
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('derToJoseSignature', () => {
  test('turns any P-256 DER signature into the r || s that verifies as IEEE P1363', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (message) => {
        const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        const jose = derToJoseSignature(der);
        expect(jose).toHaveLength(64);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(
          true,
        );
      }),
      { numRuns: 200 },
    );
  });

  test('refuses what is not a DER ECDSA signature', () => {
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0x31, 0x00]),
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]),
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]),
      Buffer.concat([
        Buffer.from([0x30, 0x26, 0x02, 0x21]),
        Buffer.alloc(33, 0xff),
        Buffer.from([0x02, 0x01, 0x01]),
      ]),
    ]) {
      expect(() => derToJoseSignature(bad)).toThrow(/not a DER ECDSA P-256 signature/);
    }
  });
});

describe('signInvite and verifyInvite', () => {
  const key = localInviteKey();

  test('round trip: the header says ES256 and the key id; the claims come back', async () => {
    const token = await signInvite(key.sign, KID, claims);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as object;
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: KID });
    expect(verifyInvite(token, key.jwk, APP_INSTANCE)).toEqual(claims);
  });

  test('expired is told apart from invalid', async () => {
    const token = await signInvite(key.sign, KID, { ...claims, iat: now - 7200, exp: now - 10 });
    expect(reason(() => verifyInvite(token, key.jwk, APP_INSTANCE))).toBe('expired');
  });

  test('tampered, another key, another issuer or audience, alg none, wrong claim forms: invalid', async () => {
    const token = await signInvite(key.sign, KID, claims);
    const [header, , signature] = token.split('.');
    const other = localInviteKey();
    const cases = [
      `${header}.${b64({ ...claims, channel: `${APP_INSTANCE}/channel/other` })}.${signature}`,
      `${header}.${b64({ ...claims, exp: now + 999_999 })}.${signature}`,
      await signInvite(other.sign, KID, claims),
      await signInvite(key.sign, 'another-kid', claims),
      await signInvite(key.sign, KID, { ...claims, iss: 'someone' as never }),
      await signInvite(key.sign, KID, { ...claims, aud: 'something-else' as never }),
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      await signInvite(key.sign, KID, { ...claims, sub: 'b7a1c0de-2222-4c3d-8e9f-abcdefabcdef' }),
      await signInvite(key.sign, KID, {
        ...claims,
        channel: 'arn:aws:chime:us-east-1:123456789012:app-instance/zzz/channel/x',
      }),
      await signInvite(key.sign, KID, { ...claims, name: 'a\u202Eb' }),
      'garbage',
      '',
    ];
    for (const bad of cases)
      expect(reason(() => verifyInvite(bad, key.jwk, APP_INSTANCE))).toBe('invalid');
  });

  test('kidOf takes the key id from a key ARN', () => {
    expect(kidOf(`arn:aws:kms:us-east-1:123456789012:key/${KID}`)).toBe(KID);
    expect(kidOf(KID)).toBe(KID);
  });
});
