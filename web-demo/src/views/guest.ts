/**
 * The guest view's markup (web-demo/src/guest-view.ts runs it): the signed-in app's top bar,
 * conversation and composer styles, for one channel and no account. Who the guest is and until
 * when stay on screen; when access ends, why, and nothing of the channel.
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { isGuestUserArn } from '../../../contracts/guests';
import { MESSAGE_LIMIT_BYTES, checkMessage } from '../limits';
import type { ChatMessage } from '../messages';
import { exactTime, initials, relativeTime, timeline, untilTime } from '../timeline';
import { inputValue, onSubmit } from './context';
import { icons } from './icons';
import { messageContent } from './message-content';

export interface GuestViewState {
  readonly now: number;
  /** Undefined until the invite is redeemed. */
  readonly guest?: {
    readonly arn: string;
    readonly id: string;
    readonly name: string;
    readonly accessEndsAt: string;
  };
  readonly channelName?: string;
  readonly messages: readonly ChatMessage[];
  readonly live: boolean;
  readonly draft: string;
  readonly sending: boolean;
  readonly error?: string;
  /** Why access ended, in words for the guest. */
  readonly ended?: string;
}

export interface GuestViewActions {
  draftChanged(text: string): void;
  send(): void;
}

function sender(m: ChatMessage): string {
  return `${m.senderName || 'Unknown person'}${isGuestUserArn(m.senderArn) ? ' (guest)' : ''}`;
}

function messageList(s: GuestViewState, me: string): TemplateResult {
  const items = timeline(s.messages, [], { me, now: s.now });
  if (items.length === 0) {
    return html`<div class="empty conversation-empty">
        <p class="empty-title">No messages yet</p>
        <p>Say hello. Everyone in this channel sees it at once.</p>
      </div>
      <ol class="messages" data-testid="messages" aria-label="Messages"></ol>`;
  }
  return html`<ol class="messages" data-testid="messages" aria-label="Messages">
    ${repeat(
      items,
      (i) => i.key,
      (i) => {
        if (i.kind === 'day') return html`<li class="day"><span>${i.label}</span></li>`;
        if (i.kind !== 'message') return nothing;
        const m = i.message;
        const name = i.mine ? 'You' : sender(m);
        return html`<li
          class="msg ${i.mine ? 'mine' : 'theirs'} ${i.first ? 'first' : ''}"
          data-message-id=${m.id}
        >
          ${
            i.mine
              ? nothing
              : i.first
                ? html`<span class="avatar" aria-hidden="true"
                    >${initials(m.senderName ?? '')}</span
                  >`
                : html`<span class="avatar-space" aria-hidden="true"></span>`
          }
          <div class="msg-body">
            ${
              i.first
                ? html`<div class="msg-meta">
                    <span class="sender ${i.mine ? 'visually-hidden' : ''}">${name}</span>
                    <time datetime=${new Date(m.createdAt).toISOString()}
                      >${relativeTime(m.createdAt, s.now)}</time
                    >
                  </div>`
                : nothing
            }
            <div class="bubble ${m.redacted ? 'redacted' : ''}" title=${exactTime(m.createdAt)}>
              <span class="content"
                >${m.redacted ? 'Message redacted' : messageContent(m.content)}</span
              >
            </div>
          </div>
        </li>`;
      },
    )}
  </ol>`;
}

function composer(s: GuestViewState, actions: GuestViewActions): TemplateResult {
  const check = checkMessage(s.draft);
  const tooLong = check.problem === 'tooLong';
  return html`<form class="composer" @submit=${onSubmit(() => actions.send())}>
    <label class="visually-hidden" for="composer">Message</label>
    <div class="composer-box ${tooLong ? 'invalid' : ''}">
      <textarea
        id="composer"
        name="content"
        rows="1"
        placeholder="Message ${s.channelName ?? 'the channel'}"
        autocomplete="off"
        .value=${s.draft}
        aria-invalid=${tooLong ? 'true' : 'false'}
        aria-describedby="composer-hint"
        @input=${(e: Event) => actions.draftChanged(inputValue(e))}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            actions.send();
          }
        }}
      ></textarea>
      <button
        type="submit"
        class="btn btn-primary send"
        ?disabled=${s.sending || Boolean(check.problem)}
      >
        ${icons.send()}<span>Send</span>
      </button>
    </div>
    <div class="composer-foot">
      <span id="composer-hint" class=${s.error || tooLong ? 'field-error' : 'hint'}>
        ${
          s.error ??
          (tooLong
            ? `Too long: messages are limited to ${MESSAGE_LIMIT_BYTES / 1024} KB.`
            : 'Enter to send · Shift+Enter for a new line')
        }
      </span>
    </div>
  </form>`;
}

export function guestView(s: GuestViewState, actions: GuestViewActions): TemplateResult {
  const guest = s.guest;
  const status = s.ended ? 'stopped' : s.live ? 'live' : 'connecting';
  return html`<div class="app guest-app">
    <header class="top">
      <div class="topbar">
        <h1 class="brand">${icons.logo()}<span>Chime chat</span></h1>
        <div class="connection-area">
          <span class="connection ${status}" role="status" aria-label="Connection"
            ><span class="connection-dot" aria-hidden="true"></span>${
              s.ended ? 'Ended' : s.live ? 'Live' : 'Connecting…'
            }</span
          >
        </div>
        ${
          guest
            ? html`<p class="guest-who">
                <strong data-testid="guest-name">${guest.name}</strong>
                <span class="tag guest">guest</span>
              </p>`
            : nothing
        }
      </div>
    </header>
    <main class="conversation guest-main">
      ${
        s.ended
          ? html`<div class="empty conversation-empty">
              <p class="empty-title">Guest access ended</p>
              <p role="alert" data-testid="guest-ended">${s.ended}</p>
              <p>Ask the person who invited you for a new link.</p>
            </div>`
          : !guest
            ? html`<div class="empty"><p role="status">Opening your invite…</p></div>`
            : html`<header class="conv-head">
                  <div class="conv-title">
                    <h2 id="conversation-title" title=${s.channelName ?? ''}>
                      ${s.channelName ?? 'Guest chat'}
                    </h2>
                    <p class="conv-sub">
                      Guest access until
                      <time
                        data-testid="access-ends"
                        datetime=${guest.accessEndsAt}
                        title=${exactTime(Date.parse(guest.accessEndsAt))}
                        >${untilTime(Date.parse(guest.accessEndsAt), s.now)}</time
                      >
                      · this link opens this channel only ·
                      <code data-testid="guest-id" class="small">${guest.id}</code>
                    </p>
                  </div>
                </header>
                <div class="messages-scroll" id="messages-scroll">${messageList(s, guest.arn)}</div>
                ${composer(s, actions)}`
      }
    </main>
  </div>`;
}
