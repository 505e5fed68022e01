/**
 * A labelled text field with its error next to it (tied by aria-describedby, announced when it
 * appears) and an optional hint: the one way every form of the demo asks for text.
 */
import { html, nothing, type TemplateResult } from 'lit-html';

export interface FieldOptions {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly type?: string;
  readonly autocomplete?: string;
  readonly inputmode?: string;
  readonly placeholder?: string;
  /** Set the value from state (omit to leave what the person typed). */
  readonly value?: string;
  readonly error?: string;
  /** Id of an element that explains the field (a hint, the password rules). */
  readonly describedBy?: string;
  /** Identifiers and ARNs: monospace, no spell checking. */
  readonly mono?: boolean;
  readonly autofocus?: boolean;
  readonly onInput?: (value: string) => void;
}

export function field(o: FieldOptions): TemplateResult {
  const errorId = `${o.id}-error`;
  const describedBy = [o.error ? errorId : '', o.describedBy ?? ''].join(' ').trim();
  return html`<div class="field">
    <label for=${o.id}>${o.label}</label>
    <input
      id=${o.id}
      class="input ${o.mono ? 'mono' : ''}"
      name=${o.name}
      type=${o.type ?? 'text'}
      autocomplete=${o.autocomplete ?? 'off'}
      inputmode=${o.inputmode ?? nothing}
      placeholder=${o.placeholder ?? nothing}
      spellcheck=${o.mono ? 'false' : nothing}
      ?autofocus=${o.autofocus ?? false}
      .value=${o.value ?? ''}
      aria-invalid=${o.error ? 'true' : 'false'}
      aria-describedby=${describedBy || nothing}
      @input=${(e: Event) => o.onInput?.((e.target as HTMLInputElement).value)}
    />
    ${o.error ? html`<p id=${errorId} class="field-error" role="alert">${o.error}</p>` : nothing}
  </div>`;
}
