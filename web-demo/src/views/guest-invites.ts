/**
 * "Invite a guest", in a channel's members panel, for its moderators when the HTTP API serves
 * guests: a name and how long, then the link to hand over and "Cancel invite" (docs/guests.md).
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import {
  DEFAULT_GUEST_LIFETIME_HOURS,
  GUEST_NAME_MAX_LENGTH,
  MAX_GUEST_LIFETIME_HOURS,
  MIN_GUEST_LIFETIME_HOURS,
} from '../../../contracts/guests';
import type { GuestInvite } from '../state';
import { exactTime, untilTime } from '../timeline';
import type { ViewContext } from './context';
import { onSubmit } from './context';

/** A text field's value (FormData also holds files). */
function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

function inviteItem(ctx: ViewContext, invite: GuestInvite): TemplateResult {
  const linkId = `invite-link-${invite.guestArn.split('/').pop() ?? ''}`;
  return html`<li class="invite" data-testid="guest-invite">
    <div class="invite-head">
      <strong>${invite.name}</strong>
      ${
        invite.status === 'cancelled'
          ? html`<span class="tag">invite cancelled</span>`
          : html`<span class="muted small" title=${exactTime(invite.expiresAt)}
              >until ${untilTime(invite.expiresAt, ctx.state.now)}</span
            >`
      }
    </div>
    ${
      invite.status === 'cancelled'
        ? nothing
        : html`<label for=${linkId} class="small">Invite link for ${invite.name}</label>
            <input
              id=${linkId}
              class="input mono"
              readonly
              data-testid="invite-link"
              .value=${invite.link}
              @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
            />
            <div class="invite-actions">
              <button
                type="button"
                class="btn btn-secondary btn-small"
                @click=${() => void navigator.clipboard?.writeText(invite.link)}
              >
                Copy link
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-small danger"
                ?disabled=${invite.status === 'cancelling'}
                @click=${() => ctx.dispatch({ type: 'cancelGuestInvite', guestArn: invite.guestArn })}
              >
                ${invite.status === 'cancelling' ? 'Cancelling…' : 'Cancel invite'}
              </button>
            </div>`
    }
  </li>`;
}

export function guestInvitesSection(ctx: ViewContext, channelArn: string): TemplateResult {
  const { state, dispatch } = ctx;
  const guests = state.guests;
  const invites = guests.invites.filter((i) => i.channelArn === channelArn);
  const errorId = 'guest-invite-error';
  return html`<section class="guest-invites stack" aria-labelledby="guest-invites-heading">
    <h3 id="guest-invites-heading">Invite a guest</h3>
    <p id="guest-invite-help" class="hint">
      A guest needs no account: the link opens this channel only, until it ends or you cancel it.
    </p>
    <form
      class="stack"
      novalidate
      @submit=${onSubmit((form) => {
        const data = new FormData(form);
        dispatch({
          type: 'inviteGuest',
          name: formText(data, 'guestName'),
          lifetimeHours: Number(data.get('lifetimeHours')),
        });
        form.reset();
      })}
    >
      <div class="field">
        <label for="guest-name">Guest name (optional)</label>
        <input
          id="guest-name"
          class="input"
          name="guestName"
          maxlength=${GUEST_NAME_MAX_LENGTH}
          autocomplete="off"
          aria-describedby="guest-invite-help"
        />
      </div>
      <div class="field">
        <label for="guest-hours">Access for (hours)</label>
        <input
          id="guest-hours"
          class="input narrow"
          name="lifetimeHours"
          type="number"
          inputmode="numeric"
          min=${MIN_GUEST_LIFETIME_HOURS}
          max=${MAX_GUEST_LIFETIME_HOURS}
          value=${DEFAULT_GUEST_LIFETIME_HOURS}
          aria-invalid=${guests.error ? 'true' : 'false'}
          aria-describedby=${guests.error ? errorId : nothing}
        />
      </div>
      ${guests.error ? html`<p id=${errorId} class="field-error" role="alert">${guests.error}</p>` : nothing}
      <button type="submit" class="btn btn-secondary" ?disabled=${guests.busy}>
        ${guests.busy ? 'Creating…' : 'Create invite'}
      </button>
    </form>
    ${
      invites.length
        ? html`<ul class="invites" aria-label="Guest invites">
            ${invites.map((i) => inviteItem(ctx, i))}
          </ul>`
        : nothing
    }
  </section>`;
}
