/**
 * `POST /guest-credentials` core: the invite checked first, then the per-guest limit, then whether
 * the guest still exists (cancelled?) and is a member of the invite's channel (removed?), then
 * AssumeRole with the guest tag and the session policy. Each refusal makes no STS call; nothing
 * secret is logged.
 */
import {
  ChimeSDKIdentityClient,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  DescribeChannelMembershipCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  GUEST_CREDENTIAL_SECONDS,
  guestSessionPolicyDocument,
  parseGuestCredentialsResponse,
} from '../../../contracts/guests';
import { signInvite } from '../../../lambdas/lib/guests/invite-token';
import { redeemInvite, type RedeemInviteDeps } from '../../../lambdas/lib/guests/redeem-invite';
import type { RateDecision } from '../../../lambdas/lib/http-api/rate-limit';
import { recordingLogger } from '../support/http-api-events';
import {
  APP_INSTANCE,
  CHANNEL,
  GUEST_ARN,
  GUEST_ID,
  KID,
  guestUserRecord,
  inviteClaims,
  localInviteKey,
  sdkError,
} from './support';

const identity = mockClient(ChimeSDKIdentityClient);
const messaging = mockClient(ChimeSDKMessagingClient);
const sts = mockClient(STSClient);
const key = localInviteKey();
const GUEST_ROLE = 'arn:aws:iam::123456789012:role/Guest';
const now = Math.floor(Date.now() / 1000);
let decision: RateDecision;
let counted: string[];
let log: ReturnType<typeof recordingLogger>;
let token: string;

function deps(): RedeemInviteDeps {
  return {
    chimeIdentity: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
    messaging: new ChimeSDKMessagingClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    inviteKey: () => Promise.resolve(key.jwk),
    settings: {
      appInstanceArn: APP_INSTANCE,
      guestRoleArn: GUEST_ROLE,
      principalTagKey: 'chime_user_id',
    },
    consumeRedeem: (guestId) => {
      counted.push(guestId);
      return Promise.resolve(decision);
    },
    logger: log.logger,
  };
}

const redeem = (body: unknown = { invite: token }, overrides: Partial<RedeemInviteDeps> = {}) =>
  redeemInvite(
    { ...deps(), ...overrides },
    { body: typeof body === 'string' ? body : JSON.stringify(body), isBase64Encoded: false },
  );

const claims = inviteClaims(now);

beforeEach(async () => {
  identity.reset();
  messaging.reset();
  sts.reset();
  counted = [];
  decision = { allowed: true, remaining: 5 };
  log = recordingLogger();
  token = await signInvite(key.sign, KID, claims);
  identity.on(DescribeAppInstanceUserCommand).resolves(guestUserRecord());
  messaging.on(DescribeChannelMembershipCommand).resolves({});
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAGUEST',
      SecretAccessKey: 'secret-value',
      SessionToken: 'session-token-value',
      Expiration: new Date((now + 900) * 1000),
    },
  });
});

test('a good invite: 15-minute credentials tagged with the guest, narrowed to the channel until the invite ends', async () => {
  const response = await redeem();
  expect(response.statusCode).toBe(200);
  const body = parseGuestCredentialsResponse(JSON.parse(response.body));
  expect(body.appInstanceUserArn).toBe(GUEST_ARN);
  expect(body.guest).toEqual({
    name: 'Dana',
    channelArn: CHANNEL,
    accessEndsAt: new Date(claims.exp * 1000).toISOString(),
  });
  expect(messaging).toHaveReceivedCommandWith(DescribeChannelMembershipCommand, {
    ChannelArn: CHANNEL,
    MemberArn: GUEST_ARN,
    ChimeBearer: GUEST_ARN,
  });
  const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
  expect(input).toMatchObject({
    RoleArn: GUEST_ROLE,
    RoleSessionName: GUEST_ID,
    DurationSeconds: GUEST_CREDENTIAL_SECONDS,
    Tags: [{ Key: 'chime_user_id', Value: GUEST_ID }],
  });
  expect(JSON.parse(input.Policy!)).toEqual(
    guestSessionPolicyDocument({
      guestArn: GUEST_ARN,
      channelArn: CHANNEL,
      accessEndsAt: new Date(claims.exp * 1000),
    }),
  );
  expect(counted).toEqual([GUEST_ID]);
  const logged = JSON.stringify(log.lines);
  for (const secret of [token, 'secret-value', 'session-token-value'])
    expect(logged).not.toContain(secret);
});

test('cancelled (the guest is gone): 403 invite_revoked, no credentials', async () => {
  identity.on(DescribeAppInstanceUserCommand).rejects(sdkError('NotFoundException', 404));
  const response = await redeem();
  expect({ status: response.statusCode, body: JSON.parse(response.body) }).toMatchObject({
    status: 403,
    body: { error: 'invite_revoked' },
  });
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
});

test('not a member of the invite channel (removed, banned, added elsewhere): 403 not_in_channel', async () => {
  messaging.on(DescribeChannelMembershipCommand).rejects(sdkError('ForbiddenException', 403));
  const response = await redeem();
  expect(JSON.parse(response.body)).toMatchObject({ error: 'not_in_channel' });
  expect(response.statusCode).toBe(403);
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
});

test('a guest whose recorded channel is not the invite channel: 401 invalid_invite', async () => {
  identity.on(DescribeAppInstanceUserCommand).resolves(guestUserRecord(`${CHANNEL}x`));
  expect(JSON.parse((await redeem()).body)).toMatchObject({ error: 'invalid_invite' });
});

test('expired: 401 invite_expired; forged: 401 invalid_invite; neither counted nor looked up', async () => {
  const expired = await signInvite(key.sign, KID, { ...claims, iat: now - 7200, exp: now - 1 });
  const forged = await signInvite(localInviteKey().sign, KID, claims);
  expect(JSON.parse((await redeem({ invite: expired })).body)).toMatchObject({
    error: 'invite_expired',
  });
  const response = await redeem({ invite: forged });
  expect(response.statusCode).toBe(401);
  expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_invite' });
  expect(counted).toEqual([]);
  expect(identity).not.toHaveReceivedCommand(DescribeAppInstanceUserCommand);
});

test('bad bodies: 400 invalid_request', async () => {
  for (const body of ['', 'nope', {}, { invite: 42 }, { invite: 'x'.repeat(5000) }]) {
    const response = await redeem(body);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  }
});

test('past the per-guest limit: 429 with Retry-After, no Chime or STS call', async () => {
  decision = { allowed: false, retryAfterSeconds: 30 };
  const response = await redeem();
  expect(response.statusCode).toBe(429);
  expect(response.headers['retry-after']).toBe('30');
  expect(identity).not.toHaveReceivedCommand(DescribeAppInstanceUserCommand);
});

test('the key unavailable: 503; STS refusing: 502 without detail', async () => {
  const noKey = await redeem(undefined, {
    inviteKey: () => Promise.reject(sdkError('KMSInternalException', 500)),
  });
  expect(noKey.statusCode).toBe(503);
  sts.on(AssumeRoleCommand).rejects(sdkError('AccessDenied', 403));
  const refused = await redeem();
  expect(refused.statusCode).toBe(502);
  expect(refused.body).not.toContain('AccessDenied');
});
