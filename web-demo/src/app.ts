/**
 * The signed-in app (a lazily loaded chunk): the Who-am-I panel and the chat over Chime SDK
 * messaging, signed with credentials that Cognito scoped to this one user.
 */
import {
  ChimeSDKMessagingClient,
  type ChannelSummary,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  DeleteChannelCommand,
  DeleteChannelMembershipCommand,
  ListChannelMembershipsCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelMessagesCommand,
  ListChannelModeratorsCommand,
  RedactChannelMessageCommand,
  SendChannelMessageCommand,
  UpdateChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { type ClientConfig } from '../../contracts/client-config';
import { type CredentialSource, CredentialProvider } from './credentials';
import { isGuestUserArn } from '../../contracts/guests';
import { type FriendlyError, friendlyError } from './errors';
import { GuestInvites } from './guest-invite';
import { type ChatEvent, interpretEvent } from './events';
import { arnId, countdown } from './format';
import {
  type ChatMessage,
  catchUpFrom,
  mergeMessages,
  removeMessage,
  toChatMessage,
} from './messages';
import {
  type ConnectionState,
  type MessagingSessionHandle,
  startMessagingSession,
} from './messaging-session';

export interface SignedInIdentity {
  readonly sub: string;
  readonly email: string;
  readonly identityId?: string;
}

export interface SignedInApp {
  view(): TemplateResult;
  stop(): void;
}

export interface SignedInAppOptions {
  readonly config: ClientConfig;
  readonly identity: SignedInIdentity;
  readonly requestRender: () => void;
  readonly signOut: () => Promise<void>;
}

interface Member {
  readonly arn: string;
  readonly name: string;
}

interface ChannelView {
  readonly arn: string;
  messages: readonly ChatMessage[];
  olderToken?: string;
  members: readonly Member[];
  moderator: boolean;
  loaded: boolean;
}

type ActAsResult =
  | { readonly refused: true; readonly error: FriendlyError; readonly status?: number }
  | { readonly refused: false };

const PAGE_SIZE = 50;

function fieldValue(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

class ChatApp implements SignedInApp {
  private readonly client: ChimeSDKMessagingClient;
  private readonly credentials: CredentialProvider;
  private readonly userArn: string;
  private session?: MessagingSessionHandle;
  private hadSession = false;
  private connection: ConnectionState = 'connecting';
  private connectionDetail?: string;
  private channels: ChannelSummary[] = [];
  private channelsLoaded = false;
  private readonly unread = new Map<string, number>();
  private selected?: ChannelView;
  private editing?: string;
  private error?: FriendlyError;
  private notice?: string;
  private busy = false;
  private actAs?: ActAsResult;
  private readonly timer: ReturnType<typeof setInterval>;
  /** "Invite a guest" for moderators, when the API serves guests (web-demo/src/guest-invite.ts). */
  private readonly guestInvites?: GuestInvites;

  constructor(private readonly options: SignedInAppOptions) {
    const { config, identity } = options;
    this.userArn = appInstanceUserArn(config.appInstanceArn, identity.sub);
    this.credentials = new CredentialProvider(config);
    this.credentials.onChange(() => options.requestRender());
    this.client = new ChimeSDKMessagingClient({
      region: config.region,
      credentials: this.credentials.provide,
      ...(config.endpoints?.chimeMessaging && { endpoint: config.endpoints.chimeMessaging }),
    });
    if (config.guests && config.apiUrl) {
      this.guestInvites = new GuestInvites({
        apiUrl: config.apiUrl,
        client: this.client,
        userArn: this.userArn,
        run: (action) => this.run(action),
        added: (member) => {
          const channel = this.selected;
          // Replaces the entry a membership event may have added first (it has no name).
          if (channel) {
            channel.members = [...channel.members.filter((m) => m.arn !== member.arn), member];
          }
        },
        requestRender: () => this.render(),
      });
    }
    // The countdown in the Who-am-I panel.
    this.timer = setInterval(() => options.requestRender(), 1000);
    void this.begin();
  }

  private render(): void {
    this.options.requestRender();
  }

  private async begin(): Promise<void> {
    // Credentials first, once: the channel list and the session endpoint then share them.
    await this.run(async () => {
      await this.credentials.provide();
    });
    this.connect();
    void this.loadChannels();
  }

  private connect(): void {
    this.session?.stop();
    this.session = startMessagingSession(
      this.client,
      this.userArn,
      this.options.config.endpoints?.chimeMessaging,
      {
        onState: (state, detail) => {
          this.connection = state;
          this.connectionDetail = detail;
          this.render();
        },
        // Also after a manual "Reconnect" (a new session): anything may have been missed.
        onEstablished: (reconnected) => {
          void this.catchUp(reconnected || this.hadSession);
          this.hadSession = true;
        },
        onEvent: (type, payload) => this.apply(interpretEvent(type, payload)),
      },
    );
  }

  stop(): void {
    clearInterval(this.timer);
    this.session?.stop();
    this.session = undefined;
  }

  /** Runs a Chime call, showing a friendly error instead of throwing. */
  private async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = undefined;
    this.render();
    try {
      return await action();
    } catch (error) {
      this.error = friendlyError(error);
      return undefined;
    } finally {
      this.busy = false;
      this.render();
    }
  }

  // ---- data ------------------------------------------------------------------------------------

  private async loadChannels(): Promise<void> {
    await this.run(async () => {
      const channels: ChannelSummary[] = [];
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new ListChannelMembershipsForAppInstanceUserCommand({
            ChimeBearer: this.userArn,
            AppInstanceUserArn: this.userArn,
            ...(token && { NextToken: token }),
          }),
        );
        for (const m of page.ChannelMemberships ?? []) {
          if (m.ChannelSummary?.ChannelArn) channels.push(m.ChannelSummary);
        }
        token = page.NextToken;
      } while (token);
      channels.sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
      this.channels = channels;
      this.channelsLoaded = true;
    });
  }

  private async fetchMessages(
    channelArn: string,
    params: { notBefore?: Date; olderToken?: string },
  ): Promise<{ messages: ChatMessage[]; olderToken?: string }> {
    const messages: ChatMessage[] = [];
    if (params.notBefore) {
      // Catch-up: everything since the last message seen, oldest first, every page.
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new ListChannelMessagesCommand({
            ChannelArn: channelArn,
            ChimeBearer: this.userArn,
            SortOrder: 'ASCENDING',
            NotBefore: params.notBefore,
            MaxResults: PAGE_SIZE,
            ...(token && { NextToken: token }),
          }),
        );
        for (const raw of page.ChannelMessages ?? []) {
          const m = toChatMessage(raw, channelArn);
          if (m) messages.push(m);
        }
        token = page.NextToken;
      } while (token);
      return { messages };
    }
    const page = await this.client.send(
      new ListChannelMessagesCommand({
        ChannelArn: channelArn,
        ChimeBearer: this.userArn,
        SortOrder: 'DESCENDING',
        MaxResults: PAGE_SIZE,
        ...(params.olderToken && { NextToken: params.olderToken }),
      }),
    );
    for (const raw of page.ChannelMessages ?? []) {
      const m = toChatMessage(raw, channelArn);
      if (m) messages.push(m);
    }
    return { messages, ...(page.NextToken && { olderToken: page.NextToken }) };
  }

  private async openChannel(channelArn: string): Promise<void> {
    this.editing = undefined;
    this.notice = undefined;
    const channel: ChannelView = {
      arn: channelArn,
      messages: [],
      members: [],
      moderator: false,
      loaded: false,
    };
    this.selected = channel;
    this.unread.delete(channelArn);
    const ok = await this.run(async () => {
      const [page, members, moderators] = await Promise.all([
        this.fetchMessages(channelArn, {}),
        this.client.send(
          new ListChannelMembershipsCommand({
            ChannelArn: channelArn,
            ChimeBearer: this.userArn,
            MaxResults: 50,
          }),
        ),
        this.client.send(
          new ListChannelModeratorsCommand({
            ChannelArn: channelArn,
            ChimeBearer: this.userArn,
            MaxResults: 50,
          }),
        ),
      ]);
      channel.messages = mergeMessages(channel.messages, page.messages);
      channel.olderToken = page.olderToken;
      channel.members = (members.ChannelMemberships ?? []).flatMap((m) =>
        m.Member?.Arn ? [{ arn: m.Member.Arn, name: m.Member.Name ?? arnId(m.Member.Arn) }] : [],
      );
      channel.moderator = (moderators.ChannelModerators ?? []).some(
        (m) => m.Moderator?.Arn === this.userArn,
      );
      channel.loaded = true;
      return true;
    });
    if (!ok && this.selected === channel) this.selected = undefined;
    this.render();
    if (ok) this.scrollToEnd();
  }

  private async loadOlder(): Promise<void> {
    const channel = this.selected;
    if (!channel?.olderToken) return;
    const olderToken = channel.olderToken;
    await this.run(async () => {
      const page = await this.fetchMessages(channel.arn, { olderToken });
      channel.messages = mergeMessages(channel.messages, page.messages);
      channel.olderToken = page.olderToken;
    });
  }

  /** After every (re)connect: nothing sent while the socket was down is lost. */
  private async catchUp(reconnected: boolean): Promise<void> {
    if (reconnected) void this.loadChannels();
    const channel = this.selected;
    if (!channel?.loaded) return;
    const since = catchUpFrom(channel.messages);
    if (!since && !reconnected) return;
    await this.run(async () => {
      const page = since
        ? await this.fetchMessages(channel.arn, { notBefore: since })
        : await this.fetchMessages(channel.arn, {});
      channel.messages = mergeMessages(channel.messages, page.messages);
    });
    this.scrollToEnd();
  }

  private apply(event: ChatEvent): void {
    const me = this.userArn;
    switch (event.kind) {
      case 'message': {
        const { channelArn } = event.message;
        if (this.selected?.arn === channelArn) {
          this.selected.messages = mergeMessages(this.selected.messages, [event.message]);
          this.scrollToEnd();
        } else {
          this.unread.set(channelArn, (this.unread.get(channelArn) ?? 0) + 1);
        }
        if (!this.channels.some((c) => c.ChannelArn === channelArn)) void this.loadChannels();
        break;
      }
      case 'messageDeleted':
        if (this.selected?.arn === event.channelArn) {
          this.selected.messages = removeMessage(this.selected.messages, event.messageId);
        }
        break;
      case 'membership':
        if (event.memberArn === me) {
          if (!event.joined) {
            this.channels = this.channels.filter((c) => c.ChannelArn !== event.channelArn);
            if (this.selected?.arn === event.channelArn) {
              this.selected = undefined;
              this.notice = 'You are no longer a member of that channel.';
            }
          } else if (!this.channels.some((c) => c.ChannelArn === event.channelArn)) {
            void this.loadChannels();
          }
        } else if (this.selected?.arn === event.channelArn) {
          const known = this.selected.members.find((m) => m.arn === event.memberArn);
          const others = this.selected.members.filter((m) => m.arn !== event.memberArn);
          // The event names no display name: keep the one already known (e.g. an invited guest's).
          this.selected.members = event.joined
            ? [...others, known ?? { arn: event.memberArn, name: arnId(event.memberArn) }]
            : others;
        }
        break;
      case 'channelUpdated':
        if (event.name) {
          this.channels = this.channels.map((c) =>
            c.ChannelArn === event.channelArn ? { ...c, Name: event.name } : c,
          );
        }
        break;
      case 'channelDeleted':
        this.channels = this.channels.filter((c) => c.ChannelArn !== event.channelArn);
        if (this.selected?.arn === event.channelArn) {
          this.selected = undefined;
          this.notice = 'That channel was deleted.';
        }
        break;
      case 'ignored':
        return;
    }
    this.render();
  }

  private scrollToEnd(): void {
    requestAnimationFrame(() => {
      const list = document.getElementById('messages');
      if (list) list.scrollTop = list.scrollHeight;
    });
  }

  // ---- actions ---------------------------------------------------------------------------------

  private async createChannel(form: HTMLFormElement): Promise<void> {
    const name = fieldValue(form, 'name');
    const privacy = fieldValue(form, 'privacy') === 'PUBLIC' ? 'PUBLIC' : 'PRIVATE';
    const mode = fieldValue(form, 'mode') === 'RESTRICTED' ? 'RESTRICTED' : 'UNRESTRICTED';
    const created = await this.run(() =>
      this.client.send(
        new CreateChannelCommand({
          AppInstanceArn: this.options.config.appInstanceArn,
          Name: name,
          Privacy: privacy,
          Mode: mode,
          ClientRequestToken: crypto.randomUUID(),
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!created?.ChannelArn) return;
    form.reset();
    form.closest('details')?.removeAttribute('open');
    this.channels = [
      ...this.channels.filter((c) => c.ChannelArn !== created.ChannelArn),
      { ChannelArn: created.ChannelArn, Name: name, Privacy: privacy, Mode: mode },
    ];
    await this.openChannel(created.ChannelArn);
  }

  private async addMember(form: HTMLFormElement): Promise<void> {
    const channel = this.selected;
    const userId = fieldValue(form, 'userId');
    if (!channel || !userId) return;
    const memberArn = appInstanceUserArn(this.options.config.appInstanceArn, userId);
    const done = await this.run(() =>
      this.client.send(
        new CreateChannelMembershipCommand({
          ChannelArn: channel.arn,
          MemberArn: memberArn,
          Type: 'DEFAULT',
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!done) return;
    form.reset();
    if (!channel.members.some((m) => m.arn === memberArn)) {
      channel.members = [...channel.members, { arn: memberArn, name: userId }];
    }
    this.notice = `Added ${userId}.`;
  }

  private async removeMember(member: Member): Promise<void> {
    const channel = this.selected;
    if (!channel) return;
    const done = await this.run(() =>
      this.client.send(
        new DeleteChannelMembershipCommand({
          ChannelArn: channel.arn,
          MemberArn: member.arn,
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (done) channel.members = channel.members.filter((m) => m.arn !== member.arn);
  }

  private async leave(): Promise<void> {
    const channel = this.selected;
    if (!channel) return;
    const done = await this.run(() =>
      this.client.send(
        new DeleteChannelMembershipCommand({
          ChannelArn: channel.arn,
          MemberArn: this.userArn,
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!done) return;
    this.channels = this.channels.filter((c) => c.ChannelArn !== channel.arn);
    this.selected = undefined;
    this.notice = 'You left the channel.';
  }

  private async deleteChannel(): Promise<void> {
    const channel = this.selected;
    if (!channel) return;
    if (!confirm('Delete this channel and all its messages for everyone?')) return;
    const done = await this.run(() =>
      this.client.send(
        new DeleteChannelCommand({ ChannelArn: channel.arn, ChimeBearer: this.userArn }),
      ),
    );
    if (!done) return;
    this.channels = this.channels.filter((c) => c.ChannelArn !== channel.arn);
    this.selected = undefined;
    this.notice = 'Channel deleted.';
  }

  private async send(form: HTMLFormElement): Promise<void> {
    const channel = this.selected;
    const content = fieldValue(form, 'content');
    if (!channel || !content) return;
    const sent = await this.run(() =>
      this.client.send(
        new SendChannelMessageCommand({
          ChannelArn: channel.arn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ClientRequestToken: crypto.randomUUID(),
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!sent?.MessageId) return;
    form.reset();
    // Shown at once; the WebSocket copy (with the server's timestamps) replaces it.
    const now = Date.now();
    const local: ChatMessage = {
      id: sent.MessageId,
      channelArn: channel.arn,
      content,
      senderArn: this.userArn,
      senderName: this.options.identity.email || this.options.identity.sub,
      createdAt: now,
      updatedAt: 0,
      edited: false,
      redacted: false,
    };
    channel.messages = mergeMessages(channel.messages, [local]);
    this.scrollToEnd();
    form.querySelector<HTMLElement>('textarea, input')?.focus();
  }

  private async edit(message: ChatMessage, form: HTMLFormElement): Promise<void> {
    const channel = this.selected;
    const content = fieldValue(form, 'content');
    if (!channel || !content) return;
    const done = await this.run(() =>
      this.client.send(
        new UpdateChannelMessageCommand({
          ChannelArn: channel.arn,
          MessageId: message.id,
          Content: content,
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!done) return;
    this.editing = undefined;
    channel.messages = mergeMessages(channel.messages, [
      { ...message, content, edited: true, updatedAt: message.updatedAt + 1 },
    ]);
  }

  private async redact(message: ChatMessage): Promise<void> {
    const channel = this.selected;
    if (!channel) return;
    const done = await this.run(() =>
      this.client.send(
        new RedactChannelMessageCommand({
          ChannelArn: channel.arn,
          MessageId: message.id,
          ChimeBearer: this.userArn,
        }),
      ),
    );
    if (!done) return;
    channel.messages = mergeMessages(channel.messages, [
      { ...message, content: '', redacted: true, updatedAt: message.updatedAt + 1 },
    ]);
  }

  /** Tries to act as someone else with my own credentials: AWS must refuse. */
  private async tryActAs(form: HTMLFormElement): Promise<void> {
    const otherId = fieldValue(form, 'otherUserId');
    if (!otherId) return;
    const otherArn = appInstanceUserArn(this.options.config.appInstanceArn, otherId);
    this.actAs = undefined;
    this.render();
    try {
      await this.client.send(
        new ListChannelMembershipsForAppInstanceUserCommand({
          ChimeBearer: otherArn,
          AppInstanceUserArn: otherArn,
        }),
      );
      this.actAs = { refused: false };
    } catch (error) {
      const status = httpStatus(error);
      this.actAs = {
        refused: true,
        error: friendlyError(error),
        ...(status !== undefined && { status }),
      };
    }
    this.render();
  }

  private async switchCredentials(source: CredentialSource): Promise<void> {
    await this.run(async () => {
      this.credentials.use(source);
      await this.credentials.provide();
    });
    // The WebSocket URL is signed with the credentials: reconnect with the new ones.
    this.connect();
  }

  // ---- view ------------------------------------------------------------------------------------

  view(): TemplateResult {
    return html`<header class="top">
        <h1>Chime chat</h1>
        <span class="connection ${this.connection}" role="status" aria-label="Connection">
          ${this.connectionLabel()}
        </span>
        ${
          this.connection === 'closed' || this.connection === 'failed'
            ? html`<button type="button" class="secondary" @click=${() => this.connect()}>
                Reconnect
              </button>`
            : nothing
        }
        <button type="button" class="secondary" @click=${() => void this.options.signOut()}>
          Sign out
        </button>
      </header>
      <div class="layout">${this.whoAmI()} ${this.chat()}</div>`;
  }

  private connectionLabel(): string {
    const labels: Record<ConnectionState, string> = {
      connecting: 'Connecting…',
      open: 'Live',
      reconnecting: 'Reconnecting…',
      closed: 'Disconnected',
      failed: 'Connection failed',
    };
    const label = labels[this.connection];
    return this.connectionDetail && this.connection !== 'open'
      ? `${label} (${this.connectionDetail})`
      : label;
  }

  private whoAmI(): TemplateResult {
    const { identity, config } = this.options;
    const info = this.credentials.info;
    const expiry = info?.expiration;
    const result = this.actAs;
    return html`<section class="whoami" aria-labelledby="whoami-title">
      <h2 id="whoami-title">Who am I</h2>
      <dl>
        <dt>Signed in as</dt>
        <dd data-testid="email">${identity.email || '-'}</dd>
        <dt>User id (<code>sub</code>)</dt>
        <dd><code data-testid="user-id">${identity.sub}</code></dd>
        <dt>Identity id</dt>
        <dd><code data-testid="identity-id">${identity.identityId ?? '-'}</code></dd>
        <dt>AppInstanceUser ARN</dt>
        <dd><code data-testid="user-arn">${this.userArn}</code></dd>
        <dt>Principal tag</dt>
        <dd>
          <code data-testid="principal-tag">${config.principalTagKey} = ${identity.sub}</code>
          <br /><small>set by the identity pool from the ID token's <code>sub</code></small>
        </dd>
        <dt>Credentials</dt>
        <dd data-testid="credentials">
          ${
            info
              ? html`from ${info.source === 'vending' ? 'the vending API' : 'the identity pool'},
                  expire in
                  <strong data-testid="expiry"
                    >${expiry ? countdown(expiry, new Date()) : 'unknown'}</strong
                  >`
              : 'not yet fetched'
          }
        </dd>
      </dl>
      ${
        config.credentialVendingUrl
          ? html`<fieldset>
              <legend>Credentials from</legend>
              ${(['identityPool', 'vending'] as const).map(
                (source) =>
                  html`<label class="inline"
                    ><input
                      type="radio"
                      name="credentialSource"
                      .checked=${this.credentials.currentSource === source}
                      @change=${() => void this.switchCredentials(source)}
                    />
                    ${source === 'vending' ? 'vending API (STS)' : 'identity pool'}</label
                  >`,
              )}
            </fieldset>`
          : nothing
      }
      <form
        class="act-as"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.tryActAs(e.target as HTMLFormElement);
        }}
      >
        <label
          >Another user's id
          <input name="otherUserId" required value="someone-else" autocomplete="off"
        /></label>
        <button type="submit">Try to act as this user</button>
      </form>
      ${
        result
          ? result.refused
            ? html`<p class="refused" role="status" data-testid="act-as-result">
                Refused by the service${result.status ? ` (HTTP ${result.status})` : ''}:
                <strong>${result.error.code}</strong>. Your credentials only work as you.
              </p>`
            : html`<p class="error" role="alert" data-testid="act-as-result">
                NOT refused: these credentials could act as another user. Check the role policy.
              </p>`
          : nothing
      }
    </section>`;
  }

  private chat(): TemplateResult {
    return html`<section class="chat" aria-label="Chat">
      <nav class="channels" aria-labelledby="channels-title">
        <h2 id="channels-title">My channels</h2>
        ${
          this.channelsLoaded
            ? this.channels.length === 0
              ? html`<p class="hint" data-testid="no-channels">No channels yet.</p>`
              : html`<ul data-testid="channel-list">
                  ${repeat(
                    this.channels,
                    (c) => c.ChannelArn,
                    (c) => {
                      const unread = this.unread.get(c.ChannelArn ?? '') ?? 0;
                      const current = this.selected?.arn === c.ChannelArn;
                      return html`<li>
                        <button
                          type="button"
                          class="channel ${current ? 'current' : ''}"
                          aria-current=${current ? 'true' : 'false'}
                          @click=${() => void this.openChannel(c.ChannelArn ?? '')}
                        >
                          ${c.Name ?? arnId(c.ChannelArn ?? '')}
                          ${unread ? html`<span class="badge">${unread}</span>` : nothing}
                        </button>
                      </li>`;
                    },
                  )}
                </ul>`
            : html`<p class="hint">Loading…</p>`
        }
        <details>
          <summary>New channel</summary>
          <form
            @submit=${(e: Event) => {
              e.preventDefault();
              void this.createChannel(e.target as HTMLFormElement);
            }}
          >
            <label>Name <input name="name" required maxlength="256" /></label>
            <label
              >Privacy
              <select name="privacy">
                <option value="PRIVATE">Private</option>
                <option value="PUBLIC">Public</option>
              </select></label
            >
            <label
              >Mode
              <select name="mode">
                <option value="UNRESTRICTED">Unrestricted (members add members)</option>
                <option value="RESTRICTED">Restricted (moderators add members)</option>
              </select></label
            >
            <button type="submit" ?disabled=${this.busy}>Create channel</button>
          </form>
        </details>
        <details>
          <summary>Open a channel by ARN</summary>
          <form
            @submit=${(e: Event) => {
              e.preventDefault();
              const arn = fieldValue(e.target as HTMLFormElement, 'channelArn');
              if (arn) void this.openChannel(arn);
            }}
          >
            <label>Channel ARN <input name="channelArn" required autocomplete="off" /></label>
            <button type="submit">Open</button>
          </form>
        </details>
      </nav>
      <div class="conversation">
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        ${
          this.error
            ? html`<p class="error" role="alert" data-testid="chat-error">
                ${this.error.message} <span class="code">(${this.error.code})</span>
              </p>`
            : nothing
        }
        ${this.selected ? this.channelView(this.selected) : html`<p>Pick or create a channel.</p>`}
      </div>
    </section>`;
  }

  private channelView(channel: ChannelView): TemplateResult {
    const summary = this.channels.find((c) => c.ChannelArn === channel.arn);
    return html`<h2 data-testid="channel-title">${summary?.Name ?? arnId(channel.arn)}</h2>
      <p class="hint">
        ${summary?.Privacy ?? ''} ${summary?.Mode ?? ''}
        <code class="arn" data-testid="channel-arn">${channel.arn}</code>
      </p>
      <details class="members">
        <summary>Members (${channel.members.length})</summary>
        <ul>
          ${channel.members.map(
            (m) =>
              html`<li>
                ${m.name}
                ${isGuestUserArn(m.arn) ? html`<span class="badge">guest</span>` : nothing}
                <code>${arnId(m.arn)}</code>
                ${
                  m.arn !== this.userArn
                    ? html`<button
                        type="button"
                        class="link"
                        aria-label="Remove ${m.name}"
                        @click=${() => void this.removeMember(m)}
                      >
                        Remove
                      </button>`
                    : html`<em>(you)</em>`
                }
              </li>`,
          )}
        </ul>
        <form
          @submit=${(e: Event) => {
            e.preventDefault();
            void this.addMember(e.target as HTMLFormElement);
          }}
        >
          <label>Add member by user id <input name="userId" required autocomplete="off" /></label>
          <button type="submit" ?disabled=${this.busy}>Add member</button>
        </form>
        ${
          channel.moderator && this.guestInvites
            ? this.guestInvites.view(channel.arn, this.busy)
            : nothing
        }
        <p>
          <button type="button" class="secondary" @click=${() => void this.leave()}>
            Leave channel
          </button>
          ${
            channel.moderator
              ? html`<button type="button" class="danger" @click=${() => void this.deleteChannel()}>
                  Delete channel
                </button>`
              : nothing
          }
        </p>
      </details>
      ${
        channel.olderToken
          ? html`<button type="button" class="link" @click=${() => void this.loadOlder()}>
              Load older messages
            </button>`
          : nothing
      }
      <ol id="messages" class="messages" data-testid="messages" aria-label="Messages">
        ${repeat(
          channel.messages,
          (m) => m.id,
          (m) => this.messageView(m, channel),
        )}
      </ol>
      <form
        class="composer"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.send(e.target as HTMLFormElement);
        }}
      >
        <label class="grow"
          >Message
          <input name="content" required maxlength="4096" autocomplete="off" />
        </label>
        <button type="submit" ?disabled=${!channel.loaded}>Send</button>
      </form>`;
  }

  private messageView(m: ChatMessage, channel: ChannelView): TemplateResult {
    const mine = m.senderArn === this.userArn;
    const time = new Date(m.createdAt).toLocaleTimeString();
    if (this.editing === m.id) {
      return html`<li class="message mine" data-message-id=${m.id}>
        <form
          @submit=${(e: Event) => {
            e.preventDefault();
            void this.edit(m, e.target as HTMLFormElement);
          }}
        >
          <label class="grow"
            >Edit message <input name="content" required .value=${m.content}
          /></label>
          <button type="submit">Save</button>
          <button
            type="button"
            class="link"
            @click=${() => {
              this.editing = undefined;
              this.render();
            }}
          >
            Cancel
          </button>
        </form>
      </li>`;
    }
    return html`<li class="message ${mine ? 'mine' : ''}" data-message-id=${m.id}>
      <span class="meta"
        >${m.senderName}${isGuestUserArn(m.senderArn) ? ' (guest)' : ''} ·
        ${time}${m.edited && !m.redacted ? ' · edited' : ''}</span
      >
      ${
        m.redacted
          ? html`<span class="content redacted">(message redacted)</span>`
          : html`<span class="content">${m.content}</span>`
      }
      ${
        !m.redacted && (mine || channel.moderator)
          ? html`<span class="actions">
              ${
                mine
                  ? html`<button
                      type="button"
                      class="link"
                      @click=${() => {
                        this.editing = m.id;
                        this.render();
                      }}
                    >
                      Edit
                    </button>`
                  : nothing
              }
              <button type="button" class="link" @click=${() => void this.redact(m)}>Redact</button>
            </span>`
          : nothing
      }
    </li>`;
  }
}

export function createSignedInApp(options: SignedInAppOptions): SignedInApp {
  return new ChatApp(options);
}
