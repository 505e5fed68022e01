import { generateKeyPairSync, sign } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { GUEST_INVITE_AUDIENCE, GUEST_INVITE_ISSUER } from '../../../contracts/guests';
import { publicJwkOf, type InviteSigner } from '../../../lambdas/lib/guests/invite-token';

export const APP_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
export const CHANNEL = `${APP_INSTANCE}/channel/meeting-1`;
export const OTHER_CHANNEL = `${APP_INSTANCE}/channel/meeting-2`;
export const ALICE = 'b7a1c0de-2222-4c3d-8e9f-abcdefabcdef';
export const ALICE_ARN = `${APP_INSTANCE}/user/${ALICE}`;
export const GUEST_UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const GUEST_ID = `guest-${GUEST_UUID}`;
export const GUEST_ARN = `${APP_INSTANCE}/user/${GUEST_ID}`;
export const KID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** A local P-256 key standing in for the KMS key: the signer answers DER, as KMS does. */
export function localInviteKey(kid = KID): { sign: InviteSigner; jwk: JwkWithKid } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    sign: (input) =>
      Promise.resolve(sign('sha256', input, { key: privateKey, dsaEncoding: 'der' })),
    jwk: publicJwkOf(publicKey.export({ format: 'der', type: 'spki' }), kid),
  };
}

/** A Chime SDK error as the SDK raises it (name and status). */
export function sdkError(name: string, status = 400): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** An invite's claims as create-invite signs them, valid for an hour from `now` (seconds). */
export function inviteClaims(now: number) {
  return {
    iss: GUEST_INVITE_ISSUER,
    aud: GUEST_INVITE_AUDIENCE,
    sub: GUEST_ID,
    channel: CHANNEL,
    name: 'Dana',
    iat: now,
    exp: now + 3600,
    jti: 'j1',
  } as const;
}

/** DescribeAppInstanceUser's answer for the guest, recorded as invited to `channelArn`. */
export function guestUserRecord(channelArn = CHANNEL) {
  return {
    AppInstanceUser: {
      AppInstanceUserArn: GUEST_ARN,
      Metadata: JSON.stringify({ kind: 'guest', channelArn, invitedBy: 'x', expiresAt: 'y' }),
    },
  };
}
