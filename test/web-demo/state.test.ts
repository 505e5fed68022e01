/**
 * The signed-in app's reducer: every rule of the chat without a browser. Events in, state and
 * effects out (the wiring runs the effects; browser tests prove the wiring).
 */
import type { ConversationPage } from '../../web-demo/src/chat-api';
import type { ChatMessage } from '../../web-demo/src/messages';
import type { Channel } from '../../web-demo/src/model';
import {
  type Effect,
  type Event,
  type State,
  actAsSuggestion,
  actAsValue,
  channelFromHash,
  hashFor,
  initialState,
  mayAddMembers,
  nameOf,
  peopleSuggestions,
  reduce,
} from '../../web-demo/src/state';

const APP = 'arn:aws:chime:us-east-1:111122223333:app-instance/app-1';
const ME = `${APP}/user/me-sub`;
const BOB = `${APP}/user/bob-sub`;
const CAROL = `${APP}/user/carol-sub`;
const LUNCH = `${APP}/channel/lunch`;
const TEAM = `${APP}/channel/team`;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function start(overrides: Partial<Parameters<typeof initialState>[0]> = {}): State {
  return initialState({
    me: { arn: ME, sub: 'me-sub', email: 'me@example.com' },
    appInstanceArn: APP,
    now: NOW,
    online: true,
    ...overrides,
  });
}

/** Applies events in order; returns the last state and every effect produced. */
function run(state: State, ...events: Event[]): { state: State; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const event of events) {
    const next = reduce(state, event);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

function message(id: string, sender: string, at: number, content = `text ${id}`): ChatMessage {
  return {
    id,
    channelArn: LUNCH,
    content,
    senderArn: sender,
    senderName: sender === BOB ? 'bob' : sender === ME ? 'me' : 'carol',
    createdAt: at,
    updatedAt: at,
    edited: false,
    redacted: false,
  };
}

function channel(arn: string, name: string, lastMessageAt?: number, extra: Partial<Channel> = {}) {
  return {
    arn,
    name,
    privacy: 'PRIVATE' as const,
    mode: 'UNRESTRICTED' as const,
    ...(lastMessageAt !== undefined && { lastMessageAt }),
    ...extra,
  };
}

function page(overrides: Partial<ConversationPage> = {}): ConversationPage {
  return {
    messages: [message('m1', BOB, NOW - 60_000), message('m2', ME, NOW - 30_000)],
    members: [
      { arn: ME, name: 'me' },
      { arn: BOB, name: 'bob' },
    ],
    moderators: [ME],
    ...overrides,
  };
}

/** Channels listed, lunch open and loaded. */
function inLunch(state = start(), loadedPage = page()): State {
  return run(
    state,
    {
      type: 'channelsLoaded',
      channels: [channel(LUNCH, 'lunch', NOW - 30_000), channel(TEAM, 'team')],
    },
    { type: 'route', channelArn: LUNCH },
    { type: 'conversationLoaded', arn: LUNCH, page: loadedPage },
  ).state;
}

const incoming = (m: ChatMessage, created = true): Event => ({
  type: 'serverEvent',
  event: { kind: 'message', message: m, created },
});

describe('start and routes', () => {
  test('starts the session and the channel list in parallel, then opens the channel of the URL', () => {
    const { state, effects } = run(start(), { type: 'started', channelArn: LUNCH });
    expect(effects).toEqual([
      { type: 'connect' },
      { type: 'loadChannels' },
      { type: 'loadConversation', arn: LUNCH },
      { type: 'focus', target: 'conversation' },
    ]);
    expect(state.open).toMatchObject({ arn: LUNCH, status: 'loading' });
  });

  test('without a channel in the URL, focus goes to the channel list (not to Sign out)', () => {
    expect(run(start(), { type: 'started' }).effects).toContainEqual({
      type: 'focus',
      target: 'channels',
    });
  });

  test('the URL names the channel; junk in the hash opens nothing', () => {
    expect(channelFromHash(hashFor(LUNCH), APP)).toBe(LUNCH);
    expect(hashFor(undefined)).toBe('#/');
    expect(channelFromHash('#/channel/../../x', APP)).toBeUndefined();
    expect(channelFromHash('#/channel/', APP)).toBeUndefined();
    expect(channelFromHash('', APP)).toBeUndefined();
  });

  test('bug 10: the members panel of one channel does not stay open on the next', () => {
    let state = inLunch();
    state = run(state, { type: 'panelToggled', panel: 'members' }).state;
    expect(state.panel).toBe('members');
    state = run(state, { type: 'route', channelArn: TEAM }).state;
    expect(state.panel).toBeUndefined();
    // The identity panel is about me, not the channel: it stays.
    state = run(
      state,
      { type: 'panelToggled', panel: 'identity' },
      { type: 'route', channelArn: LUNCH },
    ).state;
    expect(state.panel).toBe('identity');
  });

  test('going back to the list closes the conversation; the same route again does nothing', () => {
    const state = inLunch();
    expect(reduce(state, { type: 'route', channelArn: LUNCH }).effects).toEqual([]);
    const back = reduce(state, { type: 'route' });
    expect(back.state.open).toBeUndefined();
    expect(back.effects).toContainEqual({ type: 'navigate' });
  });
});

describe('channels', () => {
  test('bug 12: ordered by latest activity, then by name, the same in a session and after a reload', () => {
    const listed = run(start(), {
      type: 'channelsLoaded',
      channels: [
        channel(`${APP}/channel/b`, 'beta'),
        channel(`${APP}/channel/a`, 'alpha'),
        channel(LUNCH, 'lunch', NOW - 1000),
        channel(TEAM, 'team', NOW - 500),
      ],
    }).state;
    expect(listed.channels.map((c) => c.name)).toEqual(['team', 'lunch', 'alpha', 'beta']);
    // Created in this session (no messages yet): placed where a reload would place it.
    const created = run(
      listed,
      { type: 'newChannelRequested', token: 't1' },
      { type: 'createChannel', name: 'aardvark', privacy: 'PRIVATE', mode: 'UNRESTRICTED' },
      { type: 'channelCreated', channel: channel(`${APP}/channel/c`, 'aardvark') },
    ).state;
    const reloaded = run(created, {
      type: 'channelsLoaded',
      channels: [...created.channels].reverse(),
    }).state;
    expect(created.channels.map((c) => c.name)).toEqual([
      'team',
      'lunch',
      'aardvark',
      'alpha',
      'beta',
    ]);
    expect(reloaded.channels.map((c) => c.name)).toEqual(created.channels.map((c) => c.name));
    // A new message moves its channel to the top.
    const active = run(
      created,
      incoming({ ...message('m9', BOB, NOW), channelArn: `${APP}/channel/b` }),
    ).state;
    expect(active.channels[0]?.name).toBe('beta');
  });

  test('counts unread messages of channels that are not open', () => {
    let state = inLunch();
    const m = { ...message('t1', BOB, NOW), channelArn: TEAM };
    state = run(
      state,
      incoming(m),
      incoming({ ...m, id: 't2' }),
      incoming({ ...m, id: 't2' }, false),
    ).state;
    expect(state.unread[TEAM]).toBe(2);
    // Opening it clears the count.
    expect(run(state, { type: 'route', channelArn: TEAM }).state.unread[TEAM]).toBeUndefined();
  });

  test('a message in a channel the list does not know reloads the list', () => {
    const other = { ...message('x', BOB, NOW), channelArn: `${APP}/channel/new` };
    expect(run(inLunch(), incoming(other)).effects).toContainEqual({ type: 'loadChannels' });
  });

  test('bug 7: a name of spaces is refused next to the field, nothing is sent', () => {
    const { state, effects } = run(
      start(),
      { type: 'newChannelRequested', token: 't1' },
      { type: 'createChannel', name: '   ', privacy: 'PRIVATE', mode: 'UNRESTRICTED' },
    );
    expect(effects).toEqual([]);
    expect(state.dialog).toMatchObject({
      kind: 'newChannel',
      nameError: expect.stringMatching(/spaces/i),
    });
  });

  test('creating a channel sends the trimmed name once, with the dialog token', () => {
    const { effects } = run(
      start(),
      { type: 'newChannelRequested', token: 'token-1' },
      { type: 'createChannel', name: '  lunch ', privacy: 'PUBLIC', mode: 'RESTRICTED' },
      { type: 'createChannel', name: '  lunch ', privacy: 'PUBLIC', mode: 'RESTRICTED' },
    );
    expect(effects).toEqual([
      {
        type: 'createChannel',
        token: 'token-1',
        name: 'lunch',
        privacy: 'PUBLIC',
        mode: 'RESTRICTED',
      },
    ]);
  });

  test('bug 13: a failed "open by ARN" keeps the open channel open and says why in the dialog', () => {
    let state = inLunch();
    state = run(
      state,
      { type: 'openByArnRequested' },
      { type: 'openByArn', arn: `${APP}/channel/secret` },
    ).state;
    expect(state.open?.arn).toBe(LUNCH);
    state = run(state, {
      type: 'probeFailed',
      arn: `${APP}/channel/secret`,
      error: 'You cannot open it.',
    }).state;
    expect(state.open).toMatchObject({ arn: LUNCH, status: 'ready' });
    expect(state.dialog).toEqual({ kind: 'openByArn', busy: false, error: 'You cannot open it.' });
  });

  test('"open by ARN" refuses what is not a channel of this app, and opens one that loads', () => {
    let state = run(inLunch(), { type: 'openByArnRequested' }).state;
    const refused = run(state, {
      type: 'openByArn',
      arn: 'arn:aws:chime:us-east-1:1:app-instance/x/channel/y',
    });
    expect(refused.effects).toEqual([]);
    expect(refused.state.dialog).toMatchObject({ error: 'That is not a channel ARN of this app.' });
    state = run(state, { type: 'openByArn', arn: ` ${TEAM} ` }).state;
    const opened = run(state, { type: 'probeSucceeded', arn: TEAM, page: page({ messages: [] }) });
    expect(opened.state.open).toMatchObject({ arn: TEAM, status: 'ready' });
    expect(opened.state.dialog).toBeUndefined();
    expect(opened.effects).toContainEqual({ type: 'navigate', arn: TEAM });
  });
});

describe('names', () => {
  test('members and senders by their AppInstanceUser Name, never by a bare id', () => {
    const anonymous = { ...message('m0', CAROL, NOW - 90_000), senderName: undefined };
    const state = inLunch(
      start(),
      page({ members: [{ arn: ME }, { arn: BOB, name: 'bob' }], messages: [anonymous] }),
    );
    expect(nameOf(state, BOB)).toBe('bob');
    expect(nameOf(state, CAROL)).toBe('Unknown person');
    const joined = run(state, {
      type: 'serverEvent',
      event: {
        kind: 'membership',
        channelArn: LUNCH,
        memberArn: CAROL,
        memberName: 'carol',
        joined: true,
      },
    }).state;
    expect(nameOf(joined, CAROL)).toBe('carol');
    expect(joined.open?.members.map((m) => m.arn)).toEqual([ME, BOB, CAROL]);
  });
});

describe('sending', () => {
  const type = (text: string): Event => ({ type: 'draftChanged', text });
  const send = (token: string): Event => ({ type: 'send', token, now: NOW });

  test('shows the message at once as sending, and empties the composer', () => {
    const { state, effects } = run(inLunch(), type('hello'), send('tok-1'));
    expect(state.open?.outgoing).toEqual([
      { token: 'tok-1', channelArn: LUNCH, content: 'hello', createdAt: NOW, status: 'sending' },
    ]);
    expect(state.drafts[LUNCH]).toBeUndefined();
    expect(effects).toEqual([{ type: 'send', arn: LUNCH, token: 'tok-1', content: 'hello' }]);
  });

  test('bug 2: a double click sends once', () => {
    const { effects } = run(inLunch(), type('hello'), send('tok-1'), send('tok-2'));
    expect(effects.filter((e) => e.type === 'send')).toHaveLength(1);
  });

  test('bugs 7 and 8: blank and over-4-KB text never leave the browser, and the text stays', () => {
    for (const text of ['   \n  ', 'x'.repeat(4097), 'é'.repeat(2049)]) {
      const { state, effects } = run(inLunch(), type(text), send('tok'));
      expect(effects).toEqual([]);
      expect(state.drafts[LUNCH]).toBe(text);
    }
    expect(run(inLunch(), type('x'.repeat(4096)), send('tok')).effects).toHaveLength(1);
  });

  test('a failure keeps the text; Retry sends it again with the same ClientRequestToken', () => {
    const failed = run(inLunch(), type('hello'), send('tok-1'), {
      type: 'sendFailed',
      token: 'tok-1',
      error: 'Not sent: cannot reach the server.',
    }).state;
    expect(failed.open?.outgoing[0]).toMatchObject({
      status: 'failed',
      content: 'hello',
      error: 'Not sent: cannot reach the server.',
    });
    const retried = run(
      failed,
      { type: 'retrySend', token: 'tok-1' },
      { type: 'retrySend', token: 'tok-1' },
    );
    expect(retried.effects).toEqual([
      { type: 'send', arn: LUNCH, token: 'tok-1', content: 'hello' },
    ]);
    expect(retried.state.open?.outgoing[0]?.status).toBe('sending');
  });

  test('the answer, then the WebSocket copy: one message in the end', () => {
    let state = run(inLunch(), type('hello'), send('tok-1'), {
      type: 'sendSucceeded',
      token: 'tok-1',
      messageId: 'm3',
    }).state;
    expect(state.open?.outgoing).toEqual([]);
    expect(state.open?.messages.at(-1)).toMatchObject({ id: 'm3', provisional: true });
    state = run(state, incoming(message('m3', ME, NOW + 5, 'hello'))).state;
    const copies = state.open?.messages.filter((m) => m.id === 'm3') ?? [];
    expect(copies).toHaveLength(1);
    expect(copies[0]?.provisional).toBeUndefined();
    expect(copies[0]?.createdAt).toBe(NOW + 5);
  });

  test('the WebSocket copy before the answer replaces the sending one too', () => {
    let state = run(
      inLunch(),
      type('hello'),
      send('tok-1'),
      incoming(message('m3', ME, NOW + 5, 'hello')),
    ).state;
    expect(state.open?.outgoing).toEqual([]);
    state = run(state, { type: 'sendSucceeded', token: 'tok-1', messageId: 'm3' }).state;
    expect(state.open?.messages.filter((m) => m.content === 'hello')).toHaveLength(1);
  });
});

describe('reading', () => {
  test('at the bottom a new message marks the channel read; scrolled up it counts as new below', () => {
    let { state, effects } = run(inLunch(), incoming(message('m3', BOB, NOW + 1000)));
    expect(state.readMarks[LUNCH]).toBe(NOW + 1000);
    expect(effects).toContainEqual({ type: 'saveReadMarks', marks: { [LUNCH]: NOW + 1000 } });
    ({ state, effects } = run(
      state,
      { type: 'scrolled', atBottom: false },
      incoming(message('m4', BOB, NOW + 2000)),
      incoming(message('m5', CAROL, NOW + 3000)),
    ));
    expect(state.open).toMatchObject({ newBelow: 2, unreadAfter: NOW + 1000 });
    expect(state.readMarks[LUNCH]).toBe(NOW + 1000);
    ({ state } = run(state, { type: 'jumpToNew' }));
    expect(state.open).toMatchObject({ newBelow: 0, atBottom: true });
    expect(state.readMarks[LUNCH]).toBe(NOW + 3000);
  });

  test('opening a channel with unread messages puts the divider after the last one read', () => {
    const messages = [message('m1', BOB, NOW - 60_000), message('m2', BOB, NOW - 20_000)];
    const state = inLunch(start({ readMarks: { [LUNCH]: NOW - 45_000 } }), page({ messages }));
    expect(state.open?.unreadAfter).toBe(NOW - 45_000);
    expect(state.readMarks[LUNCH]).toBe(NOW - 20_000);
    // Nothing new since the mark: no divider.
    expect(inLunch(start({ readMarks: { [LUNCH]: NOW } })).open?.unreadAfter).toBeUndefined();
  });

  test('older messages load once at a time and merge in', () => {
    let state = inLunch(start(), page({ olderToken: 'older-1' }));
    const first = run(state, { type: 'loadOlder' }, { type: 'loadOlder' });
    expect(first.effects).toEqual([{ type: 'loadOlder', arn: LUNCH, token: 'older-1' }]);
    state = run(first.state, {
      type: 'olderLoaded',
      arn: LUNCH,
      messages: [message('m0', BOB, NOW - 90_000)],
    }).state;
    expect(state.open?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2']);
    expect(state.open?.olderToken).toBeUndefined();
  });
});

describe('connection', () => {
  test('bug 4: a lost socket reads "reconnecting" at once and retries with growing attempts', () => {
    let state = run(start(), { type: 'sessionLive' }).state;
    const lost = run(state, { type: 'sessionClosed', code: 1006 });
    expect(lost.state.connection).toEqual({ kind: 'reconnecting', attempt: 1 });
    expect(lost.effects).toEqual([{ type: 'scheduleReconnect', attempt: 1 }]);
    state = run(lost.state, { type: 'reconnectNow' }, { type: 'sessionClosed' }).state;
    expect(state.connection).toEqual({ kind: 'reconnecting', attempt: 2 });
  });

  test('back: catches up on the open channel since its newest message, and on the channel list', () => {
    let state = run(
      inLunch(),
      { type: 'sessionLive' },
      { type: 'sessionClosed', code: 1011 },
    ).state;
    const back = run(state, { type: 'sessionLive' });
    expect(back.state.connection).toEqual({ kind: 'live' });
    expect(back.effects).toEqual([
      { type: 'loadChannels' },
      { type: 'catchUp', arn: LUNCH, since: NOW - 30_000 },
    ]);
    state = run(back.state, {
      type: 'caughtUp',
      arn: LUNCH,
      messages: [message('m2', ME, NOW - 30_000), message('m3', BOB, NOW - 10_000)],
    }).state;
    expect(state.open?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  test('kicked (4003) is not retried: the person reconnects', () => {
    const { state, effects } = run(
      start(),
      { type: 'sessionLive' },
      { type: 'sessionClosed', code: 4003 },
    );
    expect(state.connection).toMatchObject({ kind: 'stopped' });
    expect(effects).toEqual([]);
    expect(run(state, { type: 'reconnectNow' }).effects).toEqual([{ type: 'connect' }]);
  });

  test('offline waits for "online", which reconnects at once', () => {
    const offline = run(
      start(),
      { type: 'sessionLive' },
      { type: 'offline' },
      { type: 'sessionClosed', code: 1006 },
    );
    expect(offline.state.connection.kind).toBe('reconnecting');
    expect(offline.effects).toEqual([]);
    expect(run(offline.state, { type: 'online' }).effects).toEqual([{ type: 'connect' }]);
    expect(run(offline.state, { type: 'online' }, { type: 'pageVisible' }).effects).toEqual([
      { type: 'connect' },
      { type: 'connect' },
    ]);
  });
});

describe('editing, redacting, leaving', () => {
  test('bug 17: Edit focuses the field, Esc cancels back to the message, Save returns there too', () => {
    const state = inLunch();
    const editing = run(state, { type: 'editStarted', id: 'm2' });
    expect(editing.effects).toEqual([{ type: 'focus', target: 'edit' }]);
    expect(run(editing.state, { type: 'editCancelled' }).effects).toEqual([
      { type: 'focus', target: 'message:m2' },
    ]);
    const saved = run(
      editing.state,
      { type: 'editDraftChanged', text: 'better' },
      { type: 'editSaved' },
      { type: 'editSucceeded', id: 'm2', content: 'better' },
    );
    expect(saved.effects).toEqual([
      { type: 'edit', arn: LUNCH, messageId: 'm2', content: 'better' },
      { type: 'focus', target: 'message:m2' },
    ]);
    expect(saved.state.open?.messages.find((m) => m.id === 'm2')).toMatchObject({
      content: 'better',
      edited: true,
    });
    // Only my own messages.
    expect(run(state, { type: 'editStarted', id: 'm1' }).state.open?.editing).toBeUndefined();
  });

  test('bug 14: Redact and Leave ask first; only the confirmation acts', () => {
    const asked = run(inLunch(), { type: 'redactRequested', id: 'm1' });
    expect(asked.effects).toEqual([]);
    expect(asked.state.dialog).toMatchObject({
      kind: 'confirm',
      action: { kind: 'redact', messageId: 'm1' },
    });
    expect(run(asked.state, { type: 'dialogClosed' }).state.dialog).toBeUndefined();
    const done = run(
      asked.state,
      { type: 'confirmAccepted' },
      { type: 'redacted', arn: LUNCH, id: 'm1' },
    );
    expect(done.effects[0]).toEqual({ type: 'redact', arn: LUNCH, messageId: 'm1' });
    expect(done.state.open?.messages[0]).toMatchObject({ redacted: true, content: '' });

    const leaving = run(inLunch(), { type: 'leaveRequested' });
    expect(leaving.effects).toEqual([]);
    const left = run(leaving.state, { type: 'confirmAccepted' }, { type: 'left', arn: LUNCH });
    expect(left.effects[0]).toEqual({ type: 'leave', arn: LUNCH });
    expect(left.state.open).toBeUndefined();
    expect(left.state.channels.map((c) => c.arn)).toEqual([TEAM]);
    expect(left.state.toast?.text).toBe('You left lunch.');
  });

  test("the service's DELETE_CHANNEL before the API's answer: one notice, naming the channel", () => {
    const deleting = run(inLunch(), { type: 'deleteRequested' }, { type: 'confirmAccepted' });
    const done = run(
      deleting.state,
      { type: 'serverEvent', event: { kind: 'channelDeleted', channelArn: LUNCH } },
      { type: 'deleted', arn: LUNCH },
    );
    expect(done.state.open).toBeUndefined();
    expect(done.state.dialog).toBeUndefined();
    expect(done.state.channels.map((c) => c.arn)).toEqual([TEAM]);
    expect(done.state.toast?.text).toBe('lunch was deleted.');
  });

  test('a refused confirmation stays open with the reason', () => {
    const state = run(
      inLunch(),
      { type: 'leaveRequested' },
      { type: 'confirmAccepted' },
      { type: 'confirmFailed', error: 'Cannot reach the server.' },
    ).state;
    expect(state.dialog).toMatchObject({ busy: false, error: 'Cannot reach the server.' });
  });

  test('bug 11: no Remove, Delete or Redact of others for someone who does not moderate', () => {
    const member = inLunch(start(), page({ moderators: [BOB] }));
    expect(
      run(member, { type: 'removeMemberRequested', memberArn: BOB }).state.dialog,
    ).toBeUndefined();
    expect(run(member, { type: 'deleteRequested' }).state.dialog).toBeUndefined();
    expect(run(member, { type: 'redactRequested', id: 'm1' }).state.dialog).toBeUndefined();
    expect(run(member, { type: 'redactRequested', id: 'm2' }).state.dialog).toBeDefined();
    const restricted = run(member, {
      type: 'channelsLoaded',
      channels: [channel(LUNCH, 'lunch', undefined, { mode: 'RESTRICTED' })],
    }).state;
    expect(mayAddMembers(member)).toBe(true);
    expect(mayAddMembers(restricted)).toBe(false);
  });

  test('someone removed from the open channel is told, and the channel closes', () => {
    const { state } = run(inLunch(), {
      type: 'serverEvent',
      event: { kind: 'membership', channelArn: LUNCH, memberArn: ME, joined: false },
    });
    expect(state.open).toBeUndefined();
    expect(state.toast?.text).toBe('You are no longer a member of lunch.');
  });
});

describe('adding members', () => {
  test('refuses a malformed id and my own id before asking the service', () => {
    for (const [text, error] of [
      ['not an id!', /not a user id/],
      ['me-sub', /your own id/],
      ['', /Enter their email or user id/],
      ['ME@example.com', /your own email/],
      ['me@', /not an email address/],
    ] as const) {
      const { state, effects } = run(
        inLunch(),
        { type: 'addMemberDraftChanged', text },
        { type: 'addMember' },
      );
      expect(effects).toEqual([]);
      expect(state.addMember.error).toMatch(error);
    }
  });

  test('adds by user id and names the person', () => {
    const { state, effects } = run(
      inLunch(),
      { type: 'addMemberDraftChanged', text: ' carol-sub ' },
      { type: 'addMember' },
      { type: 'memberAdded', arn: LUNCH, member: { arn: CAROL, name: 'carol' } },
    );
    expect(effects[0]).toEqual({ type: 'addMember', arn: LUNCH, person: 'carol-sub' });
    expect(state.toast?.text).toBe('Added carol to lunch.');
    expect(state.addMember).toEqual({ busy: false, draft: '' });
  });

  test('adds by email: the effect carries the address; the person is named at once', () => {
    const { state, effects } = run(
      inLunch(),
      { type: 'addMemberDraftChanged', text: ' Carol@Example.com ' },
      { type: 'addMember' },
      { type: 'memberAdded', arn: LUNCH, member: { arn: CAROL, name: 'carol' } },
    );
    expect(effects[0]).toEqual({ type: 'addMember', arn: LUNCH, person: 'Carol@Example.com' });
    expect(state.open?.members.map((m) => m.arn)).toContain(CAROL);
    expect(nameOf(state, CAROL)).toBe('carol');
  });

  test('suggests people I share other channels with: not me, not members, not guests', () => {
    const GUEST = `${APP}/user/guest-0b7e4b5e-1f2a-4c3d-9e8f-001122334455`;
    // Team (opened first) has carol, a guest and bob; lunch has me and bob.
    const teamPage = page({
      members: [
        { arn: ME, name: 'me' },
        { arn: CAROL, name: 'carol' },
        { arn: GUEST, name: 'Dana' },
        { arn: BOB, name: 'bob' },
      ],
    });
    const seenTeam = run(
      start(),
      { type: 'channelsLoaded', channels: [channel(LUNCH, 'lunch'), channel(TEAM, 'team')] },
      { type: 'route', channelArn: TEAM },
      { type: 'conversationLoaded', arn: TEAM, page: teamPage },
    ).state;
    const lunch = inLunch(seenTeam);
    expect(peopleSuggestions(lunch)).toEqual([{ arn: CAROL, name: 'carol' }]);
    const typed = (text: string) =>
      peopleSuggestions(run(lunch, { type: 'addMemberDraftChanged', text }).state);
    expect(typed('CAR')).toEqual([{ arn: CAROL, name: 'carol' }]);
    expect(typed('zed')).toEqual([]);
    expect(typed('carol@example.com')).toEqual([]);
    // Picking one adds them by user id, without a lookup.
    const picked = run(lunch, { type: 'addSuggested', memberArn: CAROL });
    expect(picked.effects).toEqual([{ type: 'addMember', arn: LUNCH, person: 'carol-sub' }]);
    expect(picked.state.addMember.busy).toBe(true);
  });
});

describe('guest invites', () => {
  const GUEST = `${APP}/user/guest-0b7e4b5e-1f2a-4c3d-9e8f-001122334455`;
  const invite = {
    channelArn: LUNCH,
    guestArn: GUEST,
    name: 'Dana',
    link: 'https://chat.example/#invite=a.b.c',
    expiresAt: NOW + 2 * 3_600_000,
    status: 'active' as const,
  };

  test('only moderators, only when the API serves guests, only whole hours in range', () => {
    const request: Event = { type: 'inviteGuest', name: ' Dana ', lifetimeHours: 2 };
    expect(run(inLunch(), request).effects).toEqual([]);
    const notModerator = inLunch(start({ guests: true }), page({ moderators: [BOB] }));
    expect(run(notModerator, request).effects).toEqual([]);
    for (const hours of [0, 25, 1.5, Number.NaN]) {
      const { state, effects } = run(inLunch(start({ guests: true })), {
        type: 'inviteGuest',
        name: 'Dana',
        lifetimeHours: hours,
      });
      expect(effects).toEqual([]);
      expect(state.guests.error).toBe('Access lasts 1 to 24 whole hours.');
    }
    const long = run(inLunch(start({ guests: true })), {
      type: 'inviteGuest',
      name: 'x'.repeat(65),
      lifetimeHours: 2,
    });
    expect(long.state.guests.error).toMatch(/at most 64 characters/);
    const ok = run(inLunch(start({ guests: true })), request);
    expect(ok.effects).toEqual([
      { type: 'inviteGuest', arn: LUNCH, name: 'Dana', lifetimeHours: 2 },
    ]);
    expect(ok.state.guests.busy).toBe(true);
  });

  test('an invited guest is a member by name at once; the link is kept for the channel', () => {
    const { state } = run(
      inLunch(start({ guests: true })),
      { type: 'inviteGuest', name: 'Dana', lifetimeHours: 2 },
      { type: 'guestInvited', invite },
    );
    expect(state.open?.members.map((m) => m.arn)).toContain(GUEST);
    expect(nameOf(state, GUEST)).toBe('Dana');
    expect(state.guests).toEqual({ enabled: true, busy: false, invites: [invite] });
    expect(state.toast?.text).toBe('Invited Dana: give them the link.');
  });

  test('cancel: once, then marked cancelled; a failure puts it back and says why', () => {
    const invited = run(inLunch(start({ guests: true })), { type: 'guestInvited', invite }).state;
    const asked = run(
      invited,
      { type: 'cancelGuestInvite', guestArn: GUEST },
      { type: 'cancelGuestInvite', guestArn: GUEST },
    );
    expect(asked.effects).toEqual([{ type: 'cancelGuestInvite', guestArn: GUEST }]);
    expect(asked.state.guests.invites[0]?.status).toBe('cancelling');
    const done = run(asked.state, { type: 'guestInviteCancelled', guestArn: GUEST }).state;
    expect(done.guests.invites[0]?.status).toBe('cancelled');
    const failed = run(asked.state, {
      type: 'cancelGuestInviteFailed',
      guestArn: GUEST,
      error: 'Cannot reach the server.',
    }).state;
    expect(failed.guests.invites[0]?.status).toBe('active');
    expect(failed.toast).toMatchObject({ tone: 'error', text: /Cannot reach the server/ });
  });
});

describe('identity: acting as someone else', () => {
  test('is pre-filled with a real other member, not with me', () => {
    const state = inLunch();
    expect(actAsSuggestion(state)).toEqual({ userId: 'bob-sub', name: 'bob' });
    expect(actAsValue(state)).toBe('bob-sub');
    expect(actAsSuggestion(start())).toBeUndefined();
  });

  test('bug 3: my own id is explained, not alarmed about, and not even tried', () => {
    const { state, effects } = run(
      inLunch(),
      { type: 'actAsDraftChanged', text: 'me-sub' },
      { type: 'actAs' },
    );
    expect(effects).toEqual([]);
    expect(state.actAs.result).toEqual({ kind: 'own' });
  });

  test('says whose id was tried and that AWS refused it', () => {
    const { state, effects } = run(
      inLunch(),
      { type: 'actAs' },
      {
        type: 'actAsAnswered',
        userId: 'bob-sub',
        outcome: { refused: true, status: 403, code: 'ForbiddenException' },
      },
    );
    expect(effects).toEqual([{ type: 'actAs', userId: 'bob-sub' }]);
    expect(state.actAs.result).toEqual({
      kind: 'refused',
      userId: 'bob-sub',
      name: 'bob',
      status: 403,
      code: 'ForbiddenException',
    });
  });
});
