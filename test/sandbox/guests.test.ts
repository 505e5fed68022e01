/**
 * Guest access end to end on the local sandbox: the three guest routes through the HTTP API
 * emulation (JWT authorizer on the moderator routes, none on redeem, route throttles), the deployed
 * bundles run with their own roles (Chime reads as the caller, CreateAppInstanceUser with
 * expiration, KMS Sign / GetPublicKey, STS AssumeRole with a session tag and a session policy), and
 * the guest's credentials used against Chime messaging with the role policy AND the session policy
 * enforced on every call. Then revocation (membership removal, invite cancellation) and Chime
 * expiration by the sandbox clock.
 */
import {
  DescribeAppInstanceUserCommand,
  ChimeSDKIdentityClient,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  CreateChannelBanCommand,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  CreateChannelModeratorCommand,
  DeleteChannelCommand,
  DeleteChannelMembershipCommand,
  DescribeChannelCommand,
  GetMessagingSessionEndpointCommand,
  ListChannelMembershipsCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelMessagesCommand,
  ListChannelsCommand,
  RedactChannelMessageCommand,
  SendChannelMessageCommand,
  UpdateChannelCommand,
  UpdateChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import {
  cancelGuestInvite,
  createGuestInvite,
  DEFAULT_GUEST_LIFETIME_HOURS,
  GUEST_INVITE_AUDIENCE,
  GUEST_INVITE_ISSUER,
  guestIdOfArn,
  type GuestCredentialsResponse,
  redeemGuestInvite,
} from '../../contracts/guests';
import { API_PATHS, ApiError, apiRouteUrl } from '../../contracts/http-api';
import { GUEST_CREDENTIALS_RATE_SCOPE } from '../../lambdas/lib/guests/config';
import { kidOf, kmsInviteSigner, signInvite } from '../../lambdas/lib/guests/invite-token';
import { readRateLimitConfig } from '../../lambdas/lib/http-api/config';
import { resourcesOfType } from '../../sandbox/cloudformation/template';
import { type AwsCredentials, startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { pastRouteThrottle } from './support';

let sandbox: TestSandbox;
let apiUrl: string;
let appInstanceArn: string;
const idTokens: Record<string, string> = {};
const accessTokens: Record<string, string> = {};
const arns: Record<string, string> = {};
const clients: Record<string, ChimeSDKMessagingClient> = {};
let channelA: string;
let channelB: string;
let admin: { credentials: AwsCredentials };

function messaging(credentials: AwsCredentials | GuestCredentialsResponse['credentials']) {
  return new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: { ...credentials, expiration: new Date(credentials.expiration) },
  });
}

async function person(name: string): Promise<void> {
  const user = await sandbox.signUpUser(`${name}@example.com`);
  const session = await sandbox.signIn(user);
  idTokens[name] = session.idToken;
  accessTokens[name] = session.accessToken;
  arns[name] = appInstanceUserArn(appInstanceArn, user.sub);
  clients[name] = messaging((await sandbox.credentialsFor(session.idToken)).credentials);
}

/** The error an API call threw, for `toMatchObject`. */
async function apiError(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

/** The name of the AWS error a Chime call threw (undefined when it succeeded). */
async function awsError(
  call: Promise<unknown>,
): Promise<{ name: string; message: string } | undefined> {
  return call.then(
    () => undefined,
    (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message }),
  );
}

const IAM_DENIAL = /is not authorized to perform/;

/** Invites, waiting out the route throttle (5/s, burst 10). */
function invite(moderator: string, channelArn: string, extra: object = {}) {
  return pastRouteThrottle(() =>
    createGuestInvite(apiUrl, idTokens[moderator]!, { channelArn, ...extra }),
  );
}

async function inviteAndAdd(channelArn: string, extra: object = {}) {
  const created = await invite('alice', channelArn, extra);
  await clients.alice!.send(
    new CreateChannelMembershipCommand({
      ChannelArn: channelArn,
      MemberArn: created.guestArn,
      Type: 'DEFAULT',
      ChimeBearer: arns.alice,
    }),
  );
  return created;
}

function post(path: string, body: string | undefined, headers: Record<string, string> = {}) {
  return fetch(apiRouteUrl(apiUrl, path), { method: 'POST', headers, body });
}

beforeAll(async () => {
  // The default configuration: the shared cdk.out (guests are on by default).
  sandbox = await startTestSandbox();
  apiUrl = sandbox.config.apiUrl!;
  appInstanceArn = sandbox.config.appInstanceArn;
  admin = {
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  };
  for (const name of ['alice', 'bob', 'mallory']) await person(name);
  const create = async (name: string) =>
    (
      await clients.alice!.send(
        new CreateChannelCommand({
          AppInstanceArn: appInstanceArn,
          Name: name,
          Mode: 'RESTRICTED',
          Privacy: 'PRIVATE',
          ChimeBearer: arns.alice,
          ClientRequestToken: `create-${name}`,
          MemberArns: [arns.bob!],
        }),
      )
    ).ChannelArn!;
  channelA = await create('meeting-a');
  channelB = await create('meeting-b');
}, 240_000);

afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await sandbox?.stop();
});

describe('the client config and routes', () => {
  test('guests are on by default: config says so, and the routes are in the API', () => {
    expect(sandbox.config.guests).toBe(true);
    const keys = sandbox.httpApi!.spec.routes.map(
      (r) => `${r.routeKey} ${r.authorizer ? 'JWT' : 'NONE'}`,
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        `POST ${API_PATHS.guestInvites} JWT`,
        `DELETE ${API_PATHS.guestInvite} JWT`,
        `POST ${API_PATHS.guestCredentials} NONE`,
      ]),
    );
  });
});

describe('invite', () => {
  test('a moderator invites: a guest AppInstanceUser with Chime expiration and an invite', async () => {
    const before = Date.now();
    const created = await invite('alice', channelA, { name: 'Dana (visitor)', lifetimeHours: 5 });
    const guestId = guestIdOfArn(created.guestArn)!;
    expect(guestId).toMatch(/^guest-[0-9a-f-]{36}$/);
    const expiresAt = Date.parse(created.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 5 * 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 5 * 3600_000);

    const identity = new ChimeSDKIdentityClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: admin.credentials,
    });
    const user = (
      await identity.send(
        new DescribeAppInstanceUserCommand({ AppInstanceUserArn: created.guestArn }),
      )
    ).AppInstanceUser!;
    identity.destroy();
    expect(user.Name).toBe('Dana (visitor)');
    expect(user.ExpirationSettings).toEqual({
      ExpirationDays: 1,
      ExpirationCriterion: 'CREATED_TIMESTAMP',
    });
    expect(JSON.parse(user.Metadata!)).toEqual({
      kind: 'guest',
      channelArn: channelA,
      invitedBy: arns.alice,
      expiresAt: created.expiresAt,
    });
    // The invite: a JWT whose claims bind the guest and the channel.
    const [, payload] = created.invite.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      iss: GUEST_INVITE_ISSUER,
      aud: GUEST_INVITE_AUDIENCE,
      sub: guestId,
      channel: channelA,
      exp: expiresAt / 1000,
    });
  });

  test('a member who does not moderate, and an outsider, get 403 not_moderator', async () => {
    for (const who of ['bob', 'mallory']) {
      expect(await apiError(invite(who, channelA))).toMatchObject({
        status: 403,
        code: 'not_moderator',
      });
    }
  });

  test('no token, an access token, a bad body: 401 from API Gateway, 401 and 400 from the handler', async () => {
    const body = JSON.stringify({ channelArn: channelA });
    const json = { 'content-type': 'application/json' };
    expect((await post(API_PATHS.guestInvites, body, json)).status).toBe(401);
    const access = await post(API_PATHS.guestInvites, body, {
      ...json,
      authorization: `Bearer ${accessTokens.alice}`,
    });
    expect({ status: access.status, body: await access.json() }).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
    for (const [bad, message] of [
      [{ channelArn: channelA, lifetimeHours: 25 }, /lifetimeHours/],
      [{ channelArn: channelA, lifetimeHours: 0.5 }, /lifetimeHours/],
      [{ channelArn: `${appInstanceArn}x/channel/abc` }, /channelArn/],
      [{ channelArn: channelA, name: 'x'.repeat(65) }, /name/],
      [{ channelArn: channelA, name: 'evil\u202Ename' }, /name/],
      [{ channelArn: channelA, admin: true }, /unknown field/],
    ] as const) {
      expect(await apiError(invite('alice', channelA, bad))).toMatchObject({
        status: 400,
        code: 'invalid_request',
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('redeem and what a guest may do', () => {
  let guest: GuestCredentialsResponse;
  let guestClient: ChimeSDKMessagingClient;
  let inviteToken: string;
  let bobMessage: string;

  beforeAll(async () => {
    const created = await inviteAndAdd(channelA, { name: 'Dana' });
    inviteToken = created.invite;
    guest = await redeemGuestInvite(apiUrl, inviteToken);
    guestClient = messaging(guest.credentials);
    bobMessage = (
      await clients.bob!.send(
        new SendChannelMessageCommand({
          ChannelArn: channelA,
          Content: 'welcome',
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ChimeBearer: arns.bob,
          ClientRequestToken: 'bob-welcome',
        }),
      )
    ).MessageId!;
  });

  afterAll(() => guestClient?.destroy());

  test('the answer has the vending shape plus who, where and until when; credentials last 15 minutes', () => {
    expect(guest.appInstanceUserArn).toMatch(/\/user\/guest-/);
    expect(guest.guest).toMatchObject({ name: 'Dana', channelArn: channelA });
    const lifetime = Date.parse(guest.credentials.expiration) - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000);
    expect(Date.parse(guest.guest.accessEndsAt) - Date.now()).toBeGreaterThan(
      (DEFAULT_GUEST_LIFETIME_HOURS - 0.1) * 3600_000,
    );
  });

  test('the guest reads, sends, edits and redacts their own message, connects and lists their membership', async () => {
    const me = guest.appInstanceUserArn;
    const sent = await guestClient.send(
      new SendChannelMessageCommand({
        ChannelArn: channelA,
        Content: 'hello from a guest',
        Type: 'STANDARD',
        Persistence: 'PERSISTENT',
        ChimeBearer: me,
        ClientRequestToken: 'guest-hello',
      }),
    );
    const listed = await guestClient.send(
      new ListChannelMessagesCommand({ ChannelArn: channelA, ChimeBearer: me }),
    );
    expect(listed.ChannelMessages?.map((m) => m.Content)).toEqual(
      expect.arrayContaining(['welcome', 'hello from a guest']),
    );
    await guestClient.send(
      new UpdateChannelMessageCommand({
        ChannelArn: channelA,
        MessageId: sent.MessageId,
        Content: 'hello (edited)',
        ChimeBearer: me,
      }),
    );
    await guestClient.send(
      new RedactChannelMessageCommand({
        ChannelArn: channelA,
        MessageId: sent.MessageId,
        ChimeBearer: me,
      }),
    );
    await guestClient.send(new DescribeChannelCommand({ ChannelArn: channelA, ChimeBearer: me }));
    const members = await guestClient.send(
      new ListChannelMembershipsCommand({ ChannelArn: channelA, ChimeBearer: me }),
    );
    expect(members.ChannelMemberships?.map((m) => m.Member?.Arn)).toEqual(
      expect.arrayContaining([arns.bob, me]),
    );
    const mine = await guestClient.send(
      new ListChannelMembershipsForAppInstanceUserCommand({
        AppInstanceUserArn: me,
        ChimeBearer: me,
      }),
    );
    expect(mine.ChannelMemberships?.map((m) => m.ChannelSummary?.ChannelArn)).toEqual([channelA]);
    await guestClient.send(new GetMessagingSessionEndpointCommand({}));
    // Chime's own rule: only the sender edits.
    expect(
      await awsError(
        guestClient.send(
          new UpdateChannelMessageCommand({
            ChannelArn: channelA,
            MessageId: bobMessage,
            Content: 'hijacked',
            ChimeBearer: me,
          }),
        ),
      ),
    ).toMatchObject({ name: 'ForbiddenException' });
  });

  test('IAM refuses the guest everything else: another channel, another user, create, delete, ban, moderate, add or remove members', async () => {
    const me = guest.appInstanceUserArn;
    const refused: [string, Promise<unknown>][] = [
      [
        'send in another channel',
        guestClient.send(
          new SendChannelMessageCommand({
            ChannelArn: channelB,
            Content: 'x',
            Type: 'STANDARD',
            Persistence: 'PERSISTENT',
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'read another channel',
        guestClient.send(new ListChannelMessagesCommand({ ChannelArn: channelB, ChimeBearer: me })),
      ],
      [
        'act as bob',
        guestClient.send(
          new SendChannelMessageCommand({
            ChannelArn: channelA,
            Content: 'x',
            Type: 'STANDARD',
            Persistence: 'PERSISTENT',
            ChimeBearer: arns.bob,
          }),
        ),
      ],
      [
        'create a channel',
        guestClient.send(
          new CreateChannelCommand({
            AppInstanceArn: appInstanceArn,
            Name: 'mine',
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'delete the channel',
        guestClient.send(new DeleteChannelCommand({ ChannelArn: channelA, ChimeBearer: me })),
      ],
      [
        'rename the channel',
        guestClient.send(
          new UpdateChannelCommand({
            ChannelArn: channelA,
            Name: 'x',
            Mode: 'UNRESTRICTED',
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'ban bob',
        guestClient.send(
          new CreateChannelBanCommand({
            ChannelArn: channelA,
            MemberArn: arns.bob,
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'make itself a moderator',
        guestClient.send(
          new CreateChannelModeratorCommand({
            ChannelArn: channelA,
            ChannelModeratorArn: me,
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'add mallory',
        guestClient.send(
          new CreateChannelMembershipCommand({
            ChannelArn: channelA,
            MemberArn: arns.mallory,
            Type: 'DEFAULT',
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'remove bob',
        guestClient.send(
          new DeleteChannelMembershipCommand({
            ChannelArn: channelA,
            MemberArn: arns.bob,
            ChimeBearer: me,
          }),
        ),
      ],
      [
        'list the channels',
        guestClient.send(
          new ListChannelsCommand({ AppInstanceArn: appInstanceArn, ChimeBearer: me }),
        ),
      ],
      [
        'read who is a user',
        new ChimeSDKIdentityClient({
          region: sandbox.config.region,
          endpoint: sandbox.url,
          credentials: { ...guest.credentials, expiration: new Date(guest.credentials.expiration) },
        }).send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arns.bob })),
      ],
    ];
    for (const [what, call] of refused) {
      const error = await awsError(call);
      expect({ what, error }).toMatchObject({
        what,
        error: {
          name: expect.stringMatching(/ForbiddenException|AccessDenied/),
          message: expect.stringMatching(IAM_DENIAL),
        },
      });
    }
  });

  test('the same invite renews the credentials', async () => {
    const again = await redeemGuestInvite(apiUrl, inviteToken);
    expect(again.credentials.accessKeyId).not.toBe(guest.credentials.accessKeyId);
    expect(again.appInstanceUserArn).toBe(guest.appInstanceUserArn);
  });
});

describe('refused invites', () => {
  test('tampered (the channel swapped, a byte changed), garbage, and a missing body', async () => {
    const { invite: token } = await inviteAndAdd(channelA);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const swapped = `${header}.${Buffer.from(JSON.stringify({ ...claims, channel: channelB })).toString('base64url')}.${signature}`;
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    for (const bad of [swapped, flipped, 'not.a.jwt', `${header}.${payload}.`]) {
      expect(await apiError(redeemGuestInvite(apiUrl, bad))).toMatchObject({
        status: 401,
        code: 'invalid_invite',
      });
    }
    const empty = await post(API_PATHS.guestCredentials, undefined);
    expect({ status: empty.status, body: await empty.json() }).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });

  test('expired: signed by the invite key itself, with exp in the past -> 401 invite_expired', async () => {
    const keyLogicalId = resourcesOfType(sandbox.resources.stack.template, 'AWS::KMS::Key')[0]!;
    const keyArn = sandbox.resources.env.resources[keyLogicalId]!.attributes.Arn!;
    const kms = new KMSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: admin.credentials,
    });
    const { guestArn } = await inviteAndAdd(channelA);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signInvite(kmsInviteSigner(kms, keyArn), kidOf(keyArn), {
      iss: GUEST_INVITE_ISSUER,
      aud: GUEST_INVITE_AUDIENCE,
      sub: guestIdOfArn(guestArn)!,
      channel: channelA,
      name: 'Late',
      iat: now - 7200,
      exp: now - 60,
      jti: 'expired-test',
    });
    kms.destroy();
    expect(await apiError(redeemGuestInvite(apiUrl, expired))).toMatchObject({
      status: 401,
      code: 'invite_expired',
    });
  });

  test('other channel: the guest was added to channel B, the invite is for A -> 403 not_in_channel', async () => {
    const created = await invite('alice', channelA);
    await clients.alice!.send(
      new CreateChannelMembershipCommand({
        ChannelArn: channelB,
        MemberArn: created.guestArn,
        Type: 'DEFAULT',
        ChimeBearer: arns.alice,
      }),
    );
    expect(await apiError(redeemGuestInvite(apiUrl, created.invite))).toMatchObject({
      status: 403,
      code: 'not_in_channel',
    });
  });
});

describe('revoke', () => {
  test('removing the guest from the channel: Chime refuses at once, the renewal is refused', async () => {
    const created = await inviteAndAdd(channelA);
    const guest = await redeemGuestInvite(apiUrl, created.invite);
    const client = messaging(guest.credentials);
    const read = () =>
      client.send(
        new ListChannelMessagesCommand({
          ChannelArn: channelA,
          ChimeBearer: guest.appInstanceUserArn,
        }),
      );
    await read();
    await clients.alice!.send(
      new DeleteChannelMembershipCommand({
        ChannelArn: channelA,
        MemberArn: created.guestArn,
        ChimeBearer: arns.alice,
      }),
    );
    expect(await awsError(read())).toMatchObject({ name: 'ForbiddenException' });
    expect(await apiError(redeemGuestInvite(apiUrl, created.invite))).toMatchObject({
      status: 403,
      code: 'not_in_channel',
    });
    client.destroy();
  });

  test('cancelling the invite: only a moderator of its channel; then the renewal and the deleted bearer are refused', async () => {
    const created = await inviteAndAdd(channelA);
    const guestId = guestIdOfArn(created.guestArn)!;
    const guest = await redeemGuestInvite(apiUrl, created.invite);
    const client = messaging(guest.credentials);

    expect(await apiError(cancelGuestInvite(apiUrl, idTokens.bob!, guestId))).toMatchObject({
      status: 403,
      code: 'not_moderator',
    });
    await cancelGuestInvite(apiUrl, idTokens.alice!, guestId);
    expect(await apiError(redeemGuestInvite(apiUrl, created.invite))).toMatchObject({
      status: 403,
      code: 'invite_revoked',
    });
    // Credentials still within their 15 minutes: Chime no longer knows the bearer.
    expect(
      await awsError(
        client.send(
          new ListChannelMessagesCommand({
            ChannelArn: channelA,
            ChimeBearer: guest.appInstanceUserArn,
          }),
        ),
      ),
    ).toMatchObject({ name: 'UnauthorizedClientException' });
    expect(await apiError(cancelGuestInvite(apiUrl, idTokens.alice!, guestId))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const badPath = await fetch(apiRouteUrl(apiUrl, `${API_PATHS.guestInvites}/bob`), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${idTokens.alice}` },
    });
    expect(badPath.status).toBe(400);
    client.destroy();
  });
});

describe('the guest role: trust and session policy (role policy AND session policy)', () => {
  let redeemRole: AwsCredentials;
  let guestRoleArn: string;
  let principalTagKey: string;

  beforeAll(() => {
    const { resources } = sandbox;
    const fn = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find((id) =>
      id.includes('GuestCredentials'),
    )!;
    const props = resources.properties(fn);
    const env = (props.Environment as { Variables: Record<string, string> }).Variables;
    guestRoleArn = env.GUEST_ROLE_ARN!;
    principalTagKey = env.PRINCIPAL_TAG_KEY!;
    const session = sandbox.credentials.issue({
      roleArn: String(props.Role),
      roleSessionName: 'redeem-test',
      durationSeconds: 900,
      issuedBy: 'guests test',
    });
    redeemRole = { ...session, expiration: new Date(session.expiration) };
  });

  function assume(tags: Record<string, string>, policy?: object, credentials = redeemRole) {
    const sts = new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials,
    });
    return sts
      .send(
        new AssumeRoleCommand({
          RoleArn: guestRoleArn,
          RoleSessionName: 'guest-test',
          DurationSeconds: 900,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          ...(policy && { Policy: JSON.stringify(policy) }),
        }),
      )
      .finally(() => sts.destroy());
  }

  test('only guest ids may be tagged, the tag is required, no other tag, only the redeem role', async () => {
    const guestId = 'guest-00000000-0000-4000-8000-000000000000';
    await expect(assume({ [principalTagKey]: guestId })).resolves.toBeDefined();
    const sub = arns.bob!.split('/user/')[1]!;
    for (const tags of [
      { [principalTagKey]: sub },
      {},
      { [principalTagKey]: guestId, other: 'x' },
    ]) {
      expect(await awsError(assume(tags))).toMatchObject({ name: 'AccessDenied' });
    }
    expect(
      await awsError(assume({ [principalTagKey]: guestId }, undefined, admin.credentials)),
    ).toMatchObject({
      name: 'AccessDenied',
    });
  });

  test('STS refuses a session policy over 2048 characters or of the wrong shape', async () => {
    const guestId = 'guest-00000000-0000-4000-8000-000000000001';
    const big = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: 'x'.repeat(2100) }],
    };
    expect(await awsError(assume({ [principalTagKey]: guestId }, big))).toMatchObject({
      name: 'ValidationError',
    });
    const withPrincipal = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'chime:*', Resource: '*' }],
    };
    expect(await awsError(assume({ [principalTagKey]: guestId }, withPrincipal))).toMatchObject({
      name: expect.stringMatching(/^MalformedPolicyDocument/),
    });
  });

  test('a session policy wider than the role grants nothing the role does not: both must allow', async () => {
    // A real guest, a member of A, with a session policy that allows every Chime action anywhere.
    const created = await inviteAndAdd(channelA);
    const guestId = guestIdOfArn(created.guestArn)!;
    const wide = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }],
    };
    const out = await assume({ [principalTagKey]: guestId }, wide);
    const c = out.Credentials!;
    const client = messaging({
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
      expiration: c.Expiration!.toISOString(),
    });
    // Both allow: reading channel A. The role refuses: creating a channel, banning.
    await client.send(
      new ListChannelMessagesCommand({ ChannelArn: channelA, ChimeBearer: created.guestArn }),
    );
    for (const call of [
      client.send(
        new CreateChannelCommand({
          AppInstanceArn: appInstanceArn,
          Name: 'x',
          ChimeBearer: created.guestArn,
        }),
      ),
      client.send(
        new CreateChannelBanCommand({
          ChannelArn: channelA,
          MemberArn: arns.bob,
          ChimeBearer: created.guestArn,
        }),
      ),
    ]) {
      expect(await awsError(call)).toMatchObject({
        name: 'ForbiddenException',
        message: expect.stringMatching(IAM_DENIAL),
      });
    }
    // And the other direction: a session policy narrower than the role (channel B only) refuses A.
    const narrow = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'chime:ListChannelMessages',
          Resource: [created.guestArn, channelB],
        },
      ],
    };
    const narrowOut = (await assume({ [principalTagKey]: guestId }, narrow)).Credentials!;
    const narrowClient = messaging({
      accessKeyId: narrowOut.AccessKeyId!,
      secretAccessKey: narrowOut.SecretAccessKey!,
      sessionToken: narrowOut.SessionToken!,
      expiration: narrowOut.Expiration!.toISOString(),
    });
    expect(
      await awsError(
        narrowClient.send(
          new ListChannelMessagesCommand({ ChannelArn: channelA, ChimeBearer: created.guestArn }),
        ),
      ),
    ).toMatchObject({ name: 'ForbiddenException', message: expect.stringMatching(IAM_DENIAL) });
    client.destroy();
    narrowClient.destroy();
  });
});

describe('throttling', () => {
  test('redeem: the per-guest limit answers 429 too_many_requests with Retry-After', async () => {
    const created = await inviteAndAdd(channelA);
    // The limit the template gives the redeem function. Its window is fixed (a counter per minute),
    // so a run that straddles a window's end may pass up to twice the limit: one more is refused.
    const fn = resourcesOfType(sandbox.resources.stack.template, 'AWS::Lambda::Function').find(
      (id) => id.includes('GuestCredentials'),
    )!;
    const env = (sandbox.resources.properties(fn).Environment as { Variables: NodeJS.ProcessEnv })
      .Variables;
    const { limit } = readRateLimitConfig(GUEST_CREDENTIALS_RATE_SCOPE, env).limit;
    let refusal: ApiError | undefined;
    for (let i = 0; i < 2 * limit + 1 && !refusal; i++) {
      const answer = await redeemGuestInvite(apiUrl, created.invite).catch((e: unknown) => e);
      if (answer instanceof ApiError) refusal = answer;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(refusal).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(refusal!.retryAfterSeconds).toBeGreaterThan(0);
  });

  test('both routes: a burst past the route throttle gets API Gateway 429 Too Many Requests', async () => {
    const body = JSON.stringify({ invite: 'x.y.z' });
    const json = { 'content-type': 'application/json' };
    const redeems = await Promise.all(
      Array.from({ length: 40 }, () => post(API_PATHS.guestCredentials, body, json)),
    );
    const invites = await Promise.all(
      Array.from({ length: 25 }, () =>
        post(API_PATHS.guestInvites, '{}', {
          ...json,
          authorization: `Bearer ${idTokens.mallory}`,
        }),
      ),
    );
    for (const responses of [redeems, invites]) {
      const throttled = responses.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(await throttled[0]!.json()).toEqual({ message: 'Too Many Requests' });
    }
  });
});

describe('Chime expiration, fast-forwarded by the sandbox clock', () => {
  test('a day later the guest AppInstanceUser is gone: renewal refused, live credentials refused by their session policy', async () => {
    // The burst above emptied the routes' buckets: wait out only their refill.
    const created = await inviteAndAdd(channelA, { lifetimeHours: 1 });
    const guest = await pastRouteThrottle(() => redeemGuestInvite(apiUrl, created.invite));
    const client = messaging(guest.credentials);
    const read = () =>
      client.send(
        new ListChannelMessagesCommand({
          ChannelArn: channelA,
          ChimeBearer: guest.appInstanceUserArn,
        }),
      );
    await read();

    // Past the invite's end (1 h): the session policy's aws:CurrentTime condition ends access.
    sandbox.clock.advance(61 * 60_000);
    expect(await awsError(read())).toMatchObject({
      name: 'ForbiddenException',
      message: expect.stringMatching(IAM_DENIAL),
    });

    // Past the Chime expiration (1 day after creation): the AppInstanceUser is deleted.
    sandbox.clock.advance(24 * 3600_000);
    const identity = new ChimeSDKIdentityClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: admin.credentials,
    });
    expect(
      await awsError(
        identity.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: created.guestArn })),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
    identity.destroy();
    // The invite's own exp is real time (the function's clock), so this is the Chime check refusing.
    expect(
      await apiError(pastRouteThrottle(() => redeemGuestInvite(apiUrl, created.invite))),
    ).toMatchObject({ status: 403, code: 'invite_revoked' });
    client.destroy();
  });
});
