import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { verifyJwtSync } from 'aws-jwt-verify/jwt-verifier';
import {
  GUEST_INVITE_AUDIENCE,
  GUEST_INVITE_ISSUER,
  type GuestInviteClaims,
  guestNameOf,
  isGuestId,
} from '../../../contracts/guests';

/**
 * Guest invites are JWTs (RFC 7519), signed ES256 (ECDSA P-256 with SHA-256, RFC 7518) by an
 * asymmetric KMS key: the private key never leaves KMS (the invite function may only call
 * `kms:Sign`), and the redeem function verifies with the public key alone (`kms:GetPublicKey`
 * once per container), so the code that accepts invites cannot make one.
 *
 * Verification is aws-jwt-verify's (signature, `alg`, `iss`, `aud`, `exp`, `nbf`). Signing is
 * written here because no library signs a JWT through KMS: the JOSE encoding is two base64url
 * parts, and KMS's DER signature must become the 64-byte `r || s` JWS uses (RFC 7518 §3.4).
 */

export const INVITE_SIGNING_ALGORITHM = 'ECDSA_SHA_256';
const JWS_ALG = 'ES256';
/** P-256 coordinates and signature halves are 32 bytes. */
const P256_BYTES = 32;

export class InviteTokenError extends Error {
  constructor(
    message: string,
    /** `expired` for an expired invite; `invalid` for anything else. */
    public readonly reason: 'expired' | 'invalid',
  ) {
    super(message);
    this.name = 'InviteTokenError';
  }
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * An ECDSA signature as KMS answers it (DER `SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279) in the
 * JWS form: `r || s`, each left-padded to 32 bytes.
 */
export function derToJoseSignature(der: Uint8Array): Buffer {
  const bytes = Buffer.from(der);
  let offset = 0;
  const fail = (why: string): never => {
    throw new Error(`not a DER ECDSA P-256 signature: ${why}`);
  };
  const readLength = (): number => {
    const first = bytes[offset++] ?? fail('truncated');
    if (first < 0x80) return first;
    if (first !== 0x81) fail('length form');
    const length = bytes[offset++] ?? fail('truncated');
    if (length < 0x80) fail('non-minimal length');
    return length;
  };
  const readInteger = (): Buffer => {
    if (bytes[offset++] !== 0x02) fail('expected INTEGER');
    const length = readLength();
    if (length < 1 || offset + length > bytes.length) fail('INTEGER length');
    let value = bytes.subarray(offset, offset + length);
    offset += length;
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    if (value.length > P256_BYTES) fail('INTEGER too large for P-256');
    return Buffer.concat([Buffer.alloc(P256_BYTES - value.length), value]);
  };
  if (bytes[offset++] !== 0x30) fail('expected SEQUENCE');
  const sequenceLength = readLength();
  if (offset + sequenceLength !== bytes.length) fail('SEQUENCE length');
  const r = readInteger();
  const s = readInteger();
  if (offset !== bytes.length) fail('trailing bytes');
  return Buffer.concat([r, s]);
}

/** Signs a JWS signing input with the invite key; answers the DER signature. */
export type InviteSigner = (signingInput: Buffer) => Promise<Uint8Array>;

/** A signer that asks KMS (`kms:Sign`, `ECDSA_SHA_256` over the raw message). */
export function kmsInviteSigner(kms: Pick<KMSClient, 'send'>, keyId: string): InviteSigner {
  return async (signingInput) => {
    const output = await kms.send(
      new SignCommand({
        KeyId: keyId,
        Message: signingInput,
        MessageType: 'RAW',
        SigningAlgorithm: INVITE_SIGNING_ALGORITHM,
      }),
    );
    if (!output.Signature) throw new Error('KMS answered no signature');
    return output.Signature;
  };
}

/** The invite key's public half as a JWK (`kms:GetPublicKey`), checked to be a P-256 signing key. */
export async function kmsInvitePublicJwk(
  kms: Pick<KMSClient, 'send'>,
  keyId: string,
): Promise<JwkWithKid> {
  const output = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (!output.PublicKey || output.KeyUsage !== 'SIGN_VERIFY') {
    throw new Error('the invite key is not a signing key');
  }
  if (output.KeySpec !== 'ECC_NIST_P256') {
    throw new Error(`the invite key must be ECC_NIST_P256, got ${String(output.KeySpec)}`);
  }
  return publicJwkOf(output.PublicKey, kidOf(output.KeyId ?? keyId));
}

/** A DER SubjectPublicKeyInfo as the JWK aws-jwt-verify checks ES256 signatures with. */
export function publicJwkOf(spki: Uint8Array, kid: string): JwkWithKid {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error('the invite key is not a P-256 key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: JWS_ALG, use: 'sig' };
}

/** `kid` of the invites: the key's id (its ARN's last part), so a new key can be told apart. */
export function kidOf(keyIdOrArn: string): string {
  return keyIdOrArn.split('/').pop() ?? keyIdOrArn;
}

/** Makes a signed invite. */
export async function signInvite(
  sign: InviteSigner,
  kid: string,
  claims: GuestInviteClaims,
): Promise<string> {
  const header = base64url(JSON.stringify({ alg: JWS_ALG, typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signingInput = `${header}.${payload}`;
  const signature = derToJoseSignature(await sign(Buffer.from(signingInput)));
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * Verifies an invite with the invite key's public JWK and returns its claims. Throws
 * {@link InviteTokenError}: `expired` past `exp`, `invalid` for anything else (malformed, another
 * key or algorithm, a changed byte, another issuer or audience, claims of the wrong form).
 */
export function verifyInvite(
  token: string,
  jwk: JwkWithKid,
  appInstanceArn: string,
): GuestInviteClaims {
  let payload: Record<string, unknown>;
  try {
    payload = verifyJwtSync(token, jwk, {
      issuer: GUEST_INVITE_ISSUER,
      audience: GUEST_INVITE_AUDIENCE,
      customJwtCheck: ({ header }) => {
        if (header.alg !== JWS_ALG || header.kid !== jwk.kid) {
          throw new Error('the invite was not signed by the invite key');
        }
      },
    });
  } catch (error) {
    if (error instanceof JwtExpiredError) {
      throw new InviteTokenError('the invite has expired', 'expired');
    }
    throw new InviteTokenError('the invite is not valid', 'invalid');
  }
  const { sub, channel, name, iat, exp, jti } = payload;
  const channelPrefix = `${appInstanceArn}/channel/`;
  if (
    !isGuestId(sub) ||
    typeof channel !== 'string' ||
    !channel.startsWith(channelPrefix) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string'
  ) {
    throw new InviteTokenError('the invite has claims of the wrong form', 'invalid');
  }
  let guestName: string;
  try {
    guestName = guestNameOf(name);
  } catch {
    throw new InviteTokenError('the invite has claims of the wrong form', 'invalid');
  }
  return {
    iss: GUEST_INVITE_ISSUER,
    aud: GUEST_INVITE_AUDIENCE,
    sub,
    channel,
    name: guestName,
    iat,
    exp,
    jti,
  };
}
