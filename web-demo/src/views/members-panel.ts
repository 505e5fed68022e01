/** Members of the open channel: names (never bare ids), who moderates, add and remove as allowed. */
import { html, nothing, type TemplateResult } from 'lit-html';
import { isGuestUserArn } from '../../../contracts/guests';
import { type State, isModerator, mayAddMembers, nameOf } from '../state';
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
              name: 'userId',
              label: 'Add someone by user id',
              mono: true,
              placeholder: '1b2c3d4e-5f60-…',
              value: form.draft,
              ...(form.error && { error: form.error }),
              describedBy: 'add-member-help',
              onInput: (text) => dispatch({ type: 'addMemberDraftChanged', text }),
            })}
            <p id="add-member-help" class="hint">
              Their user id is in their Identity panel. (Finding people by email needs the people
              API.)
            </p>
            <button type="submit" class="btn btn-primary" ?disabled=${form.busy}>
              ${form.busy ? 'Adding…' : 'Add member'}
            </button>
          </form>`
        : html`<p class="hint">Only moderators add members to this channel.</p>`
    }
    ${moderator && state.guests.enabled ? guestInvitesSection(ctx, open.arn) : nothing}
  </div>`;
}
