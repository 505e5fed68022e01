/** Members of the open channel: names (never bare ids), who moderates, add and remove as allowed. */
import { html, nothing, type TemplateResult } from 'lit-html';
import { isGuestUserArn } from '../../../contracts/guests';
import { type State, isModerator, mayAddMembers, nameOf, peopleSuggestions } from '../state';
import { initials } from '../timeline';
import type { ViewContext } from './context';
import { onSubmit } from './context';
import { field } from './field';
import { guestInvitesSection } from './guest-invites';

function sortedMembers(state: State) {
  const open = state.open;
  if (!open) return [];
  return [...open.members].sort((a, b) => {
    if (a.arn === state.me.arn) return -1;
    if (b.arn === state.me.arn) return 1;
    return nameOf(state, a.arn).localeCompare(nameOf(state, b.arn));
  });
}

/** People from my other channels, one click to add (state.ts decides who). */
function suggestions(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const people = peopleSuggestions(state);
  if (people.length === 0) return html``;
  return html`<section class="suggestions" aria-labelledby="suggestions-heading">
    <h3 id="suggestions-heading">From your other channels</h3>
    <ul class="member-list">
      ${people.map(
        (p) =>
          html`<li class="member">
            <span class="avatar" aria-hidden="true">${initials(p.name)}</span>
            <span class="member-name" title=${p.name}>${p.name}</span>
            <button
              type="button"
              class="btn btn-secondary btn-small"
              aria-label="Add ${p.name}"
              ?disabled=${state.addMember.busy}
              @click=${() => dispatch({ type: 'addSuggested', memberArn: p.arn })}
            >
              Add
            </button>
          </li>`,
      )}
    </ul>
  </section>`;
}

export function membersPanel(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const open = state.open;
  if (!open) return html``;
  const moderator = isModerator(state);
  const form = state.addMember;
  return html`<div class="panel-body">
    <ul class="member-list" aria-label="Members">
      ${sortedMembers(state).map((m) => {
        const me = m.arn === state.me.arn;
        const name = nameOf(state, m.arn);
        const mod = open.moderators.includes(m.arn);
        return html`<li class="member">
          <span class="avatar" aria-hidden="true">${initials(name)}</span>
          <span class="member-name" title=${name}
            >${name}${me ? html` <span class="muted">(you)</span>` : nothing}</span
          >
          ${mod ? html`<span class="tag">moderator</span>` : nothing}
          ${isGuestUserArn(m.arn) ? html`<span class="tag guest">guest</span>` : nothing}
          ${
            moderator && !me
              ? html`<button
                  type="button"
                  class="btn btn-ghost btn-small"
                  aria-label="Remove ${name}"
                  @click=${() => dispatch({ type: 'removeMemberRequested', memberArn: m.arn })}
                >
                  Remove
                </button>`
              : nothing
          }
        </li>`;
      })}
    </ul>
    ${
      mayAddMembers(state)
        ? html`<form
              class="stack"
              novalidate
              @submit=${onSubmit(() => dispatch({ type: 'addMember' }))}
            >
              ${field({
                id: 'add-member',
                name: 'person',
                label: 'Add people by email or user id',
                type: 'text',
                inputmode: 'email',
                placeholder: 'name@example.com',
                value: form.draft,
                ...(form.error && { error: form.error }),
                describedBy: 'add-member-help',
                onInput: (text) => dispatch({ type: 'addMemberDraftChanged', text }),
              })}
              <p id="add-member-help" class="hint">
                The email they sign in with, or the user id from their Identity panel.
              </p>
              <button type="submit" class="btn btn-primary" ?disabled=${form.busy}>
                ${form.busy ? 'Adding…' : 'Add member'}
              </button>
            </form>
            ${suggestions(ctx)}`
        : html`<p class="hint">Only moderators add members to this channel.</p>`
    }
    ${moderator && state.guests.enabled ? guestInvitesSection(ctx, open.arn) : nothing}
  </div>`;
}
