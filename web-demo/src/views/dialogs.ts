/**
 * Modal dialogs (native <dialog>: focus kept inside, Esc closes): new channel, open by ARN, and
 * the confirmations of what cannot be undone (redact, leave, delete, remove a member).
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import type { ConfirmAction, Dialog } from '../state';
import type { ViewContext } from './context';
import { onSubmit } from './context';
import { field } from './field';

function confirmText(action: ConfirmAction): { title: string; body: string; verb: string } {
  switch (action.kind) {
    case 'redact':
      return {
        title: 'Redact this message?',
        body: 'Everyone in the channel will see "Message redacted" instead of the text. This cannot be undone.',
        verb: 'Redact',
      };
    case 'leave':
      return {
        title: `Leave ${action.name}?`,
        body: 'You will stop receiving its messages. To come back, a member has to add you again.',
        verb: 'Leave',
      };
    case 'delete':
      return {
        title: `Delete ${action.name}?`,
        body: 'The channel and all its messages are deleted for everyone. This cannot be undone.',
        verb: 'Delete channel',
      };
    case 'removeMember':
      return {
        title: `Remove ${action.name}?`,
        body: 'They stop receiving messages from this channel until someone adds them again.',
        verb: 'Remove',
      };
  }
}

/** Cancel, then the dialog's own action. `focusCancel`: the safe choice takes the focus. */
function actions(ctx: ViewContext, primary: TemplateResult, focusCancel = false): TemplateResult {
  return html`<div class="dialog-actions">
    <button
      type="button"
      class="btn btn-ghost"
      ?autofocus=${focusCancel}
      @click=${() => ctx.dispatch({ type: 'dialogClosed' })}
    >
      Cancel
    </button>
    ${primary}
  </div>`;
}

function formValue(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

function newChannel(
  ctx: ViewContext,
  dialog: Extract<Dialog, { kind: 'newChannel' }>,
): TemplateResult {
  const { dispatch } = ctx;
  const create = (form: HTMLFormElement) =>
    dispatch({
      type: 'createChannel',
      name: formValue(form, 'name'),
      privacy: formValue(form, 'privacy') === 'PUBLIC' ? 'PUBLIC' : 'PRIVATE',
      mode: formValue(form, 'mode') === 'RESTRICTED' ? 'RESTRICTED' : 'UNRESTRICTED',
    });
  return html`<form class="stack" novalidate @submit=${onSubmit(create)}>
    <h2 id="dialog-title">New channel</h2>
    ${dialog.error ? html`<p class="form-error" role="alert">${dialog.error}</p>` : nothing}
    ${field({
      id: 'channel-name',
      name: 'name',
      label: 'Name',
      autofocus: true,
      ...(dialog.nameError && { error: dialog.nameError }),
    })}
    <fieldset class="choice">
      <legend>Who can see it</legend>
      <label class="radio"
        ><input type="radio" name="privacy" value="PRIVATE" checked /> Private
        <span class="hint">Only members see it and its messages.</span></label
      >
      <label class="radio"
        ><input type="radio" name="privacy" value="PUBLIC" /> Public
        <span class="hint">Anyone in this app can find it and read it.</span></label
      >
    </fieldset>
    <fieldset class="choice">
      <legend>Who can add members</legend>
      <label class="radio"
        ><input type="radio" name="mode" value="UNRESTRICTED" checked /> Any member</label
      >
      <label class="radio"
        ><input type="radio" name="mode" value="RESTRICTED" /> Only moderators (you)</label
      >
    </fieldset>
    ${actions(
      ctx,
      html`<button type="submit" class="btn btn-primary" ?disabled=${dialog.busy}>
        ${dialog.busy ? 'Creating…' : 'Create channel'}
      </button>`,
    )}
  </form>`;
}

function openByArn(
  ctx: ViewContext,
  dialog: Extract<Dialog, { kind: 'openByArn' }>,
): TemplateResult {
  const { dispatch } = ctx;
  return html`<form
    class="stack"
    novalidate
    @submit=${onSubmit((form) => dispatch({ type: 'openByArn', arn: formValue(form, 'channelArn') }))}
  >
    <h2 id="dialog-title">Open a channel by ARN</h2>
    <p class="hint">For a public channel you are not in, or a link someone sent you.</p>
    ${field({
      id: 'channel-arn',
      name: 'channelArn',
      label: 'Channel ARN',
      mono: true,
      autofocus: true,
      ...(dialog.error && { error: dialog.error }),
    })}
    ${actions(
      ctx,
      html`<button type="submit" class="btn btn-primary" ?disabled=${dialog.busy}>
        ${dialog.busy ? 'Opening…' : 'Open'}
      </button>`,
    )}
  </form>`;
}

function confirm(ctx: ViewContext, dialog: Extract<Dialog, { kind: 'confirm' }>): TemplateResult {
  const { dispatch } = ctx;
  const text = confirmText(dialog.action);
  return html`<div class="stack">
    <h2 id="dialog-title">${text.title}</h2>
    <p>${text.body}</p>
    ${dialog.error ? html`<p class="form-error" role="alert">${dialog.error}</p>` : nothing}
    ${actions(
      ctx,
      html`<button
        type="button"
        class="btn btn-danger"
        ?disabled=${dialog.busy}
        @click=${() => dispatch({ type: 'confirmAccepted' })}
      >
        ${dialog.busy ? 'Please wait…' : text.verb}
      </button>`,
      true,
    )}
  </div>`;
}

/** One <dialog> element, opened and closed to follow the state. */
export function dialogView(ctx: ViewContext): TemplateResult {
  const dialog = ctx.state.dialog;
  const sync = (el: Element | undefined) => {
    const element = el as HTMLDialogElement | undefined;
    if (!element) return;
    // After this render has put the content in: showModal() then focuses its autofocus field.
    queueMicrotask(() => {
      if (dialog && !element.open) element.showModal();
      if (!dialog && element.open) element.close();
    });
  };
  return html`<dialog
    class="dialog"
    aria-labelledby="dialog-title"
    ${ref(sync)}
    @cancel=${(e: Event) => {
      e.preventDefault();
      ctx.dispatch({ type: 'dialogClosed' });
    }}
  >
    ${
      dialog?.kind === 'newChannel'
        ? newChannel(ctx, dialog)
        : dialog?.kind === 'openByArn'
          ? openByArn(ctx, dialog)
          : dialog?.kind === 'confirm'
            ? confirm(ctx, dialog)
            : nothing
    }
  </dialog>`;
}
