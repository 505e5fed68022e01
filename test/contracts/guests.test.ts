/**
 * The guest contract: guest ids and Cognito subs can never be the same string; lifetimes and
 * Chime expiration days; request and response validation; the typed clients; the session policy
 * stays under STS's 2,048 characters for the longest ids Chime allows.
 */
import fc from 'fast-check';
import { ApiError, ApiResponseError } from '../../contracts/http-api';
import {
  cancelGuestInvite,
  createGuestInvite,
  DEFAULT_GUEST_NAME,
  GUEST_ID_PATTERN,
  guestExpirationDays,
  guestIdFromUuid,
  guestIdOfArn,
  guestNameOf,
  guestSessionPolicyDocument,
  isGuestId,
  isGuestUserArn,
  MAX_SESSION_POLICY_LENGTH,
  parseGuestCredentialsRequest,
  parseGuestCredentialsResponse,
  parseGuestInviteRequest,
  parseGuestInviteResponse,
  redeemGuestInvite,
} from '../../contracts/guests';

const INSTANCE = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123';
const CHANNEL = `${INSTANCE}/channel/room-1`;
/** A Cognito user pool `sub`: a lowercase UUID. */
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ids', () => {
  test('guest ids and Cognito subs are disjoint: no sub is a guest id, no guest id a sub', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), fc.uuid(), (v4, any) => {
        const guest = guestIdFromUuid(v4);
        expect(isGuestId(guest)).toBe(true);
        expect(SUB.test(guest)).toBe(false);
        expect(isGuestId(any.toLowerCase())).toBe(false);
        expect(guest.startsWith('guest-')).toBe(true);
      }),
    );
  });

  test('a guest id is a valid AppInstanceUserId and STS tag value, and only the exact form passes', () => {
    const id = guestIdFromUuid('0F8FAD5B-D9CB-469F-A165-70867728950E');
    expect(id).toBe('guest-0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(id).toMatch(/^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/);
    for (const bad of [
      'guest-',
      'guest-*',
      `${id}x`,
      `x${id}`,
      'Guest-0f8fad5b-d9cb-469f-a165-70867728950e',
    ]) {
      expect(GUEST_ID_PATTERN.test(bad)).toBe(false);
    }
    expect(() => guestIdFromUuid('not-a-uuid')).toThrow(/UUID v4/);
    expect(isGuestUserArn(`${INSTANCE}/user/${id}`)).toBe(true);
    expect(isGuestUserArn(`${INSTANCE}/user/0f8fad5b-d9cb-469f-a165-70867728950e`)).toBe(false);
    expect(guestIdOfArn(`${INSTANCE}/user/${id}`)).toBe(id);
  });
});

test('Chime expiration: the lifetime rounded up to whole days', () => {
  expect([1, 4, 23, 24].map(guestExpirationDays)).toEqual([1, 1, 1, 1]);
  expect(guestExpirationDays(25)).toBe(2);
});

describe('request validation', () => {
  test('invite: defaults, trimming, limits, unknown fields, another AppInstance', () => {
    expect(parseGuestInviteRequest({ channelArn: CHANNEL }, INSTANCE)).toEqual({
      channelArn: CHANNEL,
      name: DEFAULT_GUEST_NAME,
      lifetimeHours: 4,
    });
    expect(
      parseGuestInviteRequest(
        { channelArn: CHANNEL, name: '  Dana  ', lifetimeHours: 24 },
        INSTANCE,
      ),
    ).toMatchObject({
      name: 'Dana',
      lifetimeHours: 24,
    });
    for (const bad of [
      null,
      [],
      { channelArn: `${INSTANCE}x/channel/a` },
      { channelArn: `${INSTANCE}/channel/` },
      { channelArn: `${INSTANCE}/channel/a/b` },
      { channelArn: CHANNEL, lifetimeHours: 0 },
      { channelArn: CHANNEL, lifetimeHours: 25 },
      { channelArn: CHANNEL, lifetimeHours: 2.5 },
      { channelArn: CHANNEL, name: 7 },
      { channelArn: CHANNEL, extra: 1 },
    ]) {
      expect(() => parseGuestInviteRequest(bad, INSTANCE)).toThrow();
    }
  });

  test('names: control, format and bidi characters refused, length counted in characters', () => {
    expect(guestNameOf('')).toBe(DEFAULT_GUEST_NAME);
    expect(guestNameOf('😀'.repeat(64))).toHaveLength(128);
    for (const bad of ['a\u0000b', 'a\u202Eb', 'a\u200Bb', 'x'.repeat(65), 'line\nbreak']) {
      expect(() => guestNameOf(bad)).toThrow(/name/);
    }
  });

  test('redeem: the invite, as a string, not too long', () => {
    expect(parseGuestCredentialsRequest({ invite: 'a.b.c' })).toBe('a.b.c');
    for (const bad of [{}, { invite: 1 }, { invite: '' }, { invite: 'x'.repeat(4097) }, 'a.b.c']) {
      expect(() => parseGuestCredentialsRequest(bad)).toThrow();
    }
  });
});

describe('response validation and clients', () => {
  const guestArn = `${INSTANCE}/user/guest-0f8fad5b-d9cb-469f-a165-70867728950e`;
  const credentials = {
    accessKeyId: 'ASIA',
    secretAccessKey: 's',
    sessionToken: 't',
    expiration: '2030-01-01T00:15:00.000Z',
  };
  const redeemed = {
    credentials,
    appInstanceUserArn: guestArn,
    guest: { name: 'Dana', channelArn: CHANNEL, accessEndsAt: '2030-01-01T04:00:00.000Z' },
  };

  test('parsers accept the documented shapes and refuse others', () => {
    expect(
      parseGuestInviteResponse({ guestArn, invite: 'a.b.c', expiresAt: '2030-01-01T00:00:00Z' }),
    ).toBeTruthy();
    expect(() =>
      parseGuestInviteResponse({
        guestArn: `${INSTANCE}/user/bob`,
        invite: 'a.b.c',
        expiresAt: 'x',
      }),
    ).toThrow(ApiResponseError);
    expect(parseGuestCredentialsResponse(redeemed)).toEqual(redeemed);
    expect(() => parseGuestCredentialsResponse({ ...redeemed, guest: undefined })).toThrow(/guest/);
    expect(() =>
      parseGuestCredentialsResponse({ ...redeemed, appInstanceUserArn: `${INSTANCE}/user/bob` }),
    ).toThrow(/guest's AppInstanceUser/);
  });

  test('clients: the method, path, headers and body; errors become ApiError with the code', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const answer = (status: number, body: unknown) => (url: string, init?: RequestInit) => {
      calls.push({ url, ...(init && { init }) });
      return Promise.resolve(
        new Response(status === 204 ? null : JSON.stringify(body), { status }),
      );
    };
    await createGuestInvite(
      'http://127.0.0.1:1/api/',
      'id-token',
      { channelArn: CHANNEL, lifetimeHours: 2 },
      answer(201, { guestArn, invite: 'a.b.c', expiresAt: '2030-01-01T00:00:00Z' }),
    );
    await cancelGuestInvite(
      'http://127.0.0.1:1/api',
      'id-token',
      'guest-0f8fad5b-d9cb-469f-a165-70867728950e',
      answer(204, null),
    );
    await redeemGuestInvite('http://127.0.0.1:1/api', 'a.b.c', answer(200, redeemed));
    expect(calls.map((c) => [c.init?.method, c.url])).toEqual([
      ['POST', 'http://127.0.0.1:1/api/guest-invites'],
      ['DELETE', 'http://127.0.0.1:1/api/guest-invites/guest-0f8fad5b-d9cb-469f-a165-70867728950e'],
      ['POST', 'http://127.0.0.1:1/api/guest-credentials'],
    ]);
    expect(calls[0]!.init!.headers).toMatchObject({ Authorization: 'Bearer id-token' });
    expect(calls[2]!.init!.headers).not.toHaveProperty('Authorization');
    expect(JSON.parse(calls[2]!.init!.body as string)).toEqual({ invite: 'a.b.c' });
    const refused = redeemGuestInvite(
      'http://127.0.0.1:1/api',
      'a.b.c',
      answer(403, { error: 'invite_revoked', message: 'the invite was cancelled' }),
    );
    await expect(refused).rejects.toMatchObject({ status: 403, code: 'invite_revoked' });
    await expect(cancelGuestInvite('http://x/api', 't', 'bob')).rejects.toBeInstanceOf(ApiError);
  });
});

test('the session policy of the longest ids Chime allows stays under 2,048 characters', () => {
  const longInstance = `arn:aws-us-gov:chime:us-gov-west-1:111122223333:app-instance/${'a'.repeat(36)}`;
  const document = guestSessionPolicyDocument({
    guestArn: `${longInstance}/user/guest-0f8fad5b-d9cb-469f-a165-70867728950e`,
    channelArn: `${longInstance}/channel/${'c'.repeat(64)}`,
    accessEndsAt: new Date('2030-01-01T00:00:00Z'),
  });
  expect(JSON.stringify(document).length).toBeLessThan(MAX_SESSION_POLICY_LENGTH);
});
