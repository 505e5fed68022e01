/** The chat API bound to the bearer, against a mocked Chime messaging client. */
import {
  ChimeSDKMessagingClient,
  CreateChannelMembershipCommand,
  ForbiddenException,
  ListChannelMembershipsCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelMessagesCommand,
  ListChannelModeratorsCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  PeopleApiMissingError,
  PeopleApiUnavailableError,
  PersonNotFoundError,
  createChatApi,
  peopleDirectory,
  type PeopleDirectory,
} from '../../web-demo/src/chat-api';
import { ApiError } from '../../contracts/http-api';

const APP = 'arn:aws:chime:us-east-1:111122223333:app-instance/app-1';
const ME = `${APP}/user/me-sub`;
const BOB = `${APP}/user/bob-sub`;
const LUNCH = `${APP}/channel/lunch`;

const chime = mockClient(ChimeSDKMessagingClient);
const client = new ChimeSDKMessagingClient({ region: 'us-east-1' });
const api = createChatApi(client, { appInstanceArn: APP, userId: 'me-sub' });

beforeEach(() => chime.reset());

test('every call carries my own AppInstanceUser ARN as the bearer', async () => {
  chime.on(ListChannelMembershipsForAppInstanceUserCommand).resolves({ ChannelMemberships: [] });
  await api.listChannels();
  expect(chime).toHaveReceivedCommandWith(ListChannelMembershipsForAppInstanceUserCommand, {
    ChimeBearer: ME,
    AppInstanceUserArn: ME,
  });
  expect(api.me).toBe(ME);
});

test('lists every page of my channels, with their latest activity', async () => {
  chime
    .on(ListChannelMembershipsForAppInstanceUserCommand)
    .resolvesOnce({
      ChannelMemberships: [
        {
          ChannelSummary: {
            ChannelArn: LUNCH,
            Name: 'lunch',
            Privacy: 'PRIVATE',
            Mode: 'RESTRICTED',
            LastMessageTimestamp: new Date(5000),
          },
        },
      ],
      NextToken: 'next',
    })
    .resolvesOnce({
      ChannelMemberships: [{ ChannelSummary: { ChannelArn: `${APP}/channel/b`, Name: 'b' } }],
    });
  await expect(api.listChannels()).resolves.toEqual([
    { arn: LUNCH, name: 'lunch', privacy: 'PRIVATE', mode: 'RESTRICTED', lastMessageAt: 5000 },
    { arn: `${APP}/channel/b`, name: 'b', privacy: 'PRIVATE', mode: 'UNRESTRICTED' },
  ]);
  expect(chime).toHaveReceivedCommandTimes(ListChannelMembershipsForAppInstanceUserCommand, 2);
});

test('a conversation: newest page of messages, members with their Names, moderators', async () => {
  chime.on(ListChannelMessagesCommand).resolves({
    ChannelMessages: [
      {
        MessageId: 'm2',
        Content: 'hi',
        Sender: { Arn: BOB, Name: 'bob' },
        CreatedTimestamp: new Date(2000),
      },
    ],
    NextToken: 'older',
  });
  chime.on(ListChannelMembershipsCommand).resolves({
    ChannelMemberships: [
      { Member: { Arn: ME, Name: 'me' } },
      { Member: { Arn: BOB, Name: 'bob' } },
    ],
  });
  chime
    .on(ListChannelModeratorsCommand)
    .resolves({ ChannelModerators: [{ Moderator: { Arn: ME } }] });
  const page = await api.loadConversation(LUNCH);
  expect(page).toMatchObject({
    olderToken: 'older',
    members: [
      { arn: ME, name: 'me' },
      { arn: BOB, name: 'bob' },
    ],
    moderators: [ME],
    messages: [{ id: 'm2', senderName: 'bob', channelArn: LUNCH }],
  });
  expect(chime).toHaveReceivedCommandWith(ListChannelMessagesCommand, {
    ChannelArn: LUNCH,
    ChimeBearer: ME,
    SortOrder: 'DESCENDING',
    MaxResults: 50,
  });
});

test('a send carries the ClientRequestToken it is given (the same one on a retry)', async () => {
  chime.on(SendChannelMessageCommand).resolves({ MessageId: 'm9' });
  await api.send(LUNCH, 'hello', 'token-1');
  await api.send(LUNCH, 'hello', 'token-1');
  const calls = chime.commandCalls(SendChannelMessageCommand).map((c) => c.args[0].input);
  expect(calls).toEqual([
    expect.objectContaining({ ClientRequestToken: 'token-1', Content: 'hello', ChimeBearer: ME }),
    expect.objectContaining({ ClientRequestToken: 'token-1', Content: 'hello', ChimeBearer: ME }),
  ]);
});

test('adds a member through the people directory (user id today) and reads back the Name', async () => {
  chime.on(CreateChannelMembershipCommand).resolves({ Member: { Arn: BOB, Name: 'bob' } });
  await expect(api.addMember(LUNCH, ' bob-sub ')).resolves.toEqual({ arn: BOB, name: 'bob' });
  expect(chime).toHaveReceivedCommandWith(CreateChannelMembershipCommand, {
    MemberArn: BOB,
    Type: 'DEFAULT',
  });
  // The seam for "add by email": another directory resolves what was typed.
  const byEmail: PeopleDirectory = {
    resolve: (email) =>
      Promise.resolve({ arn: BOB, ...(email === 'bob@example.com' && { name: 'Bob' }) }),
  };
  chime.on(CreateChannelMembershipCommand).resolves({});
  const withEmail = createChatApi(client, {
    appInstanceArn: APP,
    userId: 'me-sub',
    people: byEmail,
  });
  await expect(withEmail.addMember(LUNCH, 'bob@example.com')).resolves.toEqual({
    arn: BOB,
    name: 'Bob',
  });
});

describe('the people directory: emails through the people API, user ids as they are', () => {
  const API = 'https://api.example.com';
  let fetchSpy: jest.SpiedFunction<typeof fetch>;
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    fetchSpy.mockResolvedValueOnce(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      }),
    );
  const people = peopleDirectory({
    appInstanceArn: APP,
    apiUrl: API,
    idToken: () => Promise.resolve('id.tok.en'),
  });

  beforeEach(() => {
    fetchSpy = jest.spyOn(globalThis, 'fetch');
  });
  afterEach(() => fetchSpy.mockRestore());

  test('an email: one GET /users with the ID token; the answer names the person', async () => {
    answer(200, { user: { appInstanceUserArn: BOB, name: 'bob' } });
    await expect(people.resolve(' Bob@Example.com ')).resolves.toEqual({ arn: BOB, name: 'bob' });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe(`${API}/users?email=Bob%40Example.com`);
    expect(init?.headers).toEqual({ Authorization: 'Bearer id.tok.en' });
  });

  test('a user id asks no one', async () => {
    await expect(people.resolve(' bob-sub ')).resolves.toEqual({ arn: BOB });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  test('not found, the API refusing, the API unreachable, no API at all', async () => {
    answer(200, { user: null });
    await expect(people.resolve('nobody@example.com')).rejects.toBeInstanceOf(PersonNotFoundError);
    answer(429, { error: 'rate_limited', message: 'slow down' }, { 'retry-after': '42' });
    const limited: unknown = await people.resolve('bob@example.com').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ApiError);
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 42 });
    fetchSpy.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(people.resolve('bob@example.com')).rejects.toBeInstanceOf(
      PeopleApiUnavailableError,
    );
    const noApi = peopleDirectory({ appInstanceArn: APP, idToken: () => Promise.resolve('x') });
    await expect(noApi.resolve('bob@example.com')).rejects.toBeInstanceOf(PeopleApiMissingError);
  });
});

test('acting as someone else: a 403 is the refusal; anything else is reported as a failure', async () => {
  chime
    .on(ListChannelMembershipsForAppInstanceUserCommand)
    .rejects(new ForbiddenException({ message: 'denied', $metadata: { httpStatusCode: 403 } }));
  await expect(api.tryActAs('bob-sub')).resolves.toEqual({
    refused: true,
    status: 403,
    code: 'ForbiddenException',
  });
  expect(chime).toHaveReceivedCommandWith(ListChannelMembershipsForAppInstanceUserCommand, {
    ChimeBearer: BOB,
    AppInstanceUserArn: BOB,
  });
  chime
    .on(ListChannelMembershipsForAppInstanceUserCommand)
    .rejects(new TypeError('Failed to fetch'));
  await expect(api.tryActAs('bob-sub')).rejects.toThrow('Failed to fetch');
  chime.on(ListChannelMembershipsForAppInstanceUserCommand).resolves({});
  await expect(api.tryActAs('bob-sub')).resolves.toEqual({ refused: false });
});

test('catch-up reads every page since the given time, oldest first', async () => {
  chime
    .on(ListChannelMessagesCommand)
    .resolvesOnce({
      ChannelMessages: [{ MessageId: 'a', CreatedTimestamp: new Date(1000) }],
      NextToken: 'n',
    })
    .resolvesOnce({ ChannelMessages: [{ MessageId: 'b', CreatedTimestamp: new Date(2000) }] });
  const messages = await api.messagesSince(LUNCH, 1000);
  expect(messages.map((m) => m.id)).toEqual(['a', 'b']);
  const inputs = chime.commandCalls(ListChannelMessagesCommand).map((c) => c.args[0].input);
  expect(inputs[0]).toMatchObject({ SortOrder: 'ASCENDING', NotBefore: new Date(1000) });
  expect(inputs[0]).not.toHaveProperty('NextToken');
  expect(inputs[1]).toMatchObject({ SortOrder: 'ASCENDING', NextToken: 'n' });
});
