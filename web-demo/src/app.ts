/**
 * The signed-in app (a lazily loaded chunk), as thin wiring: events go through the pure reducer
 * (state.ts); its effects run here against the chat API (chat-api.ts), the messaging session, the
 * URL, timers and localStorage; the views (views/*) render the state. Nothing here decides what
 * the chat does; it only connects the pieces to the browser.
 */
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { TemplateResult } from 'lit-html';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import type { ClientConfig } from '../../contracts/client-config';
import { DEFAULT_GUEST_NAME } from '../../contracts/guests';
import { type ChatApi, createChatApi, peopleDirectory } from './chat-api';
import { reconnectDelayMs } from './connection';
import { CredentialProvider } from './credentials';
import { type ErrorContext, friendlyError } from './errors';
import { interpretEvent } from './events';
import { type GuestInviteApi, guestInviteApi } from './guest-invite';
import { idToken } from './id-token';
import { type MessagingSessionHandle, startAppMessagingSession } from './messaging-session';
import {
  type Effect,
  type Event,
  type FocusTarget,
  type State,
  channelFromHash,
  hashFor,
  initialState,
  reduce,
} from './state';
import { appView } from './views/app-view';
import type { ViewContext } from './views/context';

export interface SignedInIdentity {
  readonly sub: string;
  readonly email: string;
  readonly identityId?: string;
}

export interface SignedInApp {
  view(): TemplateResult;
  /** Called by the shell around every render (scroll position, focus). */
  beforeRender(): void;
  afterRender(): void;
  stop(): void;
}

export interface SignedInAppOptions {
  readonly config: ClientConfig;
  readonly identity: SignedInIdentity;
  readonly requestRender: () => void;
  readonly signOut: () => Promise<void>;
}

const TOAST_MS = 6000;
const PHONE = '(max-width: 720px)';

function readMarksKey(sub: string): string {
  return `chime-chat:read-marks:${sub}`;
}

function loadReadMarks(sub: string): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(readMarksKey(sub)) ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return {};
  }
}

/**
 * Keeps the reading position across renders: stuck to the newest message when the reader is at
 * the bottom, otherwise the first visible message stays where it was (older messages loaded
 * above, or new ones below, do not move the view).
 */
class ScrollKeeper {
  private anchor?: { id: string; offset: number };
  private arn?: string;

  before(state: State): void {
    this.anchor = undefined;
    const box = document.getElementById('messages-scroll');
    if (!box || !state.open || state.open.atBottom) return;
    for (const el of box.querySelectorAll<HTMLElement>('[data-message-id]')) {
      if (el.offsetTop + el.offsetHeight > box.scrollTop) {
        this.anchor = { id: el.dataset.messageId ?? '', offset: el.offsetTop - box.scrollTop };
        return;
      }
    }
  }

  after(state: State): void {
    const box = document.getElementById('messages-scroll');
    const open = state.open;
    const switched = open?.arn !== this.arn;
    this.arn = open?.arn;
    if (!box || !open) return;
    if (open.atBottom || switched) {
      box.scrollTop = box.scrollHeight;
      return;
    }
    const anchor = this.anchor;
    const el =
      anchor && box.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(anchor.id)}"]`);
    if (anchor && el) box.scrollTop = el.offsetTop - anchor.offset;
  }
}

function focusSelector(target: FocusTarget): string {
  if (target.startsWith('message:')) {
    return `[data-message-id="${CSS.escape(target.slice('message:'.length))}"]`;
  }
  if (target.startsWith('menu:')) {
    return `#menu-${CSS.escape(target.slice('menu:'.length))} .menu-item`;
  }
  const phone = matchMedia(PHONE).matches;
  const selectors: Record<string, string> = {
    composer: '#composer',
    // On a phone, focusing the composer would pop up the keyboard over the conversation.
    conversation: phone ? '#conversation-title' : '#composer',
    channels: '#channels-heading',
    edit: '#edit-field',
    panel: '#panel-title',
    addMember: '#add-member',
    actAs: '#act-as',
    membersButton: '#members-button',
    identityButton: '#identity-button',
    channelMenuButton: '#channel-menu-button',
  };
  return selectors[target] ?? 'body';
}

class Wiring implements SignedInApp {
  private state: State;
  private readonly api: ChatApi;
  /** Guest invites, when the HTTP API serves them (docs/guests.md). */
  private readonly guestInvites?: GuestInviteApi;
  private readonly client: ChimeSDKMessagingClient;
  private readonly credentials: CredentialProvider;
  /** Credentials fetched once up front: the channel list and the session endpoint share them. */
  private readonly ready: Promise<unknown>;
  private session?: MessagingSessionHandle;
  private generation = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly ticker: ReturnType<typeof setInterval>;
  private lastTick = Date.now();
  private pendingFocus?: FocusTarget;
  private readonly scroll = new ScrollKeeper();
  private readonly cleanups: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: SignedInAppOptions) {
    const { config, identity } = options;
    this.credentials = new CredentialProvider(config);
    this.client = new ChimeSDKMessagingClient({
      region: config.region,
      credentials: this.credentials.provide,
      ...(config.endpoints?.chimeMessaging && { endpoint: config.endpoints.chimeMessaging }),
    });
    this.api = createChatApi(this.client, {
      appInstanceArn: config.appInstanceArn,
      userId: identity.sub,
      people: peopleDirectory({
        appInstanceArn: config.appInstanceArn,
        ...(config.apiUrl && { apiUrl: config.apiUrl }),
        idToken,
      }),
    });
    if (config.guests && config.apiUrl) {
      this.guestInvites = guestInviteApi(config.apiUrl, location.origin);
    }
    this.state = initialState({
      me: {
        arn: appInstanceUserArn(config.appInstanceArn, identity.sub),
        sub: identity.sub,
        email: identity.email,
        ...(identity.identityId && { identityId: identity.identityId }),
      },
      appInstanceArn: config.appInstanceArn,
      now: Date.now(),
      online: navigator.onLine,
      readMarks: loadReadMarks(identity.sub),
      guests: this.guestInvites !== undefined,
    });
    this.cleanups.push(
      this.credentials.onChange((info) => this.dispatch({ type: 'credentialsChanged', info })),
    );
    this.ready = this.credentials.provide().catch(() => undefined);
    this.listen(window, 'hashchange', () =>
      this.dispatch({ type: 'route', channelArn: this.routeChannel() }),
    );
    this.listen(window, 'online', () => this.dispatch({ type: 'online' }));
    this.listen(window, 'offline', () => this.dispatch({ type: 'offline' }));
    this.listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') this.dispatch({ type: 'pageVisible' });
    });
    // A click outside an open menu closes it.
    this.listen(document, 'pointerdown', (e) => {
      const open = this.state.open?.menuFor || this.state.channelMenu;
      if (open && !(e.target as Element | null)?.closest?.('.msg-actions, .menu-anchor')) {
        this.dispatch({ type: 'menuClosed', returnFocus: false });
      }
    });
    // Relative times every 30 s; the credential countdown every second while it shows.
    this.ticker = setInterval(() => {
      const now = Date.now();
      if (this.state.panel === 'identity' || now - this.lastTick >= 30_000) {
        this.lastTick = now;
        this.dispatch({ type: 'tick', now });
      }
    }, 1000);
    this.dispatch({ type: 'started', channelArn: this.routeChannel() });
  }

  private listen(target: EventTarget, type: string, handler: (e: globalThis.Event) => void): void {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }

  private routeChannel(): string | undefined {
    return channelFromHash(location.hash, this.options.config.appInstanceArn);
  }

  private readonly dispatch = (event: Event): void => {
    if (this.stopped) return;
    const { state, effects } = reduce(this.state, event);
    this.state = state;
    for (const effect of effects) this.run(effect);
    this.options.requestRender();
  };

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  /** Runs an API call after the first credentials, reporting its outcome as an event. */
  private call<T>(
    action: () => Promise<T>,
    ok: (value: T) => Event,
    failed: (message: string, error: unknown) => Event,
    context: ErrorContext = 'chat',
  ): void {
    void this.ready.then(action).then(
      (value) => this.dispatch(ok(value)),
      (error: unknown) => this.dispatch(failed(friendlyError(error, context).message, error)),
    );
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer);
    this.session?.stop();
    const generation = ++this.generation;
    const current = () => generation === this.generation && !this.stopped;
    void this.ready.then(() => {
      if (!current()) return;
      this.session = startAppMessagingSession(this.client, this.api.me, this.options.config, {
        onEvent: (type, payload) =>
          current() && this.dispatch({ type: 'serverEvent', event: interpretEvent(type, payload) }),
        onLive: () => current() && this.dispatch({ type: 'sessionLive' }),
        onClosed: (code) =>
          current() &&
          this.dispatch({ type: 'sessionClosed', ...(code !== undefined && { code }) }),
      });
    });
  }

  private run(effect: Effect): void {
    const api = this.api;
    switch (effect.type) {
      case 'connect':
        return this.connect();
      case 'scheduleReconnect':
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(
          () => this.dispatch({ type: 'reconnectNow' }),
          reconnectDelayMs(effect.attempt, Math.random()),
        );
        return;
      case 'loadChannels':
        return this.call(
          () => api.listChannels(),
          (channels) => ({ type: 'channelsLoaded', channels }),
          (error) => ({ type: 'channelsFailed', error }),
        );
      case 'loadConversation':
        return this.call(
          () => api.loadConversation(effect.arn),
          (page) => ({ type: 'conversationLoaded', arn: effect.arn, page }),
          (error) => ({ type: 'conversationFailed', arn: effect.arn, error }),
          'openChannel',
        );
      case 'probeChannel':
        return this.call(
          () => api.loadConversation(effect.arn),
          (page) => ({ type: 'probeSucceeded', arn: effect.arn, page }),
          (error) => ({ type: 'probeFailed', arn: effect.arn, error }),
          'openChannel',
        );
      case 'loadOlder':
        return this.call(
          () => api.olderMessages(effect.arn, effect.token),
          (page) => ({ type: 'olderLoaded', arn: effect.arn, ...page }),
          (error) => ({ type: 'olderFailed', arn: effect.arn, error }),
        );
      case 'catchUp':
        return this.call(
          () => api.messagesSince(effect.arn, effect.since),
          (messages) => ({ type: 'caughtUp', arn: effect.arn, messages }),
          (error) => ({ type: 'actionFailed', error: `Could not catch up: ${error}` }),
        );
      case 'reloadConversation':
        return this.call(
          () => api.loadConversation(effect.arn),
          (page) => ({ type: 'caughtUp', arn: effect.arn, messages: page.messages }),
          (error) => ({ type: 'actionFailed', error: `Could not catch up: ${error}` }),
        );
      case 'send':
        return this.call(
          () => api.send(effect.arn, effect.content, effect.token),
          ({ messageId }) => ({ type: 'sendSucceeded', token: effect.token, messageId }),
          (error) => ({ type: 'sendFailed', token: effect.token, error }),
          'send',
        );
      case 'edit':
        return this.call(
          () => api.edit(effect.arn, effect.messageId, effect.content),
          () => ({ type: 'editSucceeded', id: effect.messageId, content: effect.content }),
          (error) => ({ type: 'editFailed', id: effect.messageId, error }),
        );
      case 'redact':
        return this.call(
          () => api.redact(effect.arn, effect.messageId),
          () => ({ type: 'redacted', arn: effect.arn, id: effect.messageId }),
          (error) => ({ type: 'confirmFailed', error }),
        );
      case 'createChannel':
        return this.call(
          () =>
            api.createChannel(
              { name: effect.name, privacy: effect.privacy, mode: effect.mode },
              effect.token,
            ),
          (channel) => ({ type: 'channelCreated', channel }),
          (error) => ({ type: 'createChannelFailed', error }),
          'createChannel',
        );
      case 'addMember':
        return this.call(
          () => api.addMember(effect.arn, effect.person),
          (member) => ({ type: 'memberAdded', arn: effect.arn, member }),
          (_message, error) => ({
            type: 'addMemberFailed',
            error: friendlyError(error, 'addMember'),
          }),
          'addMember',
        );
      case 'removeMember':
        return this.call(
          () => api.removeMember(effect.arn, effect.memberArn),
          () => ({ type: 'memberRemoved', arn: effect.arn, memberArn: effect.memberArn }),
          (error) => ({ type: 'confirmFailed', error }),
        );
      case 'inviteGuest': {
        const invites = this.guestInvites;
        if (!invites) return;
        return this.call(
          async () => {
            const created = await invites.create(effect.arn, effect.name, effect.lifetimeHours);
            // The moderator adds the guest with their own bearer (the server never does).
            await api.addMemberByArn(effect.arn, created.guestArn);
            return created;
          },
          (created) => ({
            type: 'guestInvited',
            invite: {
              channelArn: effect.arn,
              guestArn: created.guestArn,
              name: effect.name || DEFAULT_GUEST_NAME,
              link: created.link,
              expiresAt: Date.parse(created.expiresAt),
              status: 'active',
            },
          }),
          (error) => ({ type: 'inviteGuestFailed', error }),
        );
      }
      case 'cancelGuestInvite': {
        const invites = this.guestInvites;
        if (!invites) return;
        return this.call(
          () => invites.cancel(effect.guestArn),
          () => ({ type: 'guestInviteCancelled', guestArn: effect.guestArn }),
          (error) => ({ type: 'cancelGuestInviteFailed', guestArn: effect.guestArn, error }),
        );
      }
      case 'leave':
        return this.call(
          () => api.leave(effect.arn),
          () => ({ type: 'left', arn: effect.arn }),
          (error) => ({ type: 'confirmFailed', error }),
        );
      case 'deleteChannel':
        return this.call(
          () => api.deleteChannel(effect.arn),
          () => ({ type: 'deleted', arn: effect.arn }),
          (error) => ({ type: 'confirmFailed', error }),
        );
      case 'actAs':
        return this.call(
          () => api.tryActAs(effect.userId),
          (outcome) => ({ type: 'actAsAnswered', userId: effect.userId, outcome }),
          (error) => ({ type: 'actAsFailed', error }),
        );
      case 'navigate': {
        const hash = hashFor(effect.arn);
        if (location.hash !== hash && !(hash === '#/' && location.hash === '')) {
          location.hash = hash;
        }
        return;
      }
      case 'focus':
        this.pendingFocus = effect.target;
        return;
      case 'saveReadMarks':
        try {
          localStorage.setItem(readMarksKey(this.state.me.sub), JSON.stringify(effect.marks));
        } catch {
          // Storage full or denied: unread dots just reset on reload.
        }
        return;
      case 'expireToast':
        return this.later(TOAST_MS, () => this.dispatch({ type: 'toastExpired', id: effect.id }));
      case 'switchCredentials':
        void (async () => {
          try {
            this.credentials.use(effect.source);
            await this.credentials.provide();
            // The WebSocket URL is signed with the credentials: reconnect with the new ones.
            this.connect();
            this.dispatch({ type: 'credentialsSwitched' });
          } catch (error) {
            this.dispatch({ type: 'credentialsFailed', error: friendlyError(error).message });
          }
        })();
        return;
    }
  }

  view(): TemplateResult {
    const { config } = this.options;
    const ctx: ViewContext = {
      state: this.state,
      dispatch: this.dispatch,
      newToken: () => crypto.randomUUID(),
      now: () => Date.now(),
      principalTagKey: config.principalTagKey,
      vendingAvailable: Boolean(config.credentialVendingUrl),
      signOut: () => void this.options.signOut(),
    };
    return appView(ctx);
  }

  beforeRender(): void {
    this.scroll.before(this.state);
  }

  afterRender(): void {
    this.scroll.after(this.state);
    const target = this.pendingFocus;
    if (!target) return;
    this.pendingFocus = undefined;
    document.querySelector<HTMLElement>(focusSelector(target))?.focus();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.reconnectTimer);
    for (const timer of this.timers) clearTimeout(timer);
    for (const cleanup of this.cleanups) cleanup();
    this.session?.stop();
    this.session = undefined;
  }
}

export function createSignedInApp(options: SignedInAppOptions): SignedInApp {
  return new Wiring(options);
}
