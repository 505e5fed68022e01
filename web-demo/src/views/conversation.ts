/**
 * The open channel: its header, the messages (grouped, with date separators, an unread divider,
 * per-message actions) and the composer pinned at the bottom.
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { isGuestUserArn } from '../../../contracts/guests';
import { MESSAGE_LIMIT_BYTES, checkMessage } from '../limits';
import type { ChatMessage, Outgoing } from '../messages';
import { type Conversation, channelName, isModerator, nameOf } from '../state';
import { exactTime, initials, relativeTime, timeline, type TimelineItem } from '../timeline';
import type { ViewContext } from './context';
import { inputValue, onSubmit } from './context';
import { icons } from './icons';
import { messageContent } from './message-content';

const number = new Intl.NumberFormat();

/** A channel name short enough for one line of placeholder text. */
function short(name: string, max = 32): string {
  const chars = [...name];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : name;
}

function avatar(name: string, first: boolean): TemplateResult {
  return first
    ? html`<span class="avatar" aria-hidden="true">${initials(name)}</span>`
    : html`<span class="avatar-space" aria-hidden="true"></span>`;
}

/** Arrow keys move between messages; only one of them is in the Tab order. */
function onMessageKey(ctx: ViewContext, conversation: Conversation, id: string) {
  return (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    const ids = conversation.messages.map((m) => m.id);
    const at = ids.indexOf(id);
    const to =
      e.key === 'ArrowUp'
        ? ids[at - 1]
        : e.key === 'ArrowDown'
          ? ids[at + 1]
          : e.key === 'Home'
            ? ids[0]
            : e.key === 'End'
              ? ids.at(-1)
              : undefined;
    if (to === undefined) return;
    e.preventDefault();
    ctx.dispatch({ type: 'activate', id: to });
  };
}

function editForm(ctx: ViewContext, conversation: Conversation): TemplateResult {
  const editing = conversation.editing;
  if (!editing) return html``;
  const { dispatch } = ctx;
  return html`<form
    class="edit-form"
    @submit=${onSubmit(() => dispatch({ type: 'editSaved' }))}
    @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        dispatch({ type: 'editCancelled' });
      }
    }}
  >
    <label class="visually-hidden" for="edit-field">Edit message</label>
    <textarea
      id="edit-field"
      class="input"
      rows="2"
      .value=${editing.draft}
      aria-invalid=${editing.error ? 'true' : 'false'}
      aria-describedby="edit-hint ${editing.error ? 'edit-error' : ''}"
      @input=${(e: Event) => dispatch({ type: 'editDraftChanged', text: inputValue(e) })}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          dispatch({ type: 'editSaved' });
        }
      }}
    ></textarea>
    ${editing.error ? html`<p id="edit-error" class="field-error">${editing.error}</p>` : nothing}
    <div class="edit-actions">
      <span id="edit-hint" class="hint">Enter saves · Esc cancels</span>
      <button
        type="button"
        class="btn btn-ghost btn-small"
        @click=${() => dispatch({ type: 'editCancelled' })}
      >
        Cancel
      </button>
      <button type="submit" class="btn btn-primary btn-small" ?disabled=${editing.saving}>
        ${editing.saving ? 'Saving…' : 'Save'}
      </button>
    </div>
  </form>`;
}

function actionsMenu(
  ctx: ViewContext,
  conversation: Conversation,
  m: ChatMessage,
  mine: boolean,
  sender: string,
  tabbable: boolean,
): TemplateResult {
  const { dispatch } = ctx;
  const canEdit = mine && !m.redacted && !m.provisional;
  const canRedact = !m.redacted && !m.provisional && (mine || isModerator(ctx.state));
  if (!canEdit && !canRedact) return html``;
  const open = conversation.menuFor === m.id;
  const menuId = `menu-${m.id}`;
  return html`<div class="msg-actions ${open ? 'open' : ''}">
    <button
      type="button"
      class="btn btn-icon btn-small menu-button"
      tabindex=${tabbable ? '0' : '-1'}
      aria-label="Actions for ${mine ? 'your message' : `${sender}'s message`}"
      aria-haspopup="true"
      aria-expanded=${open ? 'true' : 'false'}
      aria-controls=${open ? menuId : nothing}
      @click=${() => dispatch({ type: 'menuToggled', id: m.id })}
    >
      ${icons.more()}
    </button>
    ${
      open
        ? html`<ul
            id=${menuId}
            class="menu"
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                dispatch({ type: 'menuClosed', returnFocus: true });
              }
            }}
          >
            ${
              canEdit
                ? html`<li>
                    <button
                      type="button"
                      class="menu-item"
                      @click=${() => dispatch({ type: 'editStarted', id: m.id })}
                    >
                      Edit
                    </button>
                  </li>`
                : nothing
            }
            ${
              canRedact
                ? html`<li>
                    <button
                      type="button"
                      class="menu-item danger"
                      @click=${() => dispatch({ type: 'redactRequested', id: m.id })}
                    >
                      Redact…
                    </button>
                  </li>`
                : nothing
            }
          </ul>`
        : nothing
    }
  </div>`;
}

function messageItem(
  ctx: ViewContext,
  conversation: Conversation,
  item: Extract<TimelineItem, { kind: 'message' }>,
): TemplateResult {
  const { state, dispatch } = ctx;
  const m = item.message;
  const sender = item.mine ? 'You' : nameOf(state, m.senderArn);
  const active = conversation.active === m.id;
  const editing = conversation.editing?.id === m.id;
  return html`<li
    class="msg ${item.mine ? 'mine' : 'theirs'} ${item.first ? 'first' : ''}"
    data-message-id=${m.id}
    tabindex=${active ? '0' : '-1'}
    @keydown=${onMessageKey(ctx, conversation, m.id)}
    @focus=${(e: FocusEvent) => {
      if (e.target === e.currentTarget && !active) dispatch({ type: 'activate', id: m.id });
    }}
  >
    ${item.mine ? nothing : avatar(sender, item.first)}
    <div class="msg-body">
      ${
        item.first
          ? html`<div class="msg-meta">
              <span class="sender ${item.mine ? 'visually-hidden' : ''}"
                >${sender}${isGuestUserArn(m.senderArn) ? ' (guest)' : ''}</span
              >
              <time datetime=${new Date(m.createdAt).toISOString()} title=${exactTime(m.createdAt)}
                >${relativeTime(m.createdAt, state.now)}</time
              >
            </div>`
          : nothing
      }
      ${
        editing
          ? editForm(ctx, conversation)
          : html`<div
              class="bubble ${m.redacted ? 'redacted' : ''}"
              title=${exactTime(m.createdAt)}
            >
              ${
                m.redacted
                  ? html`<span class="content">Message redacted</span>`
                  : html`<span class="content">${messageContent(m.content)}</span>`
              }
              ${m.edited && !m.redacted ? html`<span class="edited">(edited)</span>` : nothing}
            </div>`
      }
    </div>
    ${editing ? nothing : actionsMenu(ctx, conversation, m, item.mine, sender, active)}
  </li>`;
}

function outgoingItem(
  ctx: ViewContext,
  item: Extract<TimelineItem, { kind: 'outgoing' }>,
): TemplateResult {
  const { dispatch } = ctx;
  const o: Outgoing = item.outgoing;
  const failed = o.status === 'failed';
  return html`<li class="msg mine ${item.first ? 'first' : ''} ${failed ? 'failed' : 'sending'}">
    <div class="msg-body">
      ${
        item.first
          ? html`<div class="msg-meta">
              <span class="sender visually-hidden">You</span><span>now</span>
            </div>`
          : nothing
      }
      <div class="bubble"><span class="content">${messageContent(o.content)}</span></div>
      ${
        failed
          ? html`<div class="send-status error">
              <span>${o.error ?? 'Not sent.'}</span>
              <button
                type="button"
                class="btn-link"
                @click=${() => dispatch({ type: 'retrySend', token: o.token })}
              >
                Retry
              </button>
              <button
                type="button"
                class="btn-link"
                @click=${() => dispatch({ type: 'discardSend', token: o.token })}
              >
                Discard
              </button>
            </div>`
          : html`<div class="send-status">Sending…</div>`
      }
    </div>
  </li>`;
}

function messageList(ctx: ViewContext, conversation: Conversation): TemplateResult {
  const { state, dispatch } = ctx;
  if (conversation.status === 'loading') {
    return html`<div class="messages-scroll" id="messages-scroll">
      <ol class="messages skeleton" aria-hidden="true">
        ${[60, 35, 75, 45].map(
          (w) =>
            html`<li class="msg theirs first">
              <span class="avatar"></span><span class="skeleton-line w${w}"></span>
            </li>`,
        )}
      </ol>
      <p class="visually-hidden">Loading messages…</p>
    </div>`;
  }
  const items = timeline(conversation.messages, conversation.outgoing, {
    me: state.me.arn,
    now: state.now,
    ...(conversation.unreadAfter !== undefined && { unreadAfter: conversation.unreadAfter }),
  });
  const empty = items.length === 0;
  return html`<div
    class="messages-scroll"
    id="messages-scroll"
    @scroll=${(e: Event) => {
      const el = e.currentTarget as HTMLElement;
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      if (atBottom !== conversation.atBottom) dispatch({ type: 'scrolled', atBottom });
    }}
  >
    ${
      conversation.olderToken
        ? html`<div class="older">
            <button
              type="button"
              class="btn btn-secondary btn-small"
              ?disabled=${conversation.loadingOlder}
              @click=${() => dispatch({ type: 'loadOlder' })}
            >
              ${conversation.loadingOlder ? 'Loading…' : 'Load older messages'}
            </button>
          </div>`
        : !empty
          ? html`<p class="start-of">This is the start of the conversation.</p>`
          : nothing
    }
    ${
      empty
        ? html`<div class="empty conversation-empty">
            <p class="empty-title">No messages yet</p>
            <p>Say hello. Everyone in this channel sees it at once.</p>
          </div>`
        : nothing
    }
    <ol class="messages" data-testid="messages" aria-label="Messages">
      ${repeat(
        items,
        (i) => i.key,
        (i) => {
          switch (i.kind) {
            case 'day':
              return html`<li class="day"><span>${i.label}</span></li>`;
            case 'unread':
              return html`<li class="unread-divider"><span>New</span></li>`;
            case 'message':
              return messageItem(ctx, conversation, i);
            case 'outgoing':
              return outgoingItem(ctx, i);
          }
        },
      )}
    </ol>
  </div>`;
}

function composer(ctx: ViewContext, conversation: Conversation): TemplateResult {
  const { state, dispatch } = ctx;
  const draft = state.drafts[conversation.arn] ?? '';
  const check = checkMessage(draft);
  const ready = conversation.status === 'ready';
  const blank = draft.length > 0 && check.problem === 'empty';
  const tooLong = check.problem === 'tooLong';
  const send = () => dispatch({ type: 'send', token: ctx.newToken(), now: ctx.now() });
  const described = ['composer-hint', check.nearLimit ? 'composer-counter' : ''].join(' ').trim();
  return html`<form class="composer" @submit=${onSubmit(send)}>
    <label class="visually-hidden" for="composer">Message</label>
    <div class="composer-box ${tooLong ? 'invalid' : ''}">
      <textarea
        id="composer"
        name="content"
        rows="1"
        placeholder=${`Message ${short(channelName(state, conversation.arn))}`}
        autocomplete="off"
        .value=${draft}
        aria-invalid=${tooLong ? 'true' : 'false'}
        aria-describedby=${described}
        @input=${(e: Event) => {
          autosize(e.target as HTMLTextAreaElement);
          dispatch({ type: 'draftChanged', text: inputValue(e) });
        }}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      ></textarea>
      <button
        type="submit"
        class="btn btn-primary send"
        ?disabled=${!ready || Boolean(check.problem)}
      >
        ${icons.send()}<span>Send</span>
      </button>
    </div>
    <div class="composer-foot">
      <span id="composer-hint" class=${blank || tooLong ? 'field-error' : 'hint'}>
        ${
          tooLong
            ? `Too long by ${number.format(check.bytes - MESSAGE_LIMIT_BYTES)} bytes: messages are limited to 4 KB. Shorten it or split it.`
            : blank
              ? 'Spaces alone are not a message: type something to send.'
              : 'Enter to send · Shift+Enter for a new line'
        }
      </span>
      ${
        check.nearLimit
          ? html`<span
              id="composer-counter"
              class="counter ${tooLong ? 'over' : ''}"
              aria-label="${number.format(check.bytes)} of ${number.format(MESSAGE_LIMIT_BYTES)} bytes used"
              >${number.format(check.bytes)} / ${number.format(MESSAGE_LIMIT_BYTES)}</span
            >`
          : nothing
      }
    </div>
  </form>`;
}

/** Grows the composer with its text where CSS `field-sizing` is missing. */
function autosize(el: HTMLTextAreaElement): void {
  if (CSS.supports('field-sizing', 'content')) return;
  el.style.height = 'auto';
  el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
}

function header(ctx: ViewContext, conversation: Conversation): TemplateResult {
  const { state, dispatch } = ctx;
  const channel = state.channels.find((c) => c.arn === conversation.arn);
  const name = channelName(state, conversation.arn);
  const moderator = isModerator(state);
  const members = conversation.members.length;
  const facts = [
    channel ? (channel.privacy === 'PRIVATE' ? 'Private' : 'Public') : undefined,
    conversation.status === 'ready' ? `${members} member${members === 1 ? '' : 's'}` : undefined,
    moderator ? 'you moderate' : undefined,
  ].filter(Boolean);
  return html`<header class="conv-head">
    <a class="btn btn-icon back" href="#/" aria-label="Back to channels">${icons.back()}</a>
    <div class="conv-title">
      <h2 id="conversation-title" tabindex="-1" title=${name} data-testid="channel-title">
        ${name}
      </h2>
      <p class="conv-sub">${facts.join(' · ')}</p>
    </div>
    ${
      conversation.status === 'ready'
        ? html`<button
              type="button"
              id="members-button"
              class="btn btn-ghost ${state.panel === 'members' ? 'pressed' : ''}"
              aria-expanded=${state.panel === 'members' ? 'true' : 'false'}
              aria-controls="side-panel"
              @click=${() => dispatch({ type: 'panelToggled', panel: 'members' })}
            >
              ${icons.people()}<span class="label">Members</span>
            </button>
            <div class="menu-anchor">
              <button
                type="button"
                id="channel-menu-button"
                class="btn btn-icon"
                aria-label="Channel actions"
                aria-haspopup="true"
                aria-expanded=${state.channelMenu ? 'true' : 'false'}
                @click=${() => dispatch({ type: 'channelMenuToggled' })}
              >
                ${icons.more()}
              </button>
              ${
                state.channelMenu
                  ? html`<ul
                      class="menu"
                      @keydown=${(e: KeyboardEvent) => {
                        if (e.key === 'Escape') dispatch({ type: 'menuClosed', returnFocus: true });
                      }}
                    >
                      <li>
                        <button
                          type="button"
                          class="menu-item"
                          @click=${() => dispatch({ type: 'leaveRequested' })}
                        >
                          Leave channel…
                        </button>
                      </li>
                      ${
                        moderator
                          ? html`<li>
                              <button
                                type="button"
                                class="menu-item danger"
                                @click=${() => dispatch({ type: 'deleteRequested' })}
                              >
                                Delete channel…
                              </button>
                            </li>`
                          : nothing
                      }
                    </ul>`
                  : nothing
              }
            </div>`
        : nothing
    }
  </header>`;
}

export function conversationView(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const conversation = state.open;
  if (!conversation) {
    const none = state.channelsLoaded && state.channels.length === 0;
    return html`<section class="conversation none" aria-labelledby="conversation-title">
      <div class="empty pick">
        <h2 id="conversation-title" tabindex="-1" class="empty-title">
          ${none ? 'Start a conversation' : 'Pick a channel'}
        </h2>
        ${
          none
            ? html`<p>
                  Create a channel and add people by their user id. To be added by someone else,
                  share yours:
                </p>
                <p><code class="share-id">${state.me.sub}</code></p>
                <button
                  type="button"
                  class="btn btn-primary"
                  @click=${() => dispatch({ type: 'newChannelRequested', token: ctx.newToken() })}
                >
                  ${icons.plus()} New channel
                </button>`
            : html`<p>
                Or start a new one. Messages arrive live, signed with credentials that work only as
                you.
              </p>`
        }
      </div>
    </section>`;
  }
  if (conversation.status === 'failed') {
    return html`<section class="conversation" aria-labelledby="conversation-title">
      <header class="conv-head">
        <a class="btn btn-icon back" href="#/" aria-label="Back to channels">${icons.back()}</a>
        <div class="conv-title">
          <h2 id="conversation-title" tabindex="-1">Cannot open this channel</h2>
        </div>
      </header>
      <div class="empty">
        <p role="alert">${conversation.error}</p>
        <p><a href="#/">Back to your channels</a></p>
      </div>
    </section>`;
  }
  return html`<section class="conversation" aria-labelledby="conversation-title">
    ${header(ctx, conversation)} ${messageList(ctx, conversation)}
    ${
      conversation.newBelow > 0
        ? html`<button
            type="button"
            class="btn btn-primary new-below"
            @click=${() => dispatch({ type: 'jumpToNew' })}
          >
            ${icons.down()} ${conversation.newBelow} new
            message${conversation.newBelow === 1 ? '' : 's'}
          </button>`
        : nothing
    }
    ${composer(ctx, conversation)}
  </section>`;
}
