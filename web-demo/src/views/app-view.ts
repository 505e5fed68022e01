/**
 * The signed-in layout: top bar (name, connection, Identity, sign out), channel list and
 * conversation, and a side panel (members or identity). On a phone the list and the conversation
 * are two views (the URL says which) and the side panel covers the screen.
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import { connectionLabel } from '../connection';
import type { State } from '../state';
import { channelList } from './channel-list';
import type { ViewContext } from './context';
import { conversationView } from './conversation';
import { dialogView } from './dialogs';
import { icons } from './icons';
import { identityPanel } from './identity-panel';
import { membersPanel } from './members-panel';

function connectionIndicator(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const status = state.connection;
  const label = connectionLabel(status, state.online);
  return html`<div class="connection-area">
    <span
      class="connection ${status.kind}"
      role="status"
      aria-label="Connection"
      data-testid="connection"
      ><span class="connection-dot" aria-hidden="true"></span
      ><span class="connection-label">${label}</span></span
    >
    ${
      status.kind === 'reconnecting' && state.online
        ? html`<button
            type="button"
            class="btn-link small"
            @click=${() => dispatch({ type: 'reconnectNow' })}
          >
            Retry now
          </button>`
        : nothing
    }
  </div>`;
}

function disconnectedBanner(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const status = state.connection;
  if (status.kind === 'stopped') {
    return html`<div class="banner danger">
      <span
        ><strong>Disconnected.</strong> ${status.reason} New messages will not arrive until you
        reconnect.</span
      >
      <button
        type="button"
        class="btn btn-secondary btn-small"
        @click=${() => dispatch({ type: 'reconnectNow' })}
      >
        Reconnect
      </button>
    </div>`;
  }
  if (status.kind === 'reconnecting') {
    return html`<div class="banner warning">
      <span
        >${
          state.online
            ? 'Connection lost. Reconnecting by itself; new messages will appear when it is back.'
            : 'You are offline. The chat reconnects when your connection is back.'
        }</span
      >
    </div>`;
  }
  return html``;
}

function sidePanel(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const panel = state.panel;
  if (!panel) return html``;
  const title = panel === 'identity' ? 'Your identity' : 'Members';
  return html`<aside
    id="side-panel"
    class="side-panel"
    aria-labelledby="panel-title"
    @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Escape' && !state.dialog) dispatch({ type: 'panelClosed' });
    }}
  >
    <header class="panel-head">
      <h2 id="panel-title" tabindex="-1">
        ${panel === 'identity' ? html`${icons.shield()} ` : nothing}${title}
      </h2>
      <button
        type="button"
        class="btn btn-icon"
        aria-label="Close ${title}"
        @click=${() => dispatch({ type: 'panelClosed' })}
      >
        ${icons.close()}
      </button>
    </header>
    ${panel === 'identity' ? identityPanel(ctx) : membersPanel(ctx)}
  </aside>`;
}

function toast(state: State): TemplateResult {
  return html`<div class="toast-region" role="status">
    ${state.toast ? html`<p class="toast ${state.toast.tone}">${state.toast.text}</p>` : nothing}
  </div>`;
}

export function appView(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const view = state.open ? 'conversation' : 'list';
  return html`<div class="app" data-view=${view} data-panel=${state.panel ?? 'none'}>
    <header class="top">
      <div class="topbar">
        <h1 class="brand">${icons.logo()}<span>Chime chat</span></h1>
        ${connectionIndicator(ctx)}
        <div class="topbar-actions">
          <button
            type="button"
            id="identity-button"
            class="btn btn-ghost ${state.panel === 'identity' ? 'pressed' : ''}"
            aria-expanded=${state.panel === 'identity' ? 'true' : 'false'}
            aria-controls="side-panel"
            @click=${() => dispatch({ type: 'panelToggled', panel: 'identity' })}
          >
            ${icons.shield()}<span class="label">Identity</span>
          </button>
          <button type="button" class="btn btn-ghost" @click=${() => ctx.signOut()}>
            Sign out
          </button>
        </div>
      </div>
      ${disconnectedBanner(ctx)}
    </header>
    <div class="workspace">
      <main class="main">
        ${channelList(ctx)} ${conversationView(ctx)} ${toast(state)} ${dialogView(ctx)}
      </main>
      ${sidePanel(ctx)}
    </div>
  </div>`;
}
