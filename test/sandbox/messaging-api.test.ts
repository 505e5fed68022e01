/**
 * The messaging sandbox through the clients an app uses: AWS SDK v3 ChimeSDKMessagingClient for
 * the REST API, amazon-chime-sdk-js DefaultMessagingSession for the WebSocket.
 */
import {
  ChimeSDKMessagingServiceException,
  CreateChannelBanCommand,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  DeleteChannelCommand,
  DeleteChannelMembershipCommand,
  DescribeChannelCommand,
  GetMessagingSessionEndpointCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelMessagesCommand,
  RedactChannelMessageCommand,
  SearchChannelsCommand,
  SendChannelMessageCommand,
  UpdateChannelMessageCommand,
  paginateListChannelMessages,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { Session } from '../../sandbox/core/credentials';
import { WebSocket } from 'ws';
import {
  APP_INSTANCE_ARN,
  chimeSigner,
  type MessagingSandbox,
  openSession,
  startMessagingSandbox,
  userArn,
} from '../../testing/sandbox/messaging/harness';

/** The JSON payload of a messaging session message: the fields these tests read. */
interface SessionPayload {
  readonly MessageId?: string;
  readonly ChannelArn?: string;
  readonly Content?: string;
  readonly Channel?: { readonly ChannelArn?: string };
  readonly ChannelMessages?: readonly { readonly Content: string }[];
  readonly ChannelMemberships?: unknown;
  readonly ChannelMessagesHasMore?: boolean;
}
const payloadOf = (message: { payload: string }) => JSON.parse(message.payload) as SessionPayload;
/** The `x-amz-chime-message-type` header of a session message (the SDK types headers loosely). */
const messageTypeOf = (message: { headers: unknown }) =>
  (message.headers as Record<string, string>)['x-amz-chime-message-type'];

let sandbox: MessagingSandbox;
let alice: string;
let bob: string;
let carol: string;
let aliceClient: ChimeSDKMessagingClient;
let bobClient: ChimeSDKMessagingClient;
let carolClient: ChimeSDKMessagingClient;

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  alice = sandbox.addUser('alice', 'Alice');
  bob = sandbox.addUser('bob', 'Bob');
  carol = sandbox.addUser('carol', 'Carol');
  aliceClient = sandbox.client('alice');
  bobClient = sandbox.client('bob');
  carolClient = sandbox.client('carol');
});

afterAll(async () => {
  await sandbox.stop();
});

async function refusal(promise: Promise<unknown>): Promise<ChimeSDKMessagingServiceException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChimeSDKMessagingServiceException);
    return error as ChimeSDKMessagingServiceException;
  }
  throw new Error('the request was expected to be refused');
}

async function privateChannel(name: string): Promise<string> {
  const { ChannelArn } = await aliceClient.send(
    new CreateChannelCommand({
      AppInstanceArn: APP_INSTANCE_ARN,
      Name: name,
      Privacy: 'PRIVATE',
      Mode: 'RESTRICTED',
      ChimeBearer: alice,
    }),
  );
  if (!ChannelArn) throw new Error('no ChannelArn');
  await aliceClient.send(
    new CreateChannelMembershipCommand({
      ChannelArn,
      MemberArn: bob,
      ChimeBearer: alice,
      Type: 'DEFAULT',
    }),
  );
  return ChannelArn;
}

const say = (
  client: ChimeSDKMessagingClient,
  bearer: string,
  ChannelArn: string,
  Content: string,
) =>
  client.send(
    new SendChannelMessageCommand({
      ChannelArn,
      ChimeBearer: bearer,
      Content,
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
    }),
  );

/** Opens a raw WebSocket and resolves with how the server closed it, or 'established'. */
function rawConnect(url: string): Promise<{ code: number; reason: string } | 'established'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { Headers: Record<string, string> };
      if (frame.Headers['x-amz-chime-event-type'] === 'SESSION_ESTABLISHED') {
        ws.close();
        resolve('established');
      }
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', reject);
  });
}

/** A request signed as `id` with a JSON body of any shape (the SDK would refuse to send some). */
async function signedJson(
  id: string,
  method: string,
  path: string,
  body?: Record<string, unknown>,
  query: Record<string, string> = {},
): Promise<Response> {
  const session = sandbox.sessionFor(id);
  const signer = chimeSigner(session);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(new URL(sandbox.url).port),
    path,
    query,
    headers: {
      host: sandbox.host,
      'x-amz-chime-bearer': userArn(id),
      ...(payload !== undefined && { 'content-type': 'application/json' }),
    },
    ...(payload !== undefined && { body: payload }),
  });
  const search = new URLSearchParams(query).toString();
  return fetch(`${sandbox.url}${path}${search ? `?${search}` : ''}`, {
    method,
    headers: signed.headers,
    ...(payload !== undefined && { body: payload }),
  });
}

async function presignConnect(
  id: string,
  userArn: string,
  options: { signingDate?: Date; expiresIn?: number; session?: Session } = {},
): Promise<string> {
  const session = options.session ?? sandbox.sessionFor(id);
  const signer = chimeSigner(session);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'ws:',
      hostname: '127.0.0.1',
      port: Number(new URL(sandbox.url).port),
      path: '/connect',
      headers: { host: sandbox.host },
      query: { userArn, sessionId: '123456' },
    },
    {
      expiresIn: options.expiresIn ?? 10,
      ...(options.signingDate && { signingDate: options.signingDate }),
    },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return `ws://${sandbox.host}/connect?${query}`;
}

describe('chatting', () => {
  it('alice creates a channel and adds bob; bob receives her message live and reads it', async () => {
    const ChannelArn = await privateChannel('alice and bob');
    const bobSession = await openSession(bobClient, bob);
    try {
      const { MessageId } = await say(aliceClient, alice, ChannelArn, 'hello bob');
      const live = await bobSession.next(
        (m) => m.type === 'CREATE_CHANNEL_MESSAGE' && payloadOf(m).MessageId === MessageId,
      );
      expect(messageTypeOf(live)).toBe('STANDARD');
      expect(JSON.parse(live.payload)).toMatchObject({
        ChannelArn,
        Content: 'hello bob',
        Sender: { Arn: alice, Name: 'Alice' },
        Type: 'STANDARD',
        Persistence: 'PERSISTENT',
        CreatedTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });

      const read = await bobClient.send(
        new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob }),
      );
      expect(read.ChannelMessages?.[0]).toMatchObject({
        MessageId,
        Content: 'hello bob',
        Redacted: false,
      });
      expect(read.ChannelMessages?.[0]?.CreatedTimestamp).toBeInstanceOf(Date);
      expect(
        Math.abs(Date.now() - (read.ChannelMessages?.[0]?.CreatedTimestamp?.getTime() ?? 0)),
      ).toBeLessThan(60_000);
    } finally {
      bobSession.stop();
    }
  });

  it('edits and redactions reach the members', async () => {
    const ChannelArn = await privateChannel('edits');
    const bobSession = await openSession(bobClient, bob);
    try {
      const { MessageId } = await say(aliceClient, alice, ChannelArn, 'draft');
      await aliceClient.send(
        new UpdateChannelMessageCommand({
          ChannelArn,
          MessageId,
          Content: 'final',
          ChimeBearer: alice,
        }),
      );
      const edited = await bobSession.next((m) => m.type === 'UPDATE_CHANNEL_MESSAGE');
      expect(JSON.parse(edited.payload)).toMatchObject({
        MessageId,
        Content: 'final',
        LastEditedTimestamp: expect.any(String),
      });

      const refused = await refusal(
        bobClient.send(
          new UpdateChannelMessageCommand({
            ChannelArn,
            MessageId,
            Content: 'mine now',
            ChimeBearer: bob,
          }),
        ),
      );
      expect(refused.name).toBe('ForbiddenException');

      await aliceClient.send(
        new RedactChannelMessageCommand({ ChannelArn, MessageId, ChimeBearer: alice }),
      );
      const redacted = JSON.parse(
        (await bobSession.next((m) => m.type === 'REDACT_CHANNEL_MESSAGE')).payload,
      );
      expect(redacted).toMatchObject({ MessageId, Redacted: true });
      expect(redacted).not.toHaveProperty('Content');
    } finally {
      bobSession.stop();
    }
  });

  it('pages through history with the SDK paginator', async () => {
    const ChannelArn = await privateChannel('history');
    for (let i = 0; i < 7; i += 1) await say(aliceClient, alice, ChannelArn, `m${i}`);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListChannelMessages(
      { client: bobClient, pageSize: 3 },
      { ChannelArn, ChimeBearer: bob, SortOrder: 'ASCENDING' },
    )) {
      pages += 1;
      seen.push(...(page.ChannelMessages ?? []).map((m) => m.Content ?? ''));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    const all = await bobClient.send(
      new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob, SortOrder: 'ASCENDING' }),
    );
    const window = await bobClient.send(
      new ListChannelMessagesCommand({
        ChannelArn,
        ChimeBearer: bob,
        NotBefore: all.ChannelMessages?.[2]?.CreatedTimestamp,
        NotAfter: all.ChannelMessages?.[4]?.CreatedTimestamp,
      }),
    );
    expect(window.ChannelMessages?.map((m) => m.Content)).toEqual(['m4', 'm3', 'm2']);
    const forged = await refusal(
      bobClient.send(
        new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob, NextToken: 'forged' }),
      ),
    );
    expect(forged.name).toBe('BadRequestException');
  });

  it('lists the channels of the caller and serves the session endpoint', async () => {
    const ChannelArn = await privateChannel('listed');
    const mine = await bobClient.send(
      new ListChannelMembershipsForAppInstanceUserCommand({
        ChimeBearer: bob,
        AppInstanceUserArn: bob,
      }),
    );
    expect(mine.ChannelMemberships?.map((m) => m.ChannelSummary?.ChannelArn)).toContain(ChannelArn);
    const endpoint = await bobClient.send(new GetMessagingSessionEndpointCommand({}));
    expect(endpoint.Endpoint?.Url).toBe(sandbox.host);
  });
  it('prefetch-on=connect delivers the details of the user’s channels', async () => {
    const ChannelArn = await privateChannel('prefetched');
    await say(aliceClient, alice, ChannelArn, 'first');
    await say(aliceClient, alice, ChannelArn, 'second');
    const session = await openSession(bobClient, bob, { prefetch: true });
    try {
      const details = await session.next(
        (m) => m.type === 'CHANNEL_DETAILS' && payloadOf(m).Channel?.ChannelArn === ChannelArn,
      );
      expect(messageTypeOf(details)).toBe('SYSTEM');
      const payload = payloadOf(details);
      expect(payload.Channel).toMatchObject({ Name: 'prefetched', Privacy: 'PRIVATE' });
      expect(payload.ChannelMessages?.map((m) => m.Content)).toEqual(['second', 'first']);
      expect(payload.ChannelMemberships).toEqual(
        expect.arrayContaining([{ Member: { Arn: bob, Name: 'Bob' } }]),
      );
      expect(payload.ChannelMessagesHasMore).toBe(false);
    } finally {
      session.stop();
    }
  });
});

describe('refusals', () => {
  it('alice cannot act with bob’s bearer ARN (IAM)', async () => {
    const ChannelArn = await privateChannel('impersonation');
    const error = await refusal(say(aliceClient, bob, ChannelArn, 'it is me, bob'));
    expect(error.name).toBe('ForbiddenException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toContain(`chime:SendChannelMessage on resource: ${bob}`);
  });

  it('bob cannot read a channel he left, and its events stop reaching him', async () => {
    const bobSession = await openSession(bobClient, bob);
    try {
      const ChannelArn = await privateChannel('left');
      const added = await bobSession.next(
        (m) => m.type === 'CREATE_CHANNEL_MEMBERSHIP' && payloadOf(m).ChannelArn === ChannelArn,
      );
      expect(JSON.parse(added.payload)).toMatchObject({
        Member: { Arn: bob, Name: 'Bob' },
        InvitedBy: { Arn: alice },
        Type: 'DEFAULT',
      });
      await say(aliceClient, alice, ChannelArn, 'before');
      await bobClient.send(
        new DeleteChannelMembershipCommand({ ChannelArn, MemberArn: bob, ChimeBearer: bob }),
      );
      await bobSession.next((m) => m.type === 'DELETE_CHANNEL_MEMBERSHIP');
      const error = await refusal(
        bobClient.send(new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob })),
      );
      expect(error.name).toBe('ForbiddenException');
      expect(
        (
          await refusal(
            bobClient.send(new DescribeChannelCommand({ ChannelArn, ChimeBearer: bob })),
          )
        ).name,
      ).toBe('ForbiddenException');

      // Events on one connection arrive in order: once the sentinel (another channel) is in,
      // a message of the channel he left would have arrived before it.
      await say(aliceClient, alice, ChannelArn, 'after');
      const other = await privateChannel('sentinel');
      await say(aliceClient, alice, other, 'sentinel');
      await bobSession.next(
        (m) => m.type === 'CREATE_CHANNEL_MESSAGE' && payloadOf(m).Content === 'sentinel',
      );
      const contents = bobSession.messages
        .filter((m) => m.type === 'CREATE_CHANNEL_MESSAGE')
        .map((m) => payloadOf(m).Content);
      expect(contents).toEqual(['before', 'sentinel']);
    } finally {
      bobSession.stop();
    }
  });

  it('a banned user cannot re-join', async () => {
    const { ChannelArn = '' } = await aliceClient.send(
      new CreateChannelCommand({
        AppInstanceArn: APP_INSTANCE_ARN,
        Name: 'open',
        ChimeBearer: alice,
      }),
    );
    await carolClient.send(
      new CreateChannelMembershipCommand({
        ChannelArn,
        MemberArn: carol,
        ChimeBearer: carol,
        Type: 'DEFAULT',
      }),
    );
    await aliceClient.send(
      new CreateChannelBanCommand({ ChannelArn, MemberArn: carol, ChimeBearer: alice }),
    );
    const error = await refusal(
      carolClient.send(
        new CreateChannelMembershipCommand({
          ChannelArn,
          MemberArn: carol,
          ChimeBearer: carol,
          Type: 'DEFAULT',
        }),
      ),
    );
    expect(error.name).toBe('ForbiddenException');
    expect(error.message).toContain('banned');
    expect((await refusal(say(carolClient, carol, ChannelArn, 'let me in'))).name).toBe(
      'ForbiddenException',
    );
  });

  it('a non-member gets no events of the channel, and cannot listen as a member', async () => {
    const ChannelArn = await privateChannel('members only');
    const carolSession = await openSession(carolClient, carol);
    const bobSession = await openSession(bobClient, bob);
    try {
      await say(aliceClient, alice, ChannelArn, 'not for carol');
      await bobSession.next((m) => m.type === 'CREATE_CHANNEL_MESSAGE');
      expect(carolSession.messages).toEqual([]);
      // Carol's credentials cannot open bob's session: chime:Connect is allowed on her own ARN only.
      const carolAsBob = await rawConnect(await presignConnect('carol', bob));
      expect(carolAsBob).toMatchObject({ code: 4401 });
      await expect(openSession(carolClient, bob)).rejects.toMatchObject({ code: 4401 });
    } finally {
      carolSession.stop();
      bobSession.stop();
    }
  });

  it('a presigned URL used after its expiry is refused with 4401', async () => {
    expect(await rawConnect(await presignConnect('bob', bob))).toBe('established');
    const expired = await presignConnect('bob', bob, {
      signingDate: new Date(Date.now() - 20_000),
      expiresIn: 10,
    });
    const outcome = await rawConnect(expired);
    expect(outcome).toMatchObject({ code: 4401 });
    const tampered = (await presignConnect('bob', bob)).replace(
      'sessionId=123456',
      'sessionId=654321',
    );
    expect(await rawConnect(tampered)).toMatchObject({ code: 4401 });
  });

  it('expired credentials cannot connect; a user that does not exist is refused', async () => {
    // Signed while valid, used after the credentials expired.
    const session = sandbox.sessionFor('bob');
    const url = await presignConnect('bob', bob, { session });
    sandbox.credentials.expire(session.accessKeyId);
    expect(await rawConnect(url)).toMatchObject({
      code: 4401,
      reason: expect.stringContaining('expired'),
    });
    const ghost = sandbox.client('ghost');
    const error = await refusal(
      ghost.send(
        new CreateChannelCommand({
          AppInstanceArn: APP_INSTANCE_ARN,
          Name: 'x',
          ChimeBearer: `${APP_INSTANCE_ARN}/user/ghost`,
        }),
      ),
    );
    expect(error.name).toBe('UnauthorizedClientException');
    await expect(openSession(ghost, `${APP_INSTANCE_ARN}/user/ghost`)).rejects.toMatchObject({
      code: 4003,
    });
  });

  it('answers AWS errors for unknown channels, a missing bearer and unsupported operations', async () => {
    const missing = await refusal(
      aliceClient.send(
        new DescribeChannelCommand({
          ChannelArn: `${APP_INSTANCE_ARN}/channel/nope`,
          ChimeBearer: alice,
        }),
      ),
    );
    expect(missing.name).toBe('NotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const noBearer = await refusal(
      aliceClient.send(
        new ListChannelMessagesCommand({ ChannelArn: `${APP_INSTANCE_ARN}/channel/nope` } as never),
      ),
    );
    expect(noBearer.name).toBe('BadRequestException');
    const search = await refusal(
      aliceClient.send(
        new SearchChannelsCommand({
          ChimeBearer: alice,
          Fields: [{ Key: 'MEMBERS', Values: [bob], Operator: 'INCLUDES' }],
        }),
      ),
    );
    expect(search.name).toBe('BadRequestException');
    expect(search.message).toContain('not supported');
    for (const ChimeBearer of ['*', `${APP_INSTANCE_ARN}/user/*`, `${alice}/../bob`]) {
      const malformed = await refusal(
        aliceClient.send(
          new ListChannelMessagesCommand({
            ChannelArn: `${APP_INSTANCE_ARN}/channel/x`,
            ChimeBearer,
          }),
        ),
      );
      expect(malformed.name).toBe('BadRequestException');
    }
    const wildcardChannel = await refusal(
      aliceClient.send(
        new DescribeChannelCommand({
          ChannelArn: `${APP_INSTANCE_ARN}/channel/*`,
          ChimeBearer: alice,
        }),
      ),
    );
    expect(wildcardChannel.name).toBe('BadRequestException');
    expect(
      await rawConnect(await presignConnect('alice', `${APP_INSTANCE_ARN}/user/*`)),
    ).toMatchObject({
      code: 4400,
    });
    const unsigned = await fetch(`${sandbox.url}/channels?operation=search`, { method: 'POST' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it("checks each member's JSON type against the SDK's request type, naming the member", async () => {
    const createChannel = (body: Record<string, unknown>) =>
      signedJson('alice', 'POST', '/channels', body);
    const valid = { AppInstanceArn: APP_INSTANCE_ARN, Name: 'typed' };
    for (const [body, message] of [
      [{ ...valid, Name: 5 }, 'Name must be a string'],
      [{ ...valid, MemberArns: bob }, 'MemberArns must be a list of strings'],
      [{ ...valid, MemberArns: [bob, 7] }, 'MemberArns must be a list of strings'],
      [{ ...valid, Mode: 'OPEN' }, 'Mode must be one of UNRESTRICTED, RESTRICTED'],
      [{ ...valid, Tags: { Key: 'k' } }, 'Tags must be a list'],
      [{ ...valid, ExpirationSettings: 'soon' }, 'ExpirationSettings must be a JSON object'],
    ] as const) {
      const refused = await createChannel(body);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(await refused.text()).toContain(message);
    }
    // JSON null is an absent member; members the request type does not have are ignored.
    const created = await createChannel({ ...valid, Metadata: null, Colour: 'blue' });
    expect(created.status).toBe(201);
    const { ChannelArn } = (await created.json()) as { ChannelArn: string };
    const { Channel } = await aliceClient.send(
      new DescribeChannelCommand({ ChannelArn, ChimeBearer: alice }),
    );
    expect(Channel).toMatchObject({ Name: 'typed' });
    expect(Channel).not.toHaveProperty('Metadata');
    const endpoint = await signedJson('alice', 'GET', '/endpoints/messaging-session', undefined, {
      'network-type': 'IPV6_ONLY',
    });
    expect(endpoint.status).toBe(400);
    expect(await endpoint.text()).toContain('NetworkType must be one of IPV4_ONLY, DUAL_STACK');
  });

  it('deleting a channel tells its members; only moderators may', async () => {
    const ChannelArn = await privateChannel('doomed');
    const bobSession = await openSession(bobClient, bob);
    try {
      expect(
        (await refusal(bobClient.send(new DeleteChannelCommand({ ChannelArn, ChimeBearer: bob }))))
          .name,
      ).toBe('ForbiddenException');
      await aliceClient.send(new DeleteChannelCommand({ ChannelArn, ChimeBearer: alice }));
      const deleted = await bobSession.next((m) => m.type === 'DELETE_CHANNEL');
      expect(JSON.parse(deleted.payload)).toMatchObject({ ChannelArn });
    } finally {
      bobSession.stop();
    }
  });
});

describe('durability', () => {
  it('messages survive a restart', async () => {
    const ChannelArn = await privateChannel('durable');
    await say(aliceClient, alice, ChannelArn, 'remember me');
    await sandbox.restart();
    const client = sandbox.client('bob');
    const read = await client.send(
      new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob }),
    );
    expect(read.ChannelMessages?.map((m) => m.Content)).toEqual(['remember me']);
    const session = await openSession(client, bob);
    try {
      await say(sandbox.client('alice'), alice, ChannelArn, 'after restart');
      await session.next((m) => m.type === 'CREATE_CHANNEL_MESSAGE');
    } finally {
      session.stop();
    }
  });
});
