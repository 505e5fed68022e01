/**
 * The guest view (a lazily loaded chunk, no sign-in): an invite link `/#invite=<token>` opens the
 * one channel the invite names. The invite sits in the URL fragment, which browsers never send to
 * a server, so it stays out of access logs. Credentials come from `POST <apiUrl>/guest-credentials`
 * (15 minutes, renewed with the same invite); a refused renewal ends the view (docs/guests.md).
 */
import {
  ChimeSDKMessagingClient,
  DescribeChannelCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ClientConfig } from '../../contracts/client-config';
import { type GuestSession, isGuestUserArn, redeemGuestInvite } from '../../contracts/guests';
import { ApiError } from '../../contracts/http-api';
import type { AwsCredentials } from './credentials';
import { interpretEvent } from './events';
import { arnId } from './format';
import { type ChatMessage, mergeMessages, toChatMessage } from './messages';
import { type MessagingSessionHandle, startMessagingSession } from './messaging-session';

/** Renew this long before the 15-minute credentials expire. */
const EARLY_REFRESH_MS = 60_000;

export interface GuestApp {
  view(): TemplateResult;
}

/** Why the view ended, in words for the guest. */
function endedReason(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'This invite has expired or is not valid.';
    if (error.status === 403)
      return 'This invite was cancelled or you were removed from the channel.';
    if (error.status === 429) return 'Too many attempts; wait a minute and reload.';
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status === 403) return 'You no longer have access to this channel.';
  return `Guest access failed: ${(error as Error)?.message ?? String(error)}`;
}

class GuestChat implements GuestApp {
  private readonly client: ChimeSDKMessagingClient;
  private credentials?: AwsCredentials;
  private guest?: GuestSession;
  private guestArn = '';
  private channelName?: string;
  private messages: readonly ChatMessage[] = [];
  private session?: MessagingSessionHandle;
  private live = false;
  private ended?: string;
  private error?: string;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly config: ClientConfig,
    private readonly invite: string,
    private readonly requestRender: () => void,
  ) {
    this.client = new ChimeSDKMessagingClient({
      region: config.region,
      credentials: () => this.provide(),
      ...(config.endpoints?.chimeMessaging && { endpoint: config.endpoints.chimeMessaging }),
    });
    // The "access ends" line counts down; the session ends by itself at the invite's expiry.
    this.timer = setInterval(() => {
      if (this.guest && Date.parse(this.guest.accessEndsAt) <= Date.now()) {
        this.end('Your guest access has ended (the invite expired).');
      }
      requestRender();
    }, 1000);
    void this.begin();
  }

  /** The SDK's credential provider: the same invite renews; a refusal ends the view. */
  private async provide(): Promise<AwsCredentials> {
    const cached = this.credentials;
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > EARLY_REFRESH_MS) {
      return cached;
    }
    try {
      const apiUrl = this.config.apiUrl;
      if (!apiUrl) throw new Error('this site has no HTTP API (apiUrl) configured');
      const vended = await redeemGuestInvite(apiUrl, this.invite);
      this.guest = vended.guest;
      this.guestArn = vended.appInstanceUserArn;
      this.credentials = {
        ...vended.credentials,
        expiration: new Date(vended.credentials.expiration),
      };
      return this.credentials;
    } catch (error) {
      this.end(endedReason(error));
      throw error;
    }
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    this.credentials = undefined;
    this.session?.stop();
    clearInterval(this.timer);
    this.requestRender();
  }

  private async begin(): Promise<void> {
    try {
      await this.provide();
      const channelArn = this.guest!.channelArn;
      const [described, page] = await Promise.all([
        this.client.send(
          new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: this.guestArn }),
        ),
        this.client.send(
          new ListChannelMessagesCommand({
            ChannelArn: channelArn,
            ChimeBearer: this.guestArn,
            SortOrder: 'DESCENDING',
            MaxResults: 50,
          }),
        ),
      ]);
      this.channelName = described.Channel?.Name;
      this.messages = mergeMessages(
        [],
        (page.ChannelMessages ?? []).flatMap((raw) => toChatMessage(raw, channelArn) ?? []),
      );
      this.session = startMessagingSession(
        this.client,
        this.guestArn,
        this.config.endpoints?.chimeMessaging,
        {
          onState: (state) => {
            this.live = state === 'open';
            this.requestRender();
          },
          onEstablished: () => {},
          onEvent: (type, payload) => this.apply(type, payload),
        },
      );
    } catch (error) {
      this.end(endedReason(error));
    }
    this.requestRender();
  }

  private apply(type: string, payload: unknown): void {
    const event = interpretEvent(type, payload);
    const channelArn = this.guest?.channelArn;
    if (event.kind === 'message' && event.message.channelArn === channelArn) {
      this.messages = mergeMessages(this.messages, [event.message]);
    } else if (
      event.kind === 'membership' &&
      !event.joined &&
      event.channelArn === channelArn &&
      event.memberArn === this.guestArn
    ) {
      this.end('A moderator removed you from the channel.');
    } else if (event.kind === 'channelDeleted' && event.channelArn === channelArn) {
      this.end('The channel was deleted.');
    }
    this.requestRender();
  }

  private async send(form: HTMLFormElement): Promise<void> {
    const entry = new FormData(form).get('content');
    const content = (typeof entry === 'string' ? entry : '').trim();
    const channelArn = this.guest?.channelArn;
    if (!content || !channelArn || this.ended) return;
    this.error = undefined;
    try {
      const sent = await this.client.send(
        new SendChannelMessageCommand({
          ChannelArn: channelArn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ClientRequestToken: crypto.randomUUID(),
          ChimeBearer: this.guestArn,
        }),
      );
      form.reset();
      if (sent.MessageId) {
        const now = Date.now();
        this.messages = mergeMessages(this.messages, [
          {
            id: sent.MessageId,
            channelArn,
            content,
            senderArn: this.guestArn,
            senderName: this.guest?.name ?? 'Guest',
            createdAt: now,
            updatedAt: 0,
            edited: false,
            redacted: false,
          },
        ]);
      }
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      if (status === 403) this.end(endedReason(error));
      else if (!this.ended) this.error = `Not sent: ${(error as Error).message}`;
    }
    this.requestRender();
  }

  view(): TemplateResult {
    const guest = this.guest;
    if (!guest && !this.ended) {
      return html`<p role="status">Opening your invite…</p>`;
    }
    const endsAt = guest ? new Date(guest.accessEndsAt) : undefined;
    return html`<div class="guest">
      <section aria-labelledby="guest-heading">
        <h1 id="guest-heading">${this.channelName ?? 'Guest chat'}</h1>
        ${
          guest
            ? html`<p>
                  You are <strong data-testid="guest-name">${guest.name}</strong>
                  <span class="badge">guest</span>
                  <code data-testid="guest-id">${arnId(this.guestArn)}</code>
                </p>
                <p>
                  Access ends
                  <time data-testid="access-ends" datetime=${guest.accessEndsAt}
                    >${endsAt!.toLocaleString()}</time
                  >. No account needed; this link works only for this channel.
                </p>`
            : nothing
        }
        ${
          this.ended
            ? html`<p class="error" role="alert" data-testid="guest-ended">${this.ended}</p>`
            : html`<p role="status" aria-label="Connection">
                ${this.live ? 'Live' : 'Connecting…'}
              </p>`
        }
      </section>
      ${
        guest && !this.ended
          ? html`<section aria-label="Channel">
              <ol class="messages" data-testid="messages" aria-label="Messages">
                ${repeat(
                  this.messages,
                  (m) => m.id,
                  (m) =>
                    html`<li class="message ${m.senderArn === this.guestArn ? 'mine' : ''}">
                      <span class="meta"
                        >${m.senderName}${isGuestUserArn(m.senderArn) ? ' (guest)' : ''} ·
                        ${new Date(m.createdAt).toLocaleTimeString()}</span
                      >
                      ${
                        m.redacted
                          ? html`<span class="content redacted">(message redacted)</span>`
                          : html`<span class="content">${m.content}</span>`
                      }
                    </li>`,
                )}
              </ol>
              ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
              <form
                class="composer"
                @submit=${(e: Event) => {
                  e.preventDefault();
                  void this.send(e.target as HTMLFormElement);
                }}
              >
                <label class="grow"
                  >Message <input name="content" required maxlength="4096" autocomplete="off"
                /></label>
                <button type="submit">Send</button>
              </form>
            </section>`
          : nothing
      }
    </div>`;
  }
}

export function createGuestApp(
  config: ClientConfig,
  invite: string,
  requestRender: () => void,
): GuestApp {
  return new GuestChat(config, invite, requestRender);
}
