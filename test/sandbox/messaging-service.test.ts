import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import type {
  ChannelMessageType,
  ChannelMode,
  ChannelPrivacy,
} from '@aws-sdk/client-chime-sdk-messaging';
import { join } from 'node:path';
import { MessagingError } from '../../sandbox/services/chime-messaging/errors';
import {
  type ChannelEvent,
  MessagingService,
} from '../../sandbox/services/chime-messaging/service';
import {
  DamagedLogError,
  FileMutationLog,
  MemoryMutationLog,
  type MutationLog,
} from '../../sandbox/services/chime-messaging/state';

const APP =
  'arn:aws:chime:us-east-1:000000000000:app-instance/11111111-2222-3333-4444-555555555555';
const OTHER_APP =
  'arn:aws:chime:us-east-1:000000000000:app-instance/99999999-2222-3333-4444-555555555555';
const alice = `${APP}/user/alice`;
const bob = `${APP}/user/bob`;
const carol = `${APP}/user/carol`;
const stranger = `${OTHER_APP}/user/dave`;
const NAMES: Record<string, string> = {
  [alice]: 'Alice',
  [bob]: 'Bob',
  [carol]: 'Carol',
  [stranger]: 'Dave',
};

function setup(log: MutationLog = new MemoryMutationLog()) {
  const events: ChannelEvent[] = [];
  const service = new MessagingService({
    users: { nameOf: (arn) => NAMES[arn] },
    log,
    endpointHost: () => '127.0.0.1:1234',
    onEvent: (event) => events.push(event),
  });
  return { service, events };
}

async function refused(
  promise: Promise<unknown> | (() => unknown),
  code: string,
): Promise<MessagingError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(MessagingError);
    expect((error as MessagingError).code).toBe(code);
    return error as MessagingError;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

async function channel(
  service: MessagingService,
  options: { Privacy?: ChannelPrivacy; Mode?: ChannelMode } = {},
): Promise<string> {
  const { ChannelArn } = await service.createChannel(alice, {
    AppInstanceArn: APP,
    Name: 'general',
    ...options,
  });
  if (ChannelArn === undefined) throw new Error('CreateChannel returned no ChannelArn');
  return ChannelArn;
}

const send = (service: MessagingService, bearer: string, ChannelArn: string, Content: string) =>
  service.sendChannelMessage(bearer, {
    ChannelArn,
    Content,
    Type: 'STANDARD',
    Persistence: 'PERSISTENT',
  });

describe('channels', () => {
  it('makes the creator a member and a moderator', async () => {
    const { service } = setup();
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    expect(arn).toMatch(new RegExp(`^${APP}/channel/[0-9a-f]{64}$`));
    expect(service.listChannelMemberships(alice, { ChannelArn: arn }).ChannelMemberships).toEqual([
      { Member: { Arn: alice, Name: 'Alice' } },
    ]);
    expect(service.listChannelModerators(alice, { ChannelArn: arn }).ChannelModerators).toEqual([
      { Moderator: { Arn: alice, Name: 'Alice' } },
    ]);
    const { Channel } = service.describeChannel(alice, { ChannelArn: arn });
    expect(Channel).toMatchObject({
      Name: 'general',
      Mode: 'UNRESTRICTED',
      Privacy: 'PRIVATE',
      CreatedBy: { Arn: alice },
    });
    expect(Channel?.CreatedTimestamp).toBeInstanceOf(Date);
  });

  it('defaults to PUBLIC and UNRESTRICTED, validates input and honours ClientRequestToken', async () => {
    const { service } = setup();
    const first = await service.createChannel(alice, {
      AppInstanceArn: APP,
      Name: 'x',
      ClientRequestToken: 'token-1',
    });
    const again = await service.createChannel(alice, {
      AppInstanceArn: APP,
      Name: 'x',
      ClientRequestToken: 'token-1',
    });
    expect(again.ChannelArn).toBe(first.ChannelArn);
    expect(service.describeChannel(bob, first).Channel).toMatchObject({
      Mode: 'UNRESTRICTED',
      Privacy: 'PUBLIC',
    });
    await refused(
      service.createChannel(alice, { AppInstanceArn: APP, Name: '' }),
      'BadRequestException',
    );
    await refused(
      // Typed callers cannot send it; a JSON client can, so the service checks at run time too.
      service.createChannel(alice, { AppInstanceArn: APP, Name: 'x', Mode: 'OPEN' as ChannelMode }),
      'BadRequestException',
    );
    await refused(
      service.createChannel(alice, { AppInstanceArn: OTHER_APP, Name: 'x' }),
      'ForbiddenException',
    );
    await service.createChannel(alice, { AppInstanceArn: APP, Name: 'x', ChannelId: 'room-1' });
    await refused(
      service.createChannel(alice, { AppInstanceArn: APP, Name: 'x', ChannelId: 'room-1' }),
      'ConflictException',
    );
  });

  it('refuses an unknown or missing bearer', async () => {
    const { service } = setup();
    await refused(
      () => service.listChannels(`${APP}/user/nobody`, { AppInstanceArn: APP }),
      'UnauthorizedClientException',
    );
    await refused(
      () => service.listChannels('not-an-arn', { AppInstanceArn: APP }),
      'UnauthorizedClientException',
    );
    await refused(
      () => service.listChannels(undefined, { AppInstanceArn: APP }),
      'BadRequestException',
    );
  });

  it('hides private channels from non-members and lists only public ones', async () => {
    const { service } = setup();
    const priv = await channel(service, { Privacy: 'PRIVATE' });
    const pub = await channel(service);
    await refused(() => service.describeChannel(bob, { ChannelArn: priv }), 'ForbiddenException');
    expect(service.describeChannel(bob, { ChannelArn: pub }).Channel?.ChannelArn).toBe(pub);
    expect(
      service.listChannels(bob, { AppInstanceArn: APP }).Channels?.map((c) => c.ChannelArn),
    ).toEqual([pub]);
    await refused(
      () => service.listChannels(bob, { AppInstanceArn: APP, Privacy: 'PRIVATE' }),
      'ForbiddenException',
    );
  });

  it('lets only moderators delete a channel, and tells its members', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(service.deleteChannel(bob, { ChannelArn: arn }), 'ForbiddenException');
    events.length = 0;
    await service.deleteChannel(alice, { ChannelArn: arn });
    expect(events).toEqual([
      expect.objectContaining({
        eventType: 'DELETE_CHANNEL',
        recipients: expect.arrayContaining([alice, bob]),
      }),
    ]);
    await refused(() => service.describeChannel(alice, { ChannelArn: arn }), 'NotFoundException');
    expect(service.listChannelMembershipsForAppInstanceUser(bob, {}).ChannelMemberships).toEqual(
      [],
    );
  });

  it('announces channel updates to members (moderators only)', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.updateChannel(bob, { ChannelArn: arn, Name: 'mine' }),
      'ForbiddenException',
    );
    await service.updateChannel(alice, { ChannelArn: arn, Name: 'renamed', Mode: 'RESTRICTED' });
    expect(events.at(-1)).toMatchObject({
      eventType: 'UPDATE_CHANNEL',
      payload: { Name: 'renamed', Mode: 'RESTRICTED' },
    });
  });
});

describe('memberships', () => {
  it('RESTRICTED: only moderators add members', async () => {
    const { service } = setup();
    const arn = await channel(service, { Mode: 'RESTRICTED' });
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.createChannelMembership(bob, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
    await refused(
      service.createChannelMembership(carol, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
  });

  it('UNRESTRICTED: members add others; anyone joins a public channel; nobody joins a private one uninvited', async () => {
    const { service } = setup();
    const pub = await channel(service);
    const priv = await channel(service, { Privacy: 'PRIVATE' });
    await service.createChannelMembership(carol, { ChannelArn: pub, MemberArn: carol });
    await refused(
      service.createChannelMembership(carol, { ChannelArn: priv, MemberArn: carol }),
      'ForbiddenException',
    );
    await service.createChannelMembership(alice, { ChannelArn: priv, MemberArn: bob });
    await service.createChannelMembership(bob, { ChannelArn: priv, MemberArn: carol });
    expect(service.isMember(priv, carol)).toBe(true);
    await refused(
      service.createChannelMembership(bob, { ChannelArn: priv, MemberArn: stranger }),
      'NotFoundException',
    );
    await refused(
      service.createChannelMembership(bob, { ChannelArn: priv, MemberArn: `${APP}/user/ghost` }),
      'NotFoundException',
    );
  });

  it('lets members leave, and moderators remove others', async () => {
    const { service, events } = setup();
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: carol });
    await refused(
      service.deleteChannelMembership(bob, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
    await service.deleteChannelMembership(bob, { ChannelArn: arn, MemberArn: bob });
    expect(events.at(-1)).toMatchObject({
      eventType: 'DELETE_CHANNEL_MEMBERSHIP',
      recipients: expect.arrayContaining([bob, alice, carol]),
    });
    await service.deleteChannelMembership(alice, { ChannelArn: arn, MemberArn: carol });
    await refused(
      service.deleteChannelMembership(alice, { ChannelArn: arn, MemberArn: carol }),
      'NotFoundException',
    );
    // Having left a private channel, bob can no longer read it.
    await refused(
      () => service.listChannelMessages(bob, { ChannelArn: arn }),
      'ForbiddenException',
    );
  });

  it('lists a user’s own memberships only', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    const own = service.listChannelMembershipsForAppInstanceUser(bob, { AppInstanceUserArn: bob });
    expect(own.ChannelMemberships).toEqual([
      {
        ChannelSummary: expect.objectContaining({ ChannelArn: arn, Name: 'general' }),
        AppInstanceUserMembershipSummary: { Type: 'DEFAULT' },
      },
    ]);
    await refused(
      () => service.listChannelMembershipsForAppInstanceUser(bob, { AppInstanceUserArn: alice }),
      'ForbiddenException',
    );
  });

  it('HIDDEN members are added and listed by moderators only', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.createChannelMembership(bob, { ChannelArn: arn, MemberArn: carol, Type: 'HIDDEN' }),
      'ForbiddenException',
    );
    await service.createChannelMembership(alice, {
      ChannelArn: arn,
      MemberArn: carol,
      Type: 'HIDDEN',
    });
    expect(
      service.listChannelMemberships(alice, { ChannelArn: arn }).ChannelMemberships,
    ).toHaveLength(2);
    expect(
      service.listChannelMemberships(alice, { ChannelArn: arn, Type: 'HIDDEN' }).ChannelMemberships,
    ).toEqual([{ Member: { Arn: carol, Name: 'Carol' } }]);
    await refused(
      () => service.listChannelMemberships(bob, { ChannelArn: arn, Type: 'HIDDEN' }),
      'ForbiddenException',
    );
  });
});

describe('moderators and bans', () => {
  it('moderators add moderators; members cannot', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.createChannelModerator(bob, { ChannelArn: arn, ChannelModeratorArn: bob }),
      'ForbiddenException',
    );
    await service.createChannelModerator(alice, { ChannelArn: arn, ChannelModeratorArn: bob });
    expect(
      service.describeChannelModerator(carol, { ChannelArn: arn, ChannelModeratorArn: bob })
        .ChannelModerator,
    ).toMatchObject({
      Moderator: { Arn: bob },
      CreatedBy: { Arn: alice },
    });
    await refused(
      () =>
        service.describeChannelModerator(alice, { ChannelArn: arn, ChannelModeratorArn: carol }),
      'NotFoundException',
    );
  });

  it('a ban kicks the member and blocks re-joining until lifted', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.createChannelBan(bob, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
    await service.createChannelBan(alice, { ChannelArn: arn, MemberArn: bob });
    expect(events.at(-1)).toMatchObject({
      eventType: 'DELETE_CHANNEL_MEMBERSHIP',
      payload: { Member: { Arn: bob } },
    });
    expect(service.isMember(arn, bob)).toBe(false);
    await refused(
      service.createChannelMembership(bob, { ChannelArn: arn, MemberArn: bob }),
      'ForbiddenException',
    );
    await refused(
      service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob }),
      'ForbiddenException',
    );
    expect(service.listChannelBans(alice, { ChannelArn: arn }).ChannelBans).toEqual([
      { Member: { Arn: bob, Name: 'Bob' } },
    ]);
    await refused(() => service.listChannelBans(carol, { ChannelArn: arn }), 'ForbiddenException');
    await service.deleteChannelBan(alice, { ChannelArn: arn, MemberArn: bob });
    await service.createChannelMembership(bob, { ChannelArn: arn, MemberArn: bob });
    expect(service.isMember(arn, bob)).toBe(true);
  });

  it('shows moderators to whoever sees the channel and bans to moderators only', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelModerator(alice, { ChannelArn: arn, ChannelModeratorArn: bob });
    await service.createChannelBan(alice, { ChannelArn: arn, MemberArn: carol });

    expect(service.describeChannelBan(alice, { ChannelArn: arn, MemberArn: carol })).toEqual({
      ChannelBan: {
        Member: { Arn: carol, Name: 'Carol' },
        ChannelArn: arn,
        CreatedTimestamp: expect.any(Date),
        CreatedBy: { Arn: alice, Name: 'Alice' },
      },
    });
    expect(
      service.describeChannelModerator(carol, { ChannelArn: arn, ChannelModeratorArn: bob }),
    ).toEqual({
      ChannelModerator: {
        Moderator: { Arn: bob, Name: 'Bob' },
        ChannelArn: arn,
        CreatedTimestamp: expect.any(Date),
        CreatedBy: { Arn: alice, Name: 'Alice' },
      },
    });
    expect(service.listChannelModerators(carol, { ChannelArn: arn })).toEqual({
      ChannelArn: arn,
      ChannelModerators: [
        { Moderator: { Arn: alice, Name: 'Alice' } },
        { Moderator: { Arn: bob, Name: 'Bob' } },
      ],
    });
    const notModerator = await refused(
      () => service.describeChannelBan(carol, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
    expect(notModerator.message).toBe('Only moderators of the channel can describe bans');
    const notBanned = await refused(
      () => service.describeChannelBan(alice, { ChannelArn: arn, MemberArn: bob }),
      'NotFoundException',
    );
    expect(notBanned.message).toBe(`${bob} is not banned from the channel`);
    await refused(
      () => service.describeChannelBan(alice, { ChannelArn: arn }),
      'BadRequestException',
    );

    await refused(
      service.deleteChannelModerator(carol, { ChannelArn: arn, ChannelModeratorArn: bob }),
      'ForbiddenException',
    );
    await service.deleteChannelModerator(bob, { ChannelArn: arn, ChannelModeratorArn: bob });
    const gone = await refused(
      service.deleteChannelModerator(alice, { ChannelArn: arn, ChannelModeratorArn: bob }),
      'NotFoundException',
    );
    expect(gone.message).toBe(`${bob} is not a moderator of the channel`);
    await refused(
      service.deleteChannelBan(bob, { ChannelArn: arn, MemberArn: carol }),
      'ForbiddenException',
    );
    await service.deleteChannelBan(alice, { ChannelArn: arn, MemberArn: carol });
    expect(service.listChannelBans(alice, { ChannelArn: arn })).toEqual({
      ChannelArn: arn,
      ChannelBans: [],
    });
  });
});

describe('messages', () => {
  it('members send; non-members of a public channel read but cannot send', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    const sent = await send(service, alice, arn, 'hello bob');
    expect(sent).toEqual({
      ChannelArn: arn,
      MessageId: expect.any(String),
      Status: { Value: 'SENT' },
    });
    expect(events.at(-1)).toMatchObject({
      eventType: 'CREATE_CHANNEL_MESSAGE',
      messageType: 'STANDARD',
      recipients: expect.arrayContaining([alice, bob]),
      payload: {
        MessageId: sent.MessageId,
        Content: 'hello bob',
        Sender: { Arn: alice, Name: 'Alice' },
        Persistence: 'PERSISTENT',
      },
    });
    expect(events.at(-1)?.recipients).not.toContain(carol);
    expect(
      service.listChannelMessages(carol, { ChannelArn: arn }).ChannelMessages?.[0],
    ).toMatchObject({ Content: 'hello bob' });
    await refused(send(service, carol, arn, 'hi'), 'ForbiddenException');
  });

  it('private channels: only members read', async () => {
    const { service } = setup();
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await send(service, alice, arn, 'secret');
    await refused(
      () => service.listChannelMessages(carol, { ChannelArn: arn }),
      'ForbiddenException',
    );
    await refused(
      () => service.getChannelMessage(carol, { ChannelArn: arn, MessageId: 'x' }),
      'ForbiddenException',
    );
  });

  it('validates type, persistence and size', async () => {
    const { service } = setup();
    const arn = await channel(service);
    const base = { ChannelArn: arn, Type: 'STANDARD', Persistence: 'PERSISTENT' } as const;
    await refused(
      service.sendChannelMessage(alice, { ...base, Content: '' }),
      'BadRequestException',
    );
    await refused(
      service.sendChannelMessage(alice, { ...base, Content: 'x'.repeat(4097) }),
      'BadRequestException',
    );
    await refused(
      service.sendChannelMessage(alice, {
        ...base,
        Content: 'x',
        Type: 'LOUD' as ChannelMessageType,
      }),
      'BadRequestException',
    );
    await refused(
      service.sendChannelMessage(alice, { ...base, Content: 'x', Persistence: undefined }),
      'BadRequestException',
    );
    await refused(
      service.sendChannelMessage(alice, { ...base, Type: 'CONTROL', Content: 'x'.repeat(31) }),
      'BadRequestException',
    );
    await refused(
      service.sendChannelMessage(alice, { ...base, Type: 'CONTROL', Content: 'x', Metadata: 'm' }),
      'BadRequestException',
    );
    await service.sendChannelMessage(alice, { ...base, Content: 'é'.repeat(2048) });
  });

  it('delivers non-persistent messages without storing them', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.sendChannelMessage(alice, {
      ChannelArn: arn,
      Content: 'typing',
      Type: 'CONTROL',
      Persistence: 'NON_PERSISTENT',
    });
    expect(events.at(-1)).toMatchObject({
      messageType: 'CONTROL',
      payload: { Persistence: 'NON_PERSISTENT' },
    });
    expect(service.listChannelMessages(alice, { ChannelArn: arn }).ChannelMessages).toEqual([]);
  });

  it('only the sender edits; sender or moderator redacts; redaction empties the message', async () => {
    const { service, events } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    const { MessageId } = await send(service, bob, arn, 'first');
    await refused(
      service.updateChannelMessage(alice, { ChannelArn: arn, MessageId, Content: 'forged' }),
      'ForbiddenException',
    );
    await service.updateChannelMessage(bob, {
      ChannelArn: arn,
      MessageId,
      Content: 'edited',
      Metadata: 'm',
    });
    expect(events.at(-1)).toMatchObject({
      eventType: 'UPDATE_CHANNEL_MESSAGE',
      payload: { Content: 'edited' },
    });
    const edited = service.getChannelMessage(bob, { ChannelArn: arn, MessageId }).ChannelMessage;
    expect(edited).toMatchObject({
      Content: 'edited',
      Metadata: 'm',
      LastEditedTimestamp: expect.any(Date),
    });

    const { MessageId: other } = await send(service, alice, arn, 'alice says');
    await refused(
      service.redactChannelMessage(bob, { ChannelArn: arn, MessageId: other }),
      'ForbiddenException',
    );
    await service.redactChannelMessage(alice, { ChannelArn: arn, MessageId }); // moderator
    expect(events.at(-1)).toMatchObject({
      eventType: 'REDACT_CHANNEL_MESSAGE',
      payload: { Redacted: true },
    });
    expect(events.at(-1)?.payload).not.toHaveProperty('Content');
    const listed = service.listChannelMessages(bob, {
      ChannelArn: arn,
      SortOrder: 'ASCENDING',
    }).ChannelMessages;
    expect(listed?.[0]).toMatchObject({ MessageId, Redacted: true });
    expect(listed?.[0]).not.toHaveProperty('Content');
    await refused(
      service.updateChannelMessage(bob, { ChannelArn: arn, MessageId, Content: 'again' }),
      'BadRequestException',
    );
    await refused(
      service.updateChannelMessage(bob, { ChannelArn: arn, MessageId: 'nope', Content: 'x' }),
      'NotFoundException',
    );
  });

  it('a sender who left can no longer edit', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    const { MessageId } = await send(service, bob, arn, 'bye');
    await service.deleteChannelMembership(bob, { ChannelArn: arn, MemberArn: bob });
    await refused(
      service.updateChannelMessage(bob, { ChannelArn: arn, MessageId, Content: 'x' }),
      'ForbiddenException',
    );
  });

  it('is idempotent for a repeated ClientRequestToken', async () => {
    const { service } = setup();
    const arn = await channel(service);
    const input = {
      ChannelArn: arn,
      Content: 'once',
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ClientRequestToken: 'abc-123',
    } as const;
    const first = await service.sendChannelMessage(alice, input);
    const second = await service.sendChannelMessage(alice, input);
    expect(second.MessageId).toBe(first.MessageId);
    expect(service.listChannelMessages(alice, { ChannelArn: arn }).ChannelMessages).toHaveLength(1);
  });

  it('status is for the sender only', async () => {
    const { service } = setup();
    const arn = await channel(service);
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    const { MessageId } = await send(service, alice, arn, 'x');
    expect(service.getChannelMessageStatus(alice, { ChannelArn: arn, MessageId })).toEqual({
      Status: { Value: 'SENT' },
    });
    await refused(
      () => service.getChannelMessageStatus(bob, { ChannelArn: arn, MessageId }),
      'ForbiddenException',
    );
  });
});

describe('pagination', () => {
  it('pages messages newest first without repeats, even while new ones arrive', async () => {
    const { service } = setup();
    const arn = await channel(service);
    for (let i = 1; i <= 5; i += 1) await send(service, alice, arn, `m${i}`);
    const first = service.listChannelMessages(alice, { ChannelArn: arn, MaxResults: 2 });
    expect(first.ChannelMessages?.map((m) => m.Content)).toEqual(['m5', 'm4']);
    await send(service, alice, arn, 'm6');
    const second = service.listChannelMessages(alice, {
      ChannelArn: arn,
      MaxResults: 2,
      NextToken: first.NextToken,
    });
    expect(second.ChannelMessages?.map((m) => m.Content)).toEqual(['m3', 'm2']);
    const third = service.listChannelMessages(alice, {
      ChannelArn: arn,
      MaxResults: 2,
      NextToken: second.NextToken,
    });
    expect(third.ChannelMessages?.map((m) => m.Content)).toEqual(['m1']);
    expect(third.NextToken).toBeUndefined();
    const asc = service.listChannelMessages(alice, {
      ChannelArn: arn,
      SortOrder: 'ASCENDING',
      MaxResults: 50,
    });
    expect(asc.ChannelMessages?.map((m) => m.Content)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
    ]);
  });

  it('refuses forged tokens, tokens of another list and out-of-range MaxResults', async () => {
    const { service } = setup();
    const arn = await channel(service);
    const other = await channel(service);
    for (let i = 0; i < 3; i += 1) await send(service, alice, arn, `m${i}`);
    const { NextToken } = service.listChannelMessages(alice, { ChannelArn: arn, MaxResults: 1 });
    expect(NextToken).toEqual(expect.any(String));
    await refused(
      () => service.listChannelMessages(alice, { ChannelArn: other, NextToken }),
      'BadRequestException',
    );
    await refused(
      () => service.listChannelMessages(alice, { ChannelArn: arn, NextToken: 'garbage' }),
      'BadRequestException',
    );
    await refused(
      () => service.listChannelMessages(alice, { ChannelArn: arn, MaxResults: 51 }),
      'BadRequestException',
    );
    await refused(
      () => service.listChannelMessages(alice, { ChannelArn: arn, MaxResults: 0 }),
      'BadRequestException',
    );
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'messaging-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('survives a restart, with compaction and a torn last line', async () => {
    const log = new FileMutationLog(dir);
    const { service } = setup(log);
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await service.createChannelMembership(alice, { ChannelArn: arn, MemberArn: bob });
    await Promise.all([send(service, alice, arn, 'one'), send(service, bob, arn, 'two')]);
    await service.createChannelBan(alice, { ChannelArn: arn, MemberArn: carol });
    await log.close();

    const second = setup(new FileMutationLog(dir)).service;
    const texts = (s: MessagingService) =>
      s
        .listChannelMessages(bob, { ChannelArn: arn, SortOrder: 'ASCENDING' })
        .ChannelMessages?.map((m) => m.Content);
    expect(texts(second)).toEqual(['one', 'two']);
    expect(second.listChannelBans(alice, { ChannelArn: arn }).ChannelBans).toHaveLength(1);
    second.compactLog();
    appendFileSync(join(dir, 'log.jsonl'), '{"k":"message","v":{"torn'); // a crash mid-append

    const thirdLog = new FileMutationLog(dir);
    const third = setup(thirdLog).service;
    expect(texts(third)).toEqual(['one', 'two']);
    expect(third.isMember(arn, bob)).toBe(true);
    await send(third, bob, arn, 'three');
    await thirdLog.close();
    const fourth = setup(new FileMutationLog(dir)).service;
    expect(texts(fourth)).toEqual(['one', 'two', 'three']);
  });

  /** Two messages in the log (no compaction): records 1-2 channel+member, then messages. */
  async function loggedChannel(): Promise<{ arn: string; lines: string[] }> {
    const log = new FileMutationLog(dir);
    const { service } = setup(log);
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await send(service, alice, arn, 'one');
    await send(service, alice, arn, 'two');
    await log.close();
    return { arn, lines: readFileSync(join(dir, 'log.jsonl'), 'utf8').trimEnd().split('\n') };
  }

  const texts = (s: MessagingService, arn: string) =>
    s
      .listChannelMessages(alice, { ChannelArn: arn, SortOrder: 'ASCENDING' })
      .ChannelMessages?.map((m) => m.Content);

  it('names the file and the line of a corrupt complete log line, and repairs by cutting there', async () => {
    const { arn, lines } = await loggedChannel();
    const bad = lines.length; // the last message's line
    lines[bad - 1] = '{"k":"message","v":{"channelArn":' + 'x'.repeat(5) + '}'; // complete, corrupt
    writeFileSync(join(dir, 'log.jsonl'), `${lines.join('\n')}\n`);

    expect(() => setup(new FileMutationLog(dir))).toThrow(DamagedLogError);
    expect(() => setup(new FileMutationLog(dir))).toThrow(
      new RegExp(
        `'${join(dir, 'log.jsonl')}' is damaged at line ${bad}: .*--repair.*loses the 1 record`,
      ),
    );

    const repairs: string[] = [];
    const log = new FileMutationLog(dir, { repair: true, log: (l) => repairs.push(l) });
    const repaired = setup(log).service;
    expect(texts(repaired, arn)).toEqual(['one']);
    expect(repairs.join()).toMatch(new RegExp(`damaged at line ${bad}.*keeping ${bad - 1} record`));
    expect(readdirSync(dir).some((f) => f.startsWith('log.jsonl.damaged-'))).toBe(true);
    await send(repaired, alice, arn, 'three');
    await log.close();
    // The cut log takes appends and restarts clean, without --repair.
    expect(texts(setup(new FileMutationLog(dir)).service, arn)).toEqual(['one', 'three']);
  });

  it('names the line where a snapshot is truncated, and repairs keeping what precedes it', async () => {
    const first = new FileMutationLog(dir);
    const { service } = setup(first);
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await send(service, alice, arn, 'one');
    await send(service, alice, arn, 'two');
    await first.close();
    service.compactLog();
    const snapshot = readFileSync(join(dir, 'snapshot.json'), 'utf8');
    const lineCount = snapshot.trimEnd().split('\n').length;
    writeFileSync(join(dir, 'snapshot.json'), snapshot.slice(0, snapshot.length - 20));

    expect(() => setup(new FileMutationLog(dir))).toThrow(
      new RegExp(`'${join(dir, 'snapshot.json')}' is damaged at line ${lineCount}: `),
    );
    const repaired = setup(new FileMutationLog(dir, { repair: true })).service;
    expect(texts(repaired, arn)).toEqual(['one']);
  });

  it('still reads a snapshot written as one JSON array (before JSON lines)', async () => {
    const first = new FileMutationLog(dir);
    const { service } = setup(first);
    const arn = await channel(service, { Privacy: 'PRIVATE' });
    await send(service, alice, arn, 'one');
    await first.close();
    service.compactLog();
    const records = readFileSync(join(dir, 'snapshot.json'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(records));
    expect(texts(setup(new FileMutationLog(dir)).service, arn)).toEqual(['one']);
  });
});
