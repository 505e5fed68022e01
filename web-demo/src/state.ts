/**
 * The signed-in app's state and the one function that changes it:
 * `reduce(state, event) -> { state, effects }`. Pure (no DOM, no SDK, no clock, no randomness:
 * times and tokens arrive inside events), so every rule below is unit-tested in Node
 * (test/web-demo/state.test.ts). The wiring (app.ts) runs the effects and feeds their results
 * back as events; the views (views/*) render the state.
 */
import {
  GUEST_NAME_MAX_LENGTH,
  MAX_GUEST_LIFETIME_HOURS,
  MIN_GUEST_LIFETIME_HOURS,
  isGuestUserArn,
} from '../../contracts/guests';
import type { ActAsOutcome, ConversationPage } from './chat-api';
import { type ConnectionStatus, isRetryableClose, stoppedReason } from './connection';
import type { CredentialInfo, CredentialSource } from './credentials';
import type { FriendlyError } from './errors';
import type { ChatEvent } from './events';
import { channelNameProblem, checkMessage, isEmailQuery, personProblem } from './limits';
import {
  type ChatMessage,
  type Outgoing,
  catchUpFrom,
  mergeMessages,
  removeMessage,
} from './messages';
import {
  type Channel,
  type Member,
  type Mode,
  type Privacy,
  arnId,
  compareChannels,
} from './model';

// ---- state ---------------------------------------------------------------------------------------

export interface Me {
  readonly arn: string;
  /** The user pool `sub` = AppInstanceUserId. */
  readonly sub: string;
  readonly email: string;
  readonly identityId?: string;
}

export interface Conversation {
  readonly arn: string;
  readonly status: 'loading' | 'ready' | 'failed';
  /** Why it could not be opened (status 'failed'). */
  readonly error?: string;
  readonly messages: readonly ChatMessage[];
  readonly olderToken?: string;
  readonly loadingOlder: boolean;
  readonly members: readonly Member[];
  readonly moderators: readonly string[];
  readonly outgoing: readonly Outgoing[];
  readonly editing?: {
    readonly id: string;
    readonly draft: string;
    readonly saving: boolean;
    readonly error?: string;
  };
  /** The message whose actions menu is open. */
  readonly menuFor?: string;
  /** The message that takes part in the Tab order (arrow keys move it). */
  readonly active?: string;
  /** Whether the reader is at the newest message; only then do new messages scroll the view. */
  readonly atBottom: boolean;
  /** Messages that arrived while the reader was scrolled up. */
  readonly newBelow: number;
  /** Messages from others newer than this get the unread divider. */
  readonly unreadAfter?: number;
}

export type ConfirmAction =
  | { readonly kind: 'redact'; readonly channelArn: string; readonly messageId: string }
  | { readonly kind: 'leave'; readonly channelArn: string; readonly name: string }
  | { readonly kind: 'delete'; readonly channelArn: string; readonly name: string }
  | {
      readonly kind: 'removeMember';
      readonly channelArn: string;
      readonly memberArn: string;
      readonly name: string;
    };

export type Dialog =
  | {
      readonly kind: 'newChannel';
      readonly token: string;
      readonly busy: boolean;
      readonly error?: string;
      readonly nameError?: string;
    }
  | { readonly kind: 'openByArn'; readonly busy: boolean; readonly error?: string }
  | {
      readonly kind: 'confirm';
      readonly action: ConfirmAction;
      readonly busy: boolean;
      readonly error?: string;
    };

export type ActAsResult =
  /** The person tried their own id: allowed, and rightly so. No call is made. */
  | { readonly kind: 'own' }
  | {
      readonly kind: 'refused';
      readonly userId: string;
      readonly name?: string;
      readonly status?: number;
      readonly code: string;
    }
  | { readonly kind: 'allowed'; readonly userId: string; readonly name?: string }
  | { readonly kind: 'failed'; readonly message: string };

export type Panel = 'members' | 'identity';

/** A guest invite this moderator made in this session (docs/guests.md). */
export interface GuestInvite {
  readonly channelArn: string;
  readonly guestArn: string;
  readonly name: string;
  /** `<site>/#invite=<token>`, to hand to the guest. */
  readonly link: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly status: 'active' | 'cancelling' | 'cancelled';
}

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: 'info' | 'error';
}

export interface State {
  readonly me: Me;
  readonly appInstanceArn: string;
  readonly now: number;
  readonly online: boolean;
  readonly connection: ConnectionStatus;
  /** A session was live before: the next one catches up on what was missed. */
  readonly hadSession: boolean;
  readonly channelsLoaded: boolean;
  readonly channelsError?: string;
  /** Sorted by {@link compareChannels}. */
  readonly channels: readonly Channel[];
  /** New messages counted live per channel, while it was not open. */
  readonly unread: Readonly<Record<string, number>>;
  /** Newest message seen per channel (epoch ms), kept in localStorage across reloads. */
  readonly readMarks: Readonly<Record<string, number>>;
  /** AppInstanceUser Names by ARN, from every payload that carried one. */
  readonly names: Readonly<Record<string, string>>;
  readonly open?: Conversation;
  /** Unsent composer text per channel. */
  readonly drafts: Readonly<Record<string, string>>;
  readonly panel?: Panel;
  readonly channelMenu: boolean;
  readonly dialog?: Dialog;
  readonly addMember: { readonly busy: boolean; readonly error?: string; readonly draft: string };
  /** "Invite a guest" (moderators; only when the HTTP API serves guests). */
  readonly guests: {
    readonly enabled: boolean;
    readonly busy: boolean;
    readonly error?: string;
    readonly invites: readonly GuestInvite[];
  };
  readonly actAs: {
    readonly draft?: string;
    readonly busy: boolean;
    readonly result?: ActAsResult;
  };
  readonly credentials?: CredentialInfo;
  readonly credentialSource: CredentialSource;
  readonly credentialsBusy: boolean;
  readonly toast?: Toast;
  readonly nextToastId: number;
}

export interface InitialStateInput {
  readonly me: Me;
  readonly appInstanceArn: string;
  readonly now: number;
  readonly online: boolean;
  readonly readMarks?: Readonly<Record<string, number>>;
  /** The config says the HTTP API serves guest invites. */
  readonly guests?: boolean;
}

export function initialState(input: InitialStateInput): State {
  return {
    me: input.me,
    appInstanceArn: input.appInstanceArn,
    now: input.now,
    online: input.online,
    connection: { kind: 'connecting' },
    hadSession: false,
    channelsLoaded: false,
    channels: [],
    unread: {},
    readMarks: input.readMarks ?? {},
    names: {},
    drafts: {},
    channelMenu: false,
    addMember: { busy: false, draft: '' },
    guests: { enabled: input.guests ?? false, busy: false, invites: [] },
    actAs: { busy: false },
    credentialSource: 'identityPool',
    credentialsBusy: false,
    nextToastId: 1,
  };
}

// ---- events and effects --------------------------------------------------------------------------

export type Event =
  // Start, time, the browser
  | { readonly type: 'started'; readonly channelArn?: string }
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'route'; readonly channelArn?: string }
  | { readonly type: 'online' }
  | { readonly type: 'offline' }
  | { readonly type: 'pageVisible' }
  // The messaging session
  | { readonly type: 'sessionLive' }
  | { readonly type: 'sessionClosed'; readonly code?: number }
  | { readonly type: 'reconnectNow' }
  | { readonly type: 'serverEvent'; readonly event: ChatEvent }
  // Channels
  | { readonly type: 'channelsLoaded'; readonly channels: readonly Channel[] }
  | { readonly type: 'channelsFailed'; readonly error: string }
  | { readonly type: 'conversationLoaded'; readonly arn: string; readonly page: ConversationPage }
  | { readonly type: 'conversationFailed'; readonly arn: string; readonly error: string }
  | { readonly type: 'loadOlder' }
  | {
      readonly type: 'olderLoaded';
      readonly arn: string;
      readonly messages: readonly ChatMessage[];
      readonly olderToken?: string;
    }
  | { readonly type: 'olderFailed'; readonly arn: string; readonly error: string }
  | { readonly type: 'caughtUp'; readonly arn: string; readonly messages: readonly ChatMessage[] }
  | { readonly type: 'newChannelRequested'; readonly token: string }
  | {
      readonly type: 'createChannel';
      readonly name: string;
      readonly privacy: Privacy;
      readonly mode: Mode;
    }
  | { readonly type: 'channelCreated'; readonly channel: Channel }
  | { readonly type: 'createChannelFailed'; readonly error: string }
  | { readonly type: 'openByArnRequested' }
  | { readonly type: 'openByArn'; readonly arn: string }
  | { readonly type: 'probeSucceeded'; readonly arn: string; readonly page: ConversationPage }
  | { readonly type: 'probeFailed'; readonly arn: string; readonly error: string }
  | { readonly type: 'channelMenuToggled' }
  | { readonly type: 'leaveRequested' }
  | { readonly type: 'deleteRequested' }
  | { readonly type: 'left'; readonly arn: string }
  | { readonly type: 'deleted'; readonly arn: string }
  // Composer and messages
  | { readonly type: 'draftChanged'; readonly text: string }
  | { readonly type: 'send'; readonly token: string; readonly now: number }
  | { readonly type: 'sendSucceeded'; readonly token: string; readonly messageId: string }
  | { readonly type: 'sendFailed'; readonly token: string; readonly error: string }
  | { readonly type: 'retrySend'; readonly token: string }
  | { readonly type: 'discardSend'; readonly token: string }
  | { readonly type: 'menuToggled'; readonly id: string }
  | { readonly type: 'menuClosed'; readonly returnFocus: boolean }
  | { readonly type: 'activate'; readonly id: string }
  | { readonly type: 'editStarted'; readonly id: string }
  | { readonly type: 'editDraftChanged'; readonly text: string }
  | { readonly type: 'editSaved' }
  | { readonly type: 'editCancelled' }
  | { readonly type: 'editSucceeded'; readonly id: string; readonly content: string }
  | { readonly type: 'editFailed'; readonly id: string; readonly error: string }
  | { readonly type: 'redactRequested'; readonly id: string }
  | { readonly type: 'redacted'; readonly arn: string; readonly id: string }
  | { readonly type: 'scrolled'; readonly atBottom: boolean }
  | { readonly type: 'jumpToNew' }
  // Members
  | { readonly type: 'addMemberDraftChanged'; readonly text: string }
  | { readonly type: 'addMember' }
  /** A suggestion picked: someone from my other channels, by ARN. */
  | { readonly type: 'addSuggested'; readonly memberArn: string }
  | { readonly type: 'memberAdded'; readonly arn: string; readonly member: Member }
  | { readonly type: 'addMemberFailed'; readonly error: FriendlyError }
  | { readonly type: 'removeMemberRequested'; readonly memberArn: string }
  | { readonly type: 'memberRemoved'; readonly arn: string; readonly memberArn: string }
  // Guests
  | { readonly type: 'inviteGuest'; readonly name: string; readonly lifetimeHours: number }
  | { readonly type: 'guestInvited'; readonly invite: GuestInvite }
  | { readonly type: 'inviteGuestFailed'; readonly error: string }
  | { readonly type: 'cancelGuestInvite'; readonly guestArn: string }
  | { readonly type: 'guestInviteCancelled'; readonly guestArn: string }
  | { readonly type: 'cancelGuestInviteFailed'; readonly guestArn: string; readonly error: string }
  // Dialogs, panels, notices
  | { readonly type: 'confirmAccepted' }
  | { readonly type: 'confirmFailed'; readonly error: string }
  | { readonly type: 'dialogClosed' }
  | { readonly type: 'panelToggled'; readonly panel: Panel }
  | { readonly type: 'panelClosed' }
  | { readonly type: 'toastExpired'; readonly id: number }
  | { readonly type: 'actionFailed'; readonly error: string }
  | { readonly type: 'reloadChannels' }
  // Identity
  | { readonly type: 'actAsDraftChanged'; readonly text: string }
  | { readonly type: 'actAs' }
  | { readonly type: 'actAsAnswered'; readonly userId: string; readonly outcome: ActAsOutcome }
  | { readonly type: 'actAsFailed'; readonly error: string }
  | { readonly type: 'credentialsChanged'; readonly info: CredentialInfo }
  | { readonly type: 'switchCredentials'; readonly source: CredentialSource }
  | { readonly type: 'credentialsSwitched' }
  | { readonly type: 'credentialsFailed'; readonly error: string };

/** Where keyboard focus goes after a render. */
export type FocusTarget =
  | 'composer'
  /** The opened conversation: the composer on a wide screen, its heading on a phone. */
  | 'conversation'
  | 'channels'
  | 'edit'
  | 'panel'
  | 'addMember'
  | 'actAs'
  | 'membersButton'
  | 'identityButton'
  | 'channelMenuButton'
  | `message:${string}`
  | `menu:${string}`;

export type Effect =
  | { readonly type: 'loadChannels' }
  | { readonly type: 'connect' }
  | { readonly type: 'scheduleReconnect'; readonly attempt: number }
  | { readonly type: 'loadConversation'; readonly arn: string }
  | { readonly type: 'probeChannel'; readonly arn: string }
  | { readonly type: 'loadOlder'; readonly arn: string; readonly token: string }
  | { readonly type: 'catchUp'; readonly arn: string; readonly since: number }
  | { readonly type: 'reloadConversation'; readonly arn: string }
  | {
      readonly type: 'send';
      readonly arn: string;
      readonly token: string;
      readonly content: string;
    }
  | {
      readonly type: 'edit';
      readonly arn: string;
      readonly messageId: string;
      readonly content: string;
    }
  | { readonly type: 'redact'; readonly arn: string; readonly messageId: string }
  | {
      readonly type: 'createChannel';
      readonly token: string;
      readonly name: string;
      readonly privacy: Privacy;
      readonly mode: Mode;
    }
  | { readonly type: 'addMember'; readonly arn: string; readonly person: string }
  | { readonly type: 'removeMember'; readonly arn: string; readonly memberArn: string }
  | {
      readonly type: 'inviteGuest';
      readonly arn: string;
      readonly name: string;
      readonly lifetimeHours: number;
    }
  | { readonly type: 'cancelGuestInvite'; readonly guestArn: string }
  | { readonly type: 'leave'; readonly arn: string }
  | { readonly type: 'deleteChannel'; readonly arn: string }
  | { readonly type: 'actAs'; readonly userId: string }
  | { readonly type: 'navigate'; readonly arn?: string }
  | { readonly type: 'focus'; readonly target: FocusTarget }
  | { readonly type: 'saveReadMarks'; readonly marks: Readonly<Record<string, number>> }
  | { readonly type: 'expireToast'; readonly id: number }
  | { readonly type: 'switchCredentials'; readonly source: CredentialSource };

export interface Step {
  readonly state: State;
  readonly effects: readonly Effect[];
}

// ---- helpers -------------------------------------------------------------------------------------

function step(state: State, ...effects: Effect[]): Step {
  return { state, effects };
}

function newConversation(arn: string): Conversation {
  return {
    arn,
    status: 'loading',
    messages: [],
    loadingOlder: false,
    members: [],
    moderators: [],
    outgoing: [],
    atBottom: true,
    newBelow: 0,
  };
}

function withConversation(state: State, arn: string, change: (c: Conversation) => Conversation) {
  return state.open?.arn === arn ? { ...state, open: change(state.open) } : state;
}

function toast(state: State, text: string, tone: Toast['tone'] = 'info'): Step {
  const id = state.nextToastId;
  return step(
    { ...state, toast: { id, text, tone }, nextToastId: id + 1 },
    { type: 'expireToast', id },
  );
}

function rememberNames(
  names: Readonly<Record<string, string>>,
  people: readonly { arn: string; name?: string | undefined }[],
): Readonly<Record<string, string>> {
  let next = names;
  for (const p of people) {
    if (p.name && next[p.arn] !== p.name) next = { ...next, [p.arn]: p.name };
  }
  return next;
}

function newest(messages: readonly ChatMessage[]): number | undefined {
  return catchUpFrom(messages)?.getTime();
}

function markRead(state: State, arn: string, at: number | undefined): Step {
  if (at === undefined || (state.readMarks[arn] ?? 0) >= at) return step(state);
  const readMarks = { ...state.readMarks, [arn]: at };
  return step({ ...state, readMarks }, { type: 'saveReadMarks', marks: readMarks });
}

function withoutKey<T>(
  record: Readonly<Record<string, T>>,
  key: string,
): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

function sortChannels(channels: readonly Channel[]): Channel[] {
  return [...channels].sort(compareChannels);
}

function upsertChannel(channels: readonly Channel[], channel: Channel): Channel[] {
  return sortChannels([...channels.filter((c) => c.arn !== channel.arn), channel]);
}

/** Why a guest invite cannot be made as typed, in words; undefined when it can. */
export function guestInviteProblem(name: string, lifetimeHours: number): string | undefined {
  if (name.length > GUEST_NAME_MAX_LENGTH) {
    return `A guest name has at most ${GUEST_NAME_MAX_LENGTH} characters.`;
  }
  if (
    !Number.isInteger(lifetimeHours) ||
    lifetimeHours < MIN_GUEST_LIFETIME_HOURS ||
    lifetimeHours > MAX_GUEST_LIFETIME_HOURS
  ) {
    return `Access lasts ${MIN_GUEST_LIFETIME_HOURS} to ${MAX_GUEST_LIFETIME_HOURS} whole hours.`;
  }
  return undefined;
}

/** The AppInstanceUserId of a person of this app (undefined for anything else). */
function userIdOf(state: State, arn: string): string | undefined {
  const prefix = `${state.appInstanceArn}/user/`;
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
}

const MAX_SUGGESTIONS = 5;

/**
 * Whom "Add people" suggests for the open channel: people I already share a channel with (every
 * name the service told me in this session), not yet in this one, never me or a guest; filtered
 * by what is typed (not an email: an address is looked up only when Add is pressed). Nothing is
 * asked of a server.
 */
export function peopleSuggestions(state: State): { arn: string; name: string }[] {
  const open = state.open;
  if (!open) return [];
  const typed = state.addMember.draft.trim().toLowerCase();
  if (isEmailQuery(typed)) return [];
  const inChannel = new Set(open.members.map((m) => m.arn));
  return Object.entries(state.names)
    .filter(
      ([arn, name]) =>
        arn !== state.me.arn &&
        !inChannel.has(arn) &&
        !isGuestUserArn(arn) &&
        userIdOf(state, arn) !== undefined &&
        (typed === '' || name.toLowerCase().includes(typed)),
    )
    .map(([arn, name]) => ({ arn, name }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTIONS);
}

/** Display name of a person; never their bare id. */
export function nameOf(state: State, arn: string): string {
  return state.names[arn] ?? (arn === state.me.arn ? 'You' : 'Unknown person');
}

export function channelName(state: State, arn: string): string {
  return state.channels.find((c) => c.arn === arn)?.name || 'Unnamed channel';
}

/** Whether I moderate the open channel. */
export function isModerator(state: State): boolean {
  return state.open?.moderators.includes(state.me.arn) ?? false;
}

/** Whether the open channel lets me add members (UNRESTRICTED, or I moderate it). */
export function mayAddMembers(state: State): boolean {
  const open = state.open;
  if (!open || open.status !== 'ready') return false;
  const mode = state.channels.find((c) => c.arn === open.arn)?.mode;
  return mode !== 'RESTRICTED' || isModerator(state);
}

/**
 * Whose id the act-as proof suggests: a real other person, preferably from the open channel.
 * Undefined when I know nobody else yet.
 */
export function actAsSuggestion(state: State): { userId: string; name: string } | undefined {
  const prefix = `${state.appInstanceArn}/user/`;
  const candidates = [
    ...(state.open?.members.map((m) => m.arn) ?? []),
    ...(state.open?.messages.map((m) => m.senderArn) ?? []),
    ...Object.keys(state.names),
  ];
  const arn = candidates.find((a) => a !== state.me.arn && a.startsWith(prefix));
  return arn ? { userId: arn.slice(prefix.length), name: nameOf(state, arn) } : undefined;
}

/** The act-as field's value: what the person typed, else the suggestion. */
export function actAsValue(state: State): string {
  return state.actAs.draft ?? actAsSuggestion(state)?.userId ?? '';
}

function openConversation(state: State, arn: string): Step {
  const channelMenu = false;
  const next: State = {
    ...state,
    open: newConversation(arn),
    // Panels belong to a channel: the members of the last one must not stay open (bug 10).
    panel: state.panel === 'members' ? undefined : state.panel,
    channelMenu,
    unread: withoutKey(state.unread, arn),
    addMember: { busy: false, draft: '' },
  };
  return step(next, { type: 'loadConversation', arn }, { type: 'focus', target: 'conversation' });
}

/** The view of a just-loaded conversation: merged with anything that arrived meanwhile. */
function loaded(state: State, conversation: Conversation, page: ConversationPage): Step {
  const messages = mergeMessages(conversation.messages, page.messages);
  const readMark = state.readMarks[conversation.arn];
  const hasUnread = messages.some(
    (m) => m.senderArn !== state.me.arn && readMark !== undefined && m.createdAt > readMark,
  );
  const open: Conversation = {
    ...conversation,
    status: 'ready',
    messages,
    ...(page.olderToken ? { olderToken: page.olderToken } : { olderToken: undefined }),
    members: page.members,
    moderators: page.moderators,
    ...(hasUnread && { unreadAfter: readMark }),
    active: messages.at(-1)?.id,
  };
  const names = rememberNames(state.names, [
    ...page.members,
    ...messages.map((m) => ({ arn: m.senderArn, name: m.senderName })),
  ]);
  return markRead({ ...state, open, names }, conversation.arn, newest(messages));
}

function closeConversation(state: State, notice?: string): Step {
  const next: State = {
    ...state,
    open: undefined,
    panel: state.panel === 'members' ? undefined : state.panel,
    channelMenu: false,
  };
  const navigated = step(next, { type: 'navigate' }, { type: 'focus', target: 'channels' });
  if (!notice) return navigated;
  const withToast = toast(navigated.state, notice);
  return { state: withToast.state, effects: [...navigated.effects, ...withToast.effects] };
}

function applyServerEvent(state: State, event: ChatEvent): Step {
  switch (event.kind) {
    case 'message':
      return applyMessage(state, event.message, event.created);
    case 'messageDeleted':
      return step(
        withConversation(state, event.channelArn, (c) => ({
          ...c,
          messages: removeMessage(c.messages, event.messageId),
        })),
      );
    case 'membership': {
      const names = rememberNames(state.names, [{ arn: event.memberArn, name: event.memberName }]);
      const named = { ...state, names };
      if (event.memberArn === state.me.arn) {
        const known = state.channels.some((c) => c.arn === event.channelArn);
        if (event.joined) return known ? step(named) : step(named, { type: 'loadChannels' });
        const without = {
          ...named,
          channels: state.channels.filter((c) => c.arn !== event.channelArn),
        };
        if (state.open?.arn !== event.channelArn) return step(without);
        return closeConversation(
          without,
          `You are no longer a member of ${channelName(state, event.channelArn)}.`,
        );
      }
      return step(
        withConversation(named, event.channelArn, (c) => {
          const others = c.members.filter((m) => m.arn !== event.memberArn);
          const member: Member = {
            arn: event.memberArn,
            ...(event.memberName && { name: event.memberName }),
          };
          return { ...c, members: event.joined ? [...others, member] : others };
        }),
      );
    }
    case 'channelUpdated': {
      if (!event.name) return step(state);
      const name = event.name;
      return step({
        ...state,
        channels: sortChannels(
          state.channels.map((c) => (c.arn === event.channelArn ? { ...c, name } : c)),
        ),
      });
    }
    case 'channelDeleted': {
      const next = { ...state, channels: state.channels.filter((c) => c.arn !== event.channelArn) };
      if (state.open?.arn !== event.channelArn) return step(next);
      return closeConversation(next, `${channelName(state, event.channelArn)} was deleted.`);
    }
    case 'ignored':
      return step(state);
  }
}

function applyMessage(state: State, message: ChatMessage, created: boolean): Step {
  const arn = message.channelArn;
  const mine = message.senderArn === state.me.arn;
  let next: State = {
    ...state,
    names: rememberNames(state.names, [{ arn: message.senderArn, name: message.senderName }]),
  };
  const effects: Effect[] = [];
  if (created) {
    const channel = state.channels.find((c) => c.arn === arn);
    if (!channel) effects.push({ type: 'loadChannels' });
    else if ((channel.lastMessageAt ?? 0) < message.createdAt) {
      next = {
        ...next,
        channels: upsertChannel(state.channels, { ...channel, lastMessageAt: message.createdAt }),
      };
    }
  }
  const open = next.open;
  if (open?.arn !== arn) {
    if (created && !mine)
      next = { ...next, unread: { ...next.unread, [arn]: (next.unread[arn] ?? 0) + 1 } };
    return { state: next, effects };
  }
  const isNew = created && !open.messages.some((m) => m.id === message.id);
  // My own message: it replaces the optimistic copy, matched by content if it beats the answer.
  let outgoing = open.outgoing;
  if (mine && created) {
    const index = outgoing.findIndex(
      (o) => o.status === 'sending' && o.content === message.content,
    );
    if (index >= 0) outgoing = outgoing.filter((_, i) => i !== index);
  }
  const messages = mergeMessages(open.messages, [message]);
  const fromOther = isNew && !mine;
  const scrolledUp = !open.atBottom;
  let conversation: Conversation = {
    ...open,
    messages,
    outgoing,
    ...(fromOther &&
      scrolledUp && {
        newBelow: open.newBelow + 1,
        unreadAfter: open.unreadAfter ?? newest(open.messages) ?? message.createdAt - 1,
      }),
    ...(isNew && !scrolledUp && { active: message.id }),
  };
  if (!conversation.active) conversation = { ...conversation, active: message.id };
  next = { ...next, open: conversation };
  if (isNew && (!scrolledUp || mine)) {
    const marked = markRead(next, arn, message.createdAt);
    return { state: marked.state, effects: [...effects, ...marked.effects] };
  }
  return { state: next, effects };
}

function confirmEffect(action: ConfirmAction): Effect {
  switch (action.kind) {
    case 'redact':
      return { type: 'redact', arn: action.channelArn, messageId: action.messageId };
    case 'leave':
      return { type: 'leave', arn: action.channelArn };
    case 'delete':
      return { type: 'deleteChannel', arn: action.channelArn };
    case 'removeMember':
      return { type: 'removeMember', arn: action.channelArn, memberArn: action.memberArn };
  }
}

/** The open dialog of `kind` shows why its action failed, and can be tried again. */
function dialogFailed(state: State, kind: Dialog['kind'], error: string): Step {
  const dialog = state.dialog;
  if (dialog?.kind !== kind) return step(state);
  return step({ ...state, dialog: { ...dialog, busy: false, error } });
}

// ---- the reducer ---------------------------------------------------------------------------------

export function reduce(state: State, event: Event): Step {
  const open = state.open;
  switch (event.type) {
    case 'started': {
      const effects: Effect[] = [{ type: 'connect' }, { type: 'loadChannels' }];
      if (!event.channelArn) return step(state, ...effects, { type: 'focus', target: 'channels' });
      const opened = openConversation(state, event.channelArn);
      return { state: opened.state, effects: [...effects, ...opened.effects] };
    }

    case 'tick':
      return step({ ...state, now: event.now });

    case 'route':
      if (event.channelArn === open?.arn) return step(state);
      if (!event.channelArn) return closeConversation(state);
      return openConversation(state, event.channelArn);

    // ---- connection ----------------------------------------------------------------------------

    case 'sessionLive': {
      const effects: Effect[] = [];
      if (state.hadSession) {
        // Whatever happened while the socket was down: channels (new ones, activity) and the
        // open conversation's messages since the newest one seen (merge drops repeats).
        effects.push({ type: 'loadChannels' });
        if (open?.status === 'ready') {
          const since = newest(open.messages);
          effects.push(
            since === undefined
              ? { type: 'reloadConversation', arn: open.arn }
              : { type: 'catchUp', arn: open.arn, since },
          );
        }
      }
      return step({ ...state, connection: { kind: 'live' }, hadSession: true }, ...effects);
    }

    case 'sessionClosed': {
      if (!isRetryableClose(event.code)) {
        return step({
          ...state,
          connection: { kind: 'stopped', reason: stoppedReason(event.code) },
        });
      }
      const attempt = state.connection.kind === 'reconnecting' ? state.connection.attempt + 1 : 1;
      const next = { ...state, connection: { kind: 'reconnecting' as const, attempt } };
      // Offline: wait for the browser's "online" instead of burning retries.
      return state.online ? step(next, { type: 'scheduleReconnect', attempt }) : step(next);
    }

    case 'reconnectNow':
      if (state.connection.kind === 'live' || state.connection.kind === 'connecting')
        return step(state);
      return step(
        state.connection.kind === 'stopped'
          ? { ...state, connection: { kind: 'connecting' } }
          : state,
        { type: 'connect' },
      );

    case 'offline':
      return step({
        ...state,
        online: false,
        connection:
          state.connection.kind === 'live' || state.connection.kind === 'connecting'
            ? { kind: 'reconnecting', attempt: 0 }
            : state.connection,
      });

    case 'online': {
      const next = { ...state, online: true };
      // Back online: try at once rather than at the end of a backoff.
      return state.connection.kind === 'reconnecting'
        ? step(next, { type: 'connect' })
        : step(next);
    }

    case 'pageVisible':
      return state.connection.kind === 'reconnecting' && state.online
        ? step(state, { type: 'connect' })
        : step(state);

    case 'serverEvent':
      return applyServerEvent(state, event.event);

    // ---- channels ------------------------------------------------------------------------------

    case 'channelsLoaded': {
      const channels = sortChannels(event.channels);
      const known = new Set(channels.map((c) => c.arn));
      const unread = Object.fromEntries(
        Object.entries(state.unread).filter(([arn]) => known.has(arn)),
      );
      const { channelsError: _cleared, ...rest } = state;
      return step({ ...rest, channelsLoaded: true, channels, unread });
    }

    case 'channelsFailed':
      return step({ ...state, channelsLoaded: true, channelsError: event.error });

    case 'conversationLoaded':
      if (open?.arn !== event.arn) return step(state);
      return loaded(state, open, event.page);

    case 'conversationFailed':
      if (open?.arn !== event.arn) return step(state);
      return step({ ...state, open: { ...open, status: 'failed', error: event.error } });

    case 'loadOlder':
      if (!open?.olderToken || open.loadingOlder) return step(state);
      return step(
        { ...state, open: { ...open, loadingOlder: true } },
        { type: 'loadOlder', arn: open.arn, token: open.olderToken },
      );

    case 'olderLoaded':
      return step(
        withConversation(state, event.arn, (c) => {
          const { olderToken: _old, ...rest } = c;
          return {
            ...rest,
            loadingOlder: false,
            messages: mergeMessages(c.messages, event.messages),
            ...(event.olderToken && { olderToken: event.olderToken }),
          };
        }),
      );

    case 'olderFailed': {
      const next = withConversation(state, event.arn, (c) => ({ ...c, loadingOlder: false }));
      return toast(next, event.error, 'error');
    }

    case 'caughtUp': {
      if (open?.arn !== event.arn) return step(state);
      const messages = mergeMessages(open.messages, event.messages);
      const names = rememberNames(
        state.names,
        event.messages.map((m) => ({ arn: m.senderArn, name: m.senderName })),
      );
      const next = { ...state, names, open: { ...open, messages } };
      return open.atBottom ? markRead(next, open.arn, newest(messages)) : step(next);
    }

    case 'newChannelRequested':
      return step({ ...state, dialog: { kind: 'newChannel', token: event.token, busy: false } });

    case 'createChannel': {
      const dialog = state.dialog;
      if (dialog?.kind !== 'newChannel' || dialog.busy) return step(state);
      const problem = channelNameProblem(event.name);
      if (problem)
        return step({ ...state, dialog: { ...dialog, nameError: problem, error: undefined } });
      return step(
        { ...state, dialog: { kind: 'newChannel', token: dialog.token, busy: true } },
        {
          type: 'createChannel',
          token: dialog.token,
          name: event.name.trim(),
          privacy: event.privacy,
          mode: event.mode,
        },
      );
    }

    case 'channelCreated': {
      const channel = event.channel;
      const conversation: Conversation = {
        ...newConversation(channel.arn),
        status: 'ready',
        // The creator is a member and a moderator of the new channel.
        members: [{ arn: state.me.arn }],
        moderators: [state.me.arn],
      };
      return step(
        {
          ...state,
          dialog: undefined,
          channels: upsertChannel(state.channels, channel),
          open: conversation,
          panel: state.panel === 'members' ? undefined : state.panel,
        },
        { type: 'navigate', arn: channel.arn },
        { type: 'focus', target: 'composer' },
        // Shown at once; the load brings the names (mine included) the service knows.
        { type: 'loadConversation', arn: channel.arn },
      );
    }

    case 'createChannelFailed':
      return dialogFailed(state, 'newChannel', event.error);

    case 'openByArnRequested':
      return step({ ...state, dialog: { kind: 'openByArn', busy: false } });

    case 'openByArn': {
      const arn = event.arn.trim();
      if (state.dialog?.kind !== 'openByArn' || state.dialog.busy) return step(state);
      if (!arn.startsWith(`${state.appInstanceArn}/channel/`)) {
        return step({
          ...state,
          dialog: {
            kind: 'openByArn',
            busy: false,
            error: 'That is not a channel ARN of this app.',
          },
        });
      }
      // The open channel stays open until this one has loaded (bug 13).
      return step(
        { ...state, dialog: { kind: 'openByArn', busy: true } },
        { type: 'probeChannel', arn },
      );
    }

    case 'probeSucceeded': {
      if (state.dialog?.kind !== 'openByArn') return step(state);
      const opened = loaded(
        {
          ...state,
          dialog: undefined,
          panel: state.panel === 'members' ? undefined : state.panel,
          unread: withoutKey(state.unread, event.arn),
        },
        newConversation(event.arn),
        event.page,
      );
      return {
        state: opened.state,
        effects: [
          ...opened.effects,
          { type: 'navigate', arn: event.arn },
          { type: 'focus', target: 'conversation' },
        ],
      };
    }

    case 'probeFailed':
      return dialogFailed(state, 'openByArn', event.error);

    case 'channelMenuToggled':
      return step({ ...state, channelMenu: !state.channelMenu });

    case 'leaveRequested':
      if (!open) return step(state);
      return step({
        ...state,
        channelMenu: false,
        dialog: {
          kind: 'confirm',
          busy: false,
          action: { kind: 'leave', channelArn: open.arn, name: channelName(state, open.arn) },
        },
      });

    case 'deleteRequested':
      if (!open || !isModerator(state)) return step(state);
      return step({
        ...state,
        channelMenu: false,
        dialog: {
          kind: 'confirm',
          busy: false,
          action: { kind: 'delete', channelArn: open.arn, name: channelName(state, open.arn) },
        },
      });

    case 'left':
    case 'deleted': {
      // The service's own event (DELETE_CHANNEL, or my membership's deletion) may arrive before
      // the API answers; it already closed the channel and said so, and a second notice would
      // replace that one with "Unnamed channel was deleted."
      if (!state.channels.some((c) => c.arn === event.arn)) {
        return step({ ...state, dialog: undefined });
      }
      const name = channelName(state, event.arn);
      const next: State = {
        ...state,
        dialog: undefined,
        channels: state.channels.filter((c) => c.arn !== event.arn),
        unread: withoutKey(state.unread, event.arn),
      };
      const text = event.type === 'left' ? `You left ${name}.` : `${name} was deleted.`;
      if (open?.arn === event.arn) return closeConversation(next, text);
      return toast(next, text);
    }

    // ---- composer and messages -----------------------------------------------------------------

    case 'draftChanged':
      if (!open) return step(state);
      return step({ ...state, drafts: { ...state.drafts, [open.arn]: event.text } });

    case 'send': {
      if (open?.status !== 'ready') return step(state);
      const content = state.drafts[open.arn] ?? '';
      // A second click finds the composer already emptied by the first (bug 2), and blank or
      // too long text never leaves the browser (bugs 7, 8).
      if (checkMessage(content).problem) return step(state);
      const outgoing: Outgoing = {
        token: event.token,
        channelArn: open.arn,
        content,
        createdAt: event.now,
        status: 'sending',
      };
      return step(
        {
          ...state,
          drafts: withoutKey(state.drafts, open.arn),
          open: { ...open, outgoing: [...open.outgoing, outgoing], atBottom: true, newBelow: 0 },
        },
        { type: 'send', arn: open.arn, token: event.token, content },
      );
    }

    case 'sendSucceeded': {
      if (!open) return step(state);
      const sent = open.outgoing.find((o) => o.token === event.token);
      if (!sent) return step(state);
      const provisional: ChatMessage = {
        id: event.messageId,
        channelArn: open.arn,
        content: sent.content,
        senderArn: state.me.arn,
        createdAt: sent.createdAt,
        updatedAt: 0,
        edited: false,
        redacted: false,
        provisional: true,
      };
      return step({
        ...state,
        open: {
          ...open,
          outgoing: open.outgoing.filter((o) => o.token !== event.token),
          messages: mergeMessages(open.messages, [provisional]),
          active: open.active ?? event.messageId,
        },
      });
    }

    case 'sendFailed':
      if (!open) return step(state);
      return step({
        ...state,
        open: {
          ...open,
          outgoing: open.outgoing.map((o) =>
            o.token === event.token ? { ...o, status: 'failed', error: event.error } : o,
          ),
        },
      });

    case 'retrySend': {
      const failed = open?.outgoing.find((o) => o.token === event.token && o.status === 'failed');
      if (!open || !failed) return step(state);
      return step(
        {
          ...state,
          open: {
            ...open,
            outgoing: open.outgoing.map((o) =>
              o.token === event.token ? { ...o, status: 'sending', error: undefined } : o,
            ),
          },
        },
        // The same token: if the first try did reach the service, this returns that message.
        { type: 'send', arn: open.arn, token: failed.token, content: failed.content },
      );
    }

    case 'discardSend':
      if (!open) return step(state);
      return step(
        {
          ...state,
          open: { ...open, outgoing: open.outgoing.filter((o) => o.token !== event.token) },
        },
        { type: 'focus', target: 'composer' },
      );

    case 'menuToggled': {
      if (!open) return step(state);
      const menuFor = open.menuFor === event.id ? undefined : event.id;
      return step(
        { ...state, open: { ...open, menuFor, active: event.id } },
        { type: 'focus', target: menuFor ? `menu:${event.id}` : `message:${event.id}` },
      );
    }

    case 'menuClosed': {
      if (!open?.menuFor && !state.channelMenu) return step(state);
      const id = open?.menuFor;
      const next: State = {
        ...state,
        channelMenu: false,
        ...(open && { open: { ...open, menuFor: undefined } }),
      };
      if (!event.returnFocus) return step(next);
      return step(next, {
        type: 'focus',
        target: id ? `message:${id}` : 'channelMenuButton',
      });
    }

    case 'activate':
      if (!open) return step(state);
      return step(
        { ...state, open: { ...open, active: event.id } },
        { type: 'focus', target: `message:${event.id}` },
      );

    case 'editStarted': {
      const message = open?.messages.find((m) => m.id === event.id);
      if (!open || !message || message.senderArn !== state.me.arn || message.redacted)
        return step(state);
      return step(
        {
          ...state,
          open: {
            ...open,
            menuFor: undefined,
            active: event.id,
            editing: { id: event.id, draft: message.content, saving: false },
          },
        },
        { type: 'focus', target: 'edit' },
      );
    }

    case 'editDraftChanged':
      if (!open?.editing) return step(state);
      return step({ ...state, open: { ...open, editing: { ...open.editing, draft: event.text } } });

    case 'editCancelled': {
      if (!open?.editing) return step(state);
      const id = open.editing.id;
      return step(
        { ...state, open: { ...open, editing: undefined } },
        { type: 'focus', target: `message:${id}` },
      );
    }

    case 'editSaved': {
      const editing = open?.editing;
      if (!open || !editing || editing.saving) return step(state);
      const check = checkMessage(editing.draft);
      if (check.problem) {
        const error =
          check.problem === 'empty'
            ? 'A message cannot be empty. To remove it, use Redact.'
            : 'Too long: messages are limited to 4 KB.';
        return step({ ...state, open: { ...open, editing: { ...editing, error } } });
      }
      const original = open.messages.find((m) => m.id === editing.id);
      if (original?.content === editing.draft) {
        return step(
          { ...state, open: { ...open, editing: undefined } },
          { type: 'focus', target: `message:${editing.id}` },
        );
      }
      return step(
        { ...state, open: { ...open, editing: { ...editing, saving: true, error: undefined } } },
        { type: 'edit', arn: open.arn, messageId: editing.id, content: editing.draft },
      );
    }

    case 'editSucceeded': {
      const message = open?.messages.find((m) => m.id === event.id);
      if (!open || !message) return step(state);
      return step(
        {
          ...state,
          open: {
            ...open,
            editing: undefined,
            messages: mergeMessages(open.messages, [
              {
                ...message,
                content: event.content,
                edited: true,
                updatedAt: message.updatedAt + 1,
              },
            ]),
          },
        },
        { type: 'focus', target: `message:${event.id}` },
      );
    }

    case 'editFailed':
      if (!open?.editing || open.editing.id !== event.id) return step(state);
      return step({
        ...state,
        open: { ...open, editing: { ...open.editing, saving: false, error: event.error } },
      });

    case 'redactRequested': {
      const message = open?.messages.find((m) => m.id === event.id);
      if (!open || !message) return step(state);
      if (message.senderArn !== state.me.arn && !isModerator(state)) return step(state);
      return step({
        ...state,
        open: { ...open, menuFor: undefined, active: event.id },
        dialog: {
          kind: 'confirm',
          busy: false,
          action: { kind: 'redact', channelArn: open.arn, messageId: event.id },
        },
      });
    }

    case 'redacted': {
      const message =
        open?.arn === event.arn ? open.messages.find((m) => m.id === event.id) : undefined;
      const next = { ...state, dialog: undefined };
      if (!open || !message) return step(next);
      return step(
        {
          ...next,
          open: {
            ...open,
            messages: mergeMessages(open.messages, [
              { ...message, content: '', redacted: true, updatedAt: message.updatedAt + 1 },
            ]),
          },
        },
        { type: 'focus', target: `message:${event.id}` },
      );
    }

    case 'scrolled': {
      if (!open || open.atBottom === event.atBottom) return step(state);
      if (!event.atBottom) return step({ ...state, open: { ...open, atBottom: false } });
      return markRead(
        { ...state, open: { ...open, atBottom: true, newBelow: 0 } },
        open.arn,
        newest(open.messages),
      );
    }

    case 'jumpToNew':
      if (!open) return step(state);
      return markRead(
        {
          ...state,
          open: { ...open, atBottom: true, newBelow: 0, active: open.messages.at(-1)?.id },
        },
        open.arn,
        newest(open.messages),
      );

    // ---- members -------------------------------------------------------------------------------

    case 'addMemberDraftChanged':
      return step({
        ...state,
        addMember: { ...state.addMember, draft: event.text, error: undefined },
      });

    case 'addMember': {
      if (!open || state.addMember.busy) return step(state);
      const person = state.addMember.draft.trim();
      const problem = personProblem(person);
      if (problem) return step({ ...state, addMember: { ...state.addMember, error: problem } });
      const mine = isEmailQuery(person)
        ? person.toLowerCase() === state.me.email.toLowerCase()
        : person === state.me.sub;
      if (mine) {
        return step({
          ...state,
          addMember: {
            ...state.addMember,
            error: `That is your own ${isEmailQuery(person) ? 'email' : 'id'}: you are already a member.`,
          },
        });
      }
      return step(
        { ...state, addMember: { ...state.addMember, busy: true, error: undefined } },
        { type: 'addMember', arn: open.arn, person },
      );
    }

    case 'addSuggested': {
      const userId = userIdOf(state, event.memberArn);
      if (!open || state.addMember.busy || !userId) return step(state);
      return step(
        { ...state, addMember: { ...state.addMember, busy: true, error: undefined } },
        { type: 'addMember', arn: open.arn, person: userId },
      );
    }

    case 'memberAdded': {
      const names = rememberNames(state.names, [event.member]);
      const next = {
        ...withConversation({ ...state, names }, event.arn, (c) => ({
          ...c,
          members: [...c.members.filter((m) => m.arn !== event.member.arn), event.member],
        })),
        addMember: { busy: false, draft: '' },
      };
      const added = toast(
        next,
        `Added ${nameOf(next, event.member.arn)} to ${channelName(state, event.arn)}.`,
      );
      return {
        state: added.state,
        effects: [...added.effects, { type: 'focus', target: 'addMember' }],
      };
    }

    case 'addMemberFailed':
      return step({
        ...state,
        addMember: { ...state.addMember, busy: false, error: event.error.message },
      });

    case 'removeMemberRequested': {
      if (!open || !isModerator(state) || event.memberArn === state.me.arn) return step(state);
      return step({
        ...state,
        dialog: {
          kind: 'confirm',
          busy: false,
          action: {
            kind: 'removeMember',
            channelArn: open.arn,
            memberArn: event.memberArn,
            name: nameOf(state, event.memberArn),
          },
        },
      });
    }

    case 'memberRemoved': {
      const next = withConversation({ ...state, dialog: undefined }, event.arn, (c) => ({
        ...c,
        members: c.members.filter((m) => m.arn !== event.memberArn),
      }));
      const removed = toast(next, `Removed ${nameOf(state, event.memberArn)}.`);
      return {
        state: removed.state,
        effects: [...removed.effects, { type: 'focus', target: 'panel' }],
      };
    }

    // ---- guests --------------------------------------------------------------------------------

    case 'inviteGuest': {
      if (!open || !state.guests.enabled || !isModerator(state) || state.guests.busy) {
        return step(state);
      }
      const name = event.name.trim();
      const problem = guestInviteProblem(name, event.lifetimeHours);
      if (problem) return step({ ...state, guests: { ...state.guests, error: problem } });
      return step(
        { ...state, guests: { ...state.guests, busy: true, error: undefined } },
        { type: 'inviteGuest', arn: open.arn, name, lifetimeHours: event.lifetimeHours },
      );
    }

    case 'guestInvited': {
      const { invite } = event;
      const member: Member = { arn: invite.guestArn, name: invite.name };
      const names = rememberNames(state.names, [member]);
      const next: State = {
        ...withConversation({ ...state, names }, invite.channelArn, (c) => ({
          ...c,
          members: [...c.members.filter((m) => m.arn !== member.arn), member],
        })),
        guests: { ...state.guests, busy: false, invites: [invite, ...state.guests.invites] },
      };
      return toast(next, `Invited ${invite.name}: give them the link.`);
    }

    case 'inviteGuestFailed':
      return step({ ...state, guests: { ...state.guests, busy: false, error: event.error } });

    case 'cancelGuestInvite':
    case 'guestInviteCancelled':
    case 'cancelGuestInviteFailed': {
      const invite = state.guests.invites.find((i) => i.guestArn === event.guestArn);
      if (!invite) return step(state);
      const status: GuestInvite['status'] =
        event.type === 'cancelGuestInvite'
          ? 'cancelling'
          : event.type === 'guestInviteCancelled'
            ? 'cancelled'
            : 'active';
      if (event.type === 'cancelGuestInvite' && invite.status !== 'active') return step(state);
      const guests = {
        ...state.guests,
        invites: state.guests.invites.map((i) => (i === invite ? { ...i, status } : i)),
      };
      const next = { ...state, guests };
      if (event.type === 'cancelGuestInvite') {
        return step(next, { type: 'cancelGuestInvite', guestArn: event.guestArn });
      }
      if (event.type === 'guestInviteCancelled') {
        return toast(next, `Cancelled ${invite.name}'s invite: it opens nothing any more.`);
      }
      return toast(next, `Could not cancel ${invite.name}'s invite: ${event.error}`, 'error');
    }

    // ---- dialogs, panels, notices --------------------------------------------------------------

    case 'confirmAccepted': {
      const dialog = state.dialog;
      if (dialog?.kind !== 'confirm' || dialog.busy) return step(state);
      return step(
        { ...state, dialog: { ...dialog, busy: true, error: undefined } },
        confirmEffect(dialog.action),
      );
    }

    case 'confirmFailed':
      return dialogFailed(state, 'confirm', event.error);

    case 'dialogClosed': {
      const dialog = state.dialog;
      if (!dialog || (dialog.kind !== 'openByArn' && dialog.busy)) return step(state);
      const next = { ...state, dialog: undefined };
      if (dialog.kind === 'confirm' && dialog.action.kind === 'redact') {
        return step(next, { type: 'focus', target: `message:${dialog.action.messageId}` });
      }
      return step(next);
    }

    case 'panelToggled': {
      if (state.panel === event.panel) {
        return step(
          { ...state, panel: undefined },
          { type: 'focus', target: event.panel === 'members' ? 'membersButton' : 'identityButton' },
        );
      }
      if (event.panel === 'members' && !open) return step(state);
      return step(
        { ...state, panel: event.panel, channelMenu: false },
        { type: 'focus', target: 'panel' },
      );
    }

    case 'panelClosed':
      if (!state.panel) return step(state);
      return step(
        { ...state, panel: undefined },
        { type: 'focus', target: state.panel === 'members' ? 'membersButton' : 'identityButton' },
      );

    case 'toastExpired':
      return state.toast?.id === event.id ? step({ ...state, toast: undefined }) : step(state);

    case 'actionFailed':
      return toast(state, event.error, 'error');

    case 'reloadChannels': {
      const { channelsError: _cleared, ...rest } = state;
      return step({ ...rest, channelsLoaded: false }, { type: 'loadChannels' });
    }

    // ---- identity ------------------------------------------------------------------------------

    case 'actAsDraftChanged':
      return step({ ...state, actAs: { ...state.actAs, draft: event.text } });

    case 'actAs': {
      if (state.actAs.busy) return step(state);
      const userId = actAsValue(state).trim();
      if (userId === '') {
        return step({
          ...state,
          actAs: {
            ...state.actAs,
            result: { kind: 'failed', message: "Enter another person's user id." },
          },
        });
      }
      // My own id is allowed by design: say so instead of raising a false alarm (bug 3).
      if (userId === state.me.sub)
        return step({ ...state, actAs: { ...state.actAs, result: { kind: 'own' } } });
      return step(
        { ...state, actAs: { ...state.actAs, busy: true, result: undefined } },
        { type: 'actAs', userId },
      );
    }

    case 'actAsAnswered': {
      const arn = `${state.appInstanceArn}/user/${event.userId}`;
      const name = state.names[arn];
      const who = { userId: event.userId, ...(name && { name }) };
      const result: ActAsResult = event.outcome.refused
        ? {
            kind: 'refused',
            ...who,
            code: event.outcome.code,
            ...(event.outcome.status !== undefined && { status: event.outcome.status }),
          }
        : { kind: 'allowed', ...who };
      return step({ ...state, actAs: { ...state.actAs, busy: false, result } });
    }

    case 'actAsFailed':
      return step({
        ...state,
        actAs: { ...state.actAs, busy: false, result: { kind: 'failed', message: event.error } },
      });

    case 'credentialsChanged':
      return step({ ...state, credentials: event.info });

    case 'switchCredentials':
      if (state.credentialsBusy || state.credentialSource === event.source) return step(state);
      return step(
        { ...state, credentialSource: event.source, credentialsBusy: true },
        { type: 'switchCredentials', source: event.source },
      );

    case 'credentialsSwitched':
      return step({ ...state, credentialsBusy: false });

    case 'credentialsFailed': {
      const failed = toast({ ...state, credentialsBusy: false }, event.error, 'error');
      return failed;
    }
  }
}

/** The channel id the URL carries (`#/channel/<id>`), as an ARN. */
export function channelFromHash(hash: string, appInstanceArn: string): string | undefined {
  const match = /^#\/channel\/([A-Za-z0-9][\w.:-]{0,63})$/.exec(hash);
  return match?.[1] ? `${appInstanceArn}/channel/${match[1]}` : undefined;
}

export function hashFor(channelArn: string | undefined): string {
  return channelArn ? `#/channel/${arnId(channelArn)}` : '#/';
}
