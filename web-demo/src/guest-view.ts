/**
 * The guest view (a lazily loaded chunk, no sign-in): an invite link `/#invite=<token>` opens the
 * one channel the invite names. The invite sits in the URL fragment, which browsers never send to
 * a server, so it stays out of access logs. Credentials come from `POST <apiUrl>/guest-credentials`
 * (15 minutes, renewed with the same invite); a refused renewal ends the view (docs/guests.md).
 * The markup is views/guest.ts; this module holds the guest's session and its few rules.
 */
import {
  ChimeSDKMessagingClient,
  DescribeChannelCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { TemplateResult } from 'lit-html';
import type { ClientConfig } from '../../contracts/client-config';
import type { SignedInApp } from './app';
import { guestIdOfArn, redeemGuestInvite } from '../../contracts/guests';
import { ApiError } from '../../contracts/http-api';
import type { AwsCredentials } from './credentials';
import { interpretEvent } from './events';
import { checkMessage } from './limits';
import { mergeMessages, toChatMessage } from './messages';
import { type MessagingSessionHandle, startAppMessagingSession } from './messaging-session';
import { type GuestViewState, guestView } from './views/guest';

/** Renew this long before the 15-minute credentials expire. */
const EARLY_REFRESH_MS = 60_000;
const PAGE_SIZE = 50;

/** The shell renders it like the signed-in app (main.ts). */
export type GuestApp = SignedInApp;

function httpStatus(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Why the view ended, in words for the guest. */
export function endedReason(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'This invite has expired or is not valid.';
    if (error.status === 403) {
      return 'This invite was cancelled or you were removed from the channel.';
    }
    if (error.status === 429) return 'Too many attempts; wait a minute and reload.';
  }
  if (httpStatus(error) === 403) return 'You no longer have access to this channel.';
  return `Guest access failed: ${(error as Error)?.message ?? String(error)}`;
}

class GuestChat implements GuestApp {
  private readonly client: ChimeSDKMessagingClient;
  private credentials?: AwsCredentials;
  private channelArn = '';
  private session?: MessagingSessionHandle;
  private state: GuestViewState = {
    now: Date.now(),
    messages: [],
    live: false,
    draft: '',
    sending: false,
  };
  private readonly timer: ReturnType<typeof setInterval>;
  private stickToBottom = true;

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
    // Relative times, and the end of access at the invite's expiry.
    this.timer = setInterval(() => {
      const ends = this.state.guest?.accessEndsAt;
      if (ends && Date.parse(ends) <= Date.now()) {
        this.end('Your guest access has ended (the invite expired).');
      }
      this.update({ now: Date.now() });
    }, 30_000);
    void this.begin();
  }

  private update(change: Partial<GuestViewState>): void {
    this.state = { ...this.state, ...change };
    this.requestRender();
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
      this.channelArn = vended.guest.channelArn;
      const arn = vended.appInstanceUserArn;
      this.update({
        guest: {
          arn,
          id: guestIdOfArn(arn) ?? arn,
          name: vended.guest.name,
          accessEndsAt: vended.guest.accessEndsAt,
        },
      });
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
    if (this.state.ended) return;
    this.credentials = undefined;
    this.session?.stop();
    clearInterval(this.timer);
    this.update({ ended: reason, live: false });
  }

  private async begin(): Promise<void> {
    try {
      await this.provide();
      const bearer = { ChannelArn: this.channelArn, ChimeBearer: this.state.guest?.arn };
      const [described, page] = await Promise.all([
        this.client.send(new DescribeChannelCommand(bearer)),
        this.client.send(
          new ListChannelMessagesCommand({
            ...bearer,
            SortOrder: 'DESCENDING',
            MaxResults: PAGE_SIZE,
          }),
        ),
      ]);
      const messages = (page.ChannelMessages ?? []).flatMap(
        (raw) => toChatMessage(raw, this.channelArn) ?? [],
      );
      this.update({
        ...(described.Channel?.Name && { channelName: described.Channel.Name }),
        messages: mergeMessages([], messages),
      });
      this.session = startAppMessagingSession(
        this.client,
        this.state.guest?.arn ?? '',
        this.config,
        {
          onLive: () => this.update({ live: true }),
          // No reconnect loop for a guest: a reload renews (or is refused) with the same invite.
          onClosed: () => this.update({ live: false }),
          onEvent: (type, payload) => this.apply(type, payload),
        },
      );
    } catch (error) {
      this.end(endedReason(error));
    }
  }

  private apply(type: string, payload: unknown): void {
    const event = interpretEvent(type, payload);
    const me = this.state.guest?.arn;
    if (event.kind === 'message' && event.message.channelArn === this.channelArn) {
      this.update({ messages: mergeMessages(this.state.messages, [event.message]) });
    } else if (
      event.kind === 'membership' &&
      !event.joined &&
      event.channelArn === this.channelArn &&
      event.memberArn === me
    ) {
      this.end('A moderator removed you from the channel.');
    } else if (event.kind === 'channelDeleted' && event.channelArn === this.channelArn) {
      this.end('The channel was deleted.');
    }
  }

  private async send(): Promise<void> {
    const content = this.state.draft;
    const guest = this.state.guest;
    if (checkMessage(content).problem || !guest || this.state.ended || this.state.sending) return;
    this.update({ sending: true, error: undefined });
    try {
      const sent = await this.client.send(
        new SendChannelMessageCommand({
          ChannelArn: this.channelArn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ClientRequestToken: crypto.randomUUID(),
          ChimeBearer: guest.arn,
        }),
      );
      const now = Date.now();
      this.stickToBottom = true;
      this.update({
        sending: false,
        draft: '',
        messages: sent.MessageId
          ? mergeMessages(this.state.messages, [
              {
                id: sent.MessageId,
                channelArn: this.channelArn,
                content,
                senderArn: guest.arn,
                senderName: guest.name,
                createdAt: now,
                updatedAt: 0,
                edited: false,
                redacted: false,
                provisional: true,
              },
            ])
          : this.state.messages,
      });
    } catch (error) {
      if (httpStatus(error) === 403) this.end(endedReason(error));
      else this.update({ sending: false, error: `Not sent: ${(error as Error).message}` });
    }
  }

  view(): TemplateResult {
    return guestView(this.state, {
      draftChanged: (text) => {
        this.state = { ...this.state, draft: text, error: undefined };
        this.requestRender();
      },
      send: () => void this.send(),
    });
  }

  /** Follows new messages while the guest is at the bottom, as the signed-in app does. */
  beforeRender(): void {
    const box = document.getElementById('messages-scroll');
    if (box) this.stickToBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
  }

  afterRender(): void {
    const box = document.getElementById('messages-scroll');
    if (box && this.stickToBottom) box.scrollTop = box.scrollHeight;
  }

  stop(): void {
    clearInterval(this.timer);
    this.session?.stop();
  }
}

export function createGuestApp(
  config: ClientConfig,
  invite: string,
  requestRender: () => void,
): GuestApp {
  return new GuestChat(config, invite, requestRender);
}
