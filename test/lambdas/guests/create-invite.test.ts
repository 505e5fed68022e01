/**
 * `POST /guest-invites` core: the token kind, the body, the per-caller limit before any Chime
 * call, the moderator check as the caller (a read), the guest AppInstanceUser with expiration,
 * the signed invite; failures answer without detail and never log the invite.
 */
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  DescribeChannelModeratorCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseGuestInviteResponse } from '../../../contracts/guests';
import { createInvite, type CreateInviteDeps } from '../../../lambdas/lib/guests/create-invite';
import { verifyInvite } from '../../../lambdas/lib/guests/invite-token';
import type { RateDecision } from '../../../lambdas/lib/http-api/rate-limit';
import { recordingLogger } from '../support/http-api-events';
import {
  ALICE,
  ALICE_ARN,
  APP_INSTANCE,
  CHANNEL,
  GUEST_ARN,
  GUEST_ID,
  GUEST_UUID,
  KID,
  localInviteKey,
  sdkError,
} from './support';

const identity = mockClient(ChimeSDKIdentityClient);
const messaging = mockClient(ChimeSDKMessagingClient);
const key = localInviteKey();
const NOW = Date.parse('2030-01-01T00:00:00Z');
let decision: RateDecision | Error;
let counted: string[];
let log: ReturnType<typeof recordingLogger>;
let sign: CreateInviteDeps['sign'];

function deps(): CreateInviteDeps {
  return {
    chimeIdentity: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
    messaging: new ChimeSDKMessagingClient({ region: 'us-east-1' }),
    sign,
    kid: KID,
    appInstanceArn: APP_INSTANCE,
    consumeInvite: (caller) => {
      counted.push(caller);
      return decision instanceof Error ? Promise.reject(decision) : Promise.resolve(decision);
    },
    logger: log.logger,
    randomUuid: () => GUEST_UUID,
    now: () => NOW,
  };
}

const idClaims = { sub: ALICE, token_use: 'id' };
const invite = (body: unknown, claims: Record<string, string> = idClaims) =>
  createInvite(deps(), {
    claims,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  });

beforeEach(() => {
  identity.reset();
  messaging.reset();
  counted = [];
  decision = { allowed: true, remaining: 19 };
  log = recordingLogger();
  sign = key.sign;
  messaging.on(DescribeChannelModeratorCommand).resolves({});
  identity.on(CreateAppInstanceUserCommand).resolves({ AppInstanceUserArn: GUEST_ARN });
});

test('a moderator gets a guest with Chime expiration and a signed invite bound to guest and channel', async () => {
  const response = await invite({ channelArn: CHANNEL, name: ' Dana ', lifetimeHours: 25 - 1 });
  expect(response.statusCode).toBe(201);
  const body = parseGuestInviteResponse(JSON.parse(response.body));
  expect(body.guestArn).toBe(GUEST_ARN);
  expect(body.expiresAt).toBe('2030-01-02T00:00:00.000Z');
  expect(messaging).toHaveReceivedCommandWith(DescribeChannelModeratorCommand, {
    ChannelArn: CHANNEL,
    ChannelModeratorArn: ALICE_ARN,
    ChimeBearer: ALICE_ARN,
  });
  expect(identity).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, {
    AppInstanceArn: APP_INSTANCE,
    AppInstanceUserId: GUEST_ID,
    Name: 'Dana',
    ClientRequestToken: GUEST_UUID,
    ExpirationSettings: { ExpirationCriterion: 'CREATED_TIMESTAMP', ExpirationDays: 1 },
  });
  const metadata = identity.commandCalls(CreateAppInstanceUserCommand)[0]!.args[0].input.Metadata!;
  expect(JSON.parse(metadata)).toEqual({
    kind: 'guest',
    channelArn: CHANNEL,
    invitedBy: ALICE_ARN,
    expiresAt: body.expiresAt,
  });
  // Verified with a clock inside the invite's life.
  jest.useFakeTimers({ now: NOW + 1000, doNotFake: ['nextTick', 'setImmediate'] });
  try {
    expect(verifyInvite(body.invite, key.jwk, APP_INSTANCE)).toMatchObject({
      sub: GUEST_ID,
      channel: CHANNEL,
      name: 'Dana',
      exp: NOW / 1000 + 24 * 3600,
    });
  } finally {
    jest.useRealTimers();
  }
  expect(counted).toEqual([ALICE]);
  expect(JSON.stringify(log.lines)).not.toContain(body.invite);
});

test.each([
  [1, 1],
  [4, 1],
  [24, 1],
])('lifetime %i h -> ExpirationDays %i (whole days, rounded up)', async (hours, days) => {
  await invite({ channelArn: CHANNEL, lifetimeHours: hours });
  expect(identity).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, {
    ExpirationSettings: { ExpirationCriterion: 'CREATED_TIMESTAMP', ExpirationDays: days },
  });
});

test('no name: "Guest"', async () => {
  await invite({ channelArn: CHANNEL });
  expect(identity).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, { Name: 'Guest' });
});

test.each(['NotFoundException', 'ForbiddenException', 'UnauthorizedClientException'])(
  'Chime says %s to the moderator check: 403 not_moderator, nothing created',
  async (name) => {
    messaging.on(DescribeChannelModeratorCommand).rejects(sdkError(name, 403));
    const response = await invite({ channelArn: CHANNEL });
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'not_moderator' });
    expect(identity).not.toHaveReceivedCommand(CreateAppInstanceUserCommand);
  },
);

test('the per-caller limit answers 429 before any Chime call; a table failure 503', async () => {
  decision = { allowed: false, retryAfterSeconds: 1234 };
  const limited = await invite({ channelArn: CHANNEL });
  expect(limited.statusCode).toBe(429);
  expect(limited.headers['retry-after']).toBe('1234');
  decision = new Error('table down');
  expect((await invite({ channelArn: CHANNEL })).statusCode).toBe(503);
  expect(messaging).not.toHaveReceivedCommand(DescribeChannelModeratorCommand);
});

test('an access token: 401; a guest or malformed subject: 403; a bad body: 400 and not counted', async () => {
  expect(
    (await invite({ channelArn: CHANNEL }, { sub: ALICE, token_use: 'access' })).statusCode,
  ).toBe(401);
  expect(
    (await invite({ channelArn: CHANNEL }, { sub: GUEST_ID, token_use: 'id' })).statusCode,
  ).toBe(403);
  for (const body of [
    'not json',
    '[]',
    { channelArn: 'arn:aws:chime:x' },
    { channelArn: CHANNEL, lifetimeHours: '4' },
  ]) {
    const response = await invite(body);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  }
  const huge = await invite({ channelArn: CHANNEL, name: 'x'.repeat(10_000) });
  expect(JSON.parse(huge.body)).toMatchObject({ error: 'invalid_request', message: /larger than/ });
  expect(counted).toEqual([]);
});

test('Chime failing (throttled, down): 503 without detail', async () => {
  messaging.on(DescribeChannelModeratorCommand).rejects(sdkError('ThrottledClientException', 429));
  expect((await invite({ channelArn: CHANNEL })).statusCode).toBe(503);
  messaging.on(DescribeChannelModeratorCommand).resolves({});
  identity.on(CreateAppInstanceUserCommand).rejects(sdkError('ResourceLimitExceededException'));
  const response = await invite({ channelArn: CHANNEL });
  expect(response.statusCode).toBe(503);
  expect(response.body).not.toContain('ResourceLimit');
});

test('signing fails: the unused guest is deleted and the answer is 503', async () => {
  sign = () => Promise.reject(sdkError('KMSInternalException', 500));
  identity.on(DeleteAppInstanceUserCommand).resolves({});
  const response = await invite({ channelArn: CHANNEL });
  expect(response.statusCode).toBe(503);
  expect(identity).toHaveReceivedCommandWith(DeleteAppInstanceUserCommand, {
    AppInstanceUserArn: GUEST_ARN,
  });
});
