/** The channel list: newest activity first, unread counts, long names cut with an ellipsis. */
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { Channel } from '../model';
import { hashFor } from '../state';
import type { ViewContext } from './context';
import { icons } from './icons';

function unreadLabel(count: number, hasNew: boolean): string {
  if (count > 0) return `${count} unread message${count === 1 ? '' : 's'}`;
  return hasNew ? 'new messages' : '';
}

function channelItem(ctx: ViewContext, channel: Channel): TemplateResult {
  const { state } = ctx;
  const current = state.open?.arn === channel.arn;
  const count = current ? 0 : (state.unread[channel.arn] ?? 0);
  const mark = state.readMarks[channel.arn];
  const hasNew =
    !current &&
    count === 0 &&
    channel.lastMessageAt !== undefined &&
    (mark ?? 0) < channel.lastMessageAt;
  const unread = unreadLabel(count, hasNew);
  const name = channel.name || 'Unnamed channel';
  return html`<li>
    <a
      class="channel-link ${current ? 'current' : ''} ${unread ? 'unread' : ''}"
      href=${hashFor(channel.arn)}
      title=${name}
      aria-current=${current ? 'page' : 'false'}
      aria-label=${unread ? `${name}, ${unread}` : name}
    >
      <span class="channel-icon" aria-hidden="true"
        >${channel.privacy === 'PRIVATE' ? icons.lock() : icons.hash()}</span
      >
      <span class="channel-name">${name}</span>
      ${
        count > 0
          ? html`<span class="badge" aria-hidden="true">${count > 99 ? '99+' : count}</span>`
          : hasNew
            ? html`<span class="dot" aria-hidden="true"></span>`
            : nothing
      }
    </a>
  </li>`;
}

function listBody(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  if (!state.channelsLoaded) {
    return html`<ul class="channel-list skeleton" aria-hidden="true">
        ${[1, 2, 3].map(() => html`<li><span class="skeleton-line"></span></li>`)}
      </ul>
      <p class="visually-hidden">Loading channels…</p>`;
  }
  if (state.channelsError) {
    return html`<div class="empty">
      <p>Your channels could not be loaded. ${state.channelsError}</p>
      <button
        type="button"
        class="btn btn-secondary"
        @click=${() => dispatch({ type: 'reloadChannels' })}
      >
        Try again
      </button>
    </div>`;
  }
  if (state.channels.length === 0) {
    return html`<div class="empty" data-testid="no-channels">
      <p class="empty-title">No channels yet</p>
      <p>Create one, or share your user id (in Identity) so someone adds you.</p>
    </div>`;
  }
  return html`<ul class="channel-list" data-testid="channel-list">
    ${repeat(
      state.channels,
      (c) => c.arn,
      (c) => channelItem(ctx, c),
    )}
  </ul>`;
}

export function channelList(ctx: ViewContext): TemplateResult {
  const { dispatch } = ctx;
  return html`<nav class="sidebar" aria-labelledby="channels-heading">
    <div class="sidebar-head">
      <h2 id="channels-heading" tabindex="-1">Channels</h2>
      <button
        type="button"
        class="btn btn-primary btn-small"
        @click=${() => dispatch({ type: 'newChannelRequested', token: ctx.newToken() })}
      >
        ${icons.plus()} New channel
      </button>
    </div>
    <div class="sidebar-body">${listBody(ctx)}</div>
    <div class="sidebar-foot">
      <button
        type="button"
        class="btn-link"
        @click=${() => dispatch({ type: 'openByArnRequested' })}
      >
        Open a channel by ARN
      </button>
    </div>
  </nav>`;
}
