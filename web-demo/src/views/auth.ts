/**
 * The screens before sign-in: sign in, create an account, confirm, forgot / reset password, new
 * password, authenticator code, and "cannot start". Each says what the product is, puts errors
 * next to the field they are about, shows the password rules before typing, and, against the
 * local sandbox, says where the emailed code really is and how to accept the hosted UI
 * certificate. Part of the first page load: no chat code here.
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import type { ClientConfig } from '../../../contracts/client-config';
import { passwordRules } from '../../../contracts/password-policy';
import type { ErrorField, FriendlyError } from '../errors';
import { type FederatedSignInButton, federatedSignInButtons } from '../federated-sign-in';
import { type FieldOptions, field } from './field';
import { icons } from './icons';

export type Screen =
  | 'loading'
  | 'configError'
  | 'signIn'
  | 'signUp'
  | 'confirmSignUp'
  | 'forgotPassword'
  | 'resetPassword'
  | 'newPassword'
  | 'totpCode'
  | 'app';

/** Form fields of the auth screens (`password2`: the repeated password). */
export type AuthField = ErrorField;

export interface AuthState {
  readonly screen: Screen;
  readonly config?: ClientConfig;
  readonly configProblem?: string;
  readonly email: string;
  /** The password being chosen, for the live rules list. */
  readonly newPassword: string;
  readonly busy: boolean;
  readonly error?: FriendlyError;
  readonly notice?: string;
}

export interface AuthActions {
  go(screen: Screen): void;
  submit(screen: Screen, values: Record<string, string>): void;
  resendCode(): void;
  hostedUi(): void;
  /** "Continue with <provider>": the hosted UI goes straight to that identity provider. */
  federated(button: FederatedSignInButton): void;
  emailChanged(email: string): void;
  newPasswordChanged(password: string): void;
}

function values(event: Event): Record<string, string> {
  event.preventDefault();
  const data = new FormData(event.target as HTMLFormElement);
  const out: Record<string, string> = {};
  for (const [key, value] of data) {
    out[key] = typeof value === 'string' ? (key.startsWith('password') ? value : value.trim()) : '';
  }
  return out;
}

function fieldError(state: AuthState, name: AuthField): string | undefined {
  return state.error?.field === name ? state.error.message : undefined;
}

function authField(
  state: AuthState,
  o: Omit<FieldOptions, 'id' | 'error' | 'name'> & { readonly name: AuthField },
): TemplateResult {
  return field({ ...o, id: `field-${o.name}`, error: fieldError(state, o.name) });
}

function emailField(state: AuthState, actions: AuthActions): TemplateResult {
  return authField(state, {
    name: 'email',
    label: 'Email',
    type: 'email',
    autocomplete: 'username',
    value: state.email,
    onInput: (v) => actions.emailChanged(v.trim()),
  });
}

function codeField(state: AuthState, hint?: string): TemplateResult {
  return authField(state, {
    name: 'code',
    label: 'Code',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    ...(hint && { describedBy: hint }),
  });
}

/** The password rules, ticked as they are met; shown before the person types. */
function newPasswordField(
  state: AuthState,
  actions: AuthActions,
  name: 'password',
  label: string,
): TemplateResult {
  const rules = passwordRules(state.newPassword);
  return html`${authField(state, {
      name,
      label,
      type: 'password',
      autocomplete: 'new-password',
      value: state.newPassword,
      describedBy: 'password-rules',
      onInput: (v) => actions.newPasswordChanged(v),
    })}
    <ul id="password-rules" class="rules" aria-label="Password rules">
      ${rules.map(
        (r) =>
          html`<li class=${r.met ? 'met' : ''}>
            ${r.met ? icons.check() : icons.circle()}<span>${r.label}</span
            ><span class="visually-hidden">${r.met ? ' (done)' : ' (not yet)'}</span>
          </li>`,
      )}
    </ul>`;
}

function submitButton(state: AuthState, label: string): TemplateResult {
  return html`<button type="submit" class="btn btn-primary btn-block" ?disabled=${state.busy}>
    ${state.busy ? 'Please wait…' : label}
  </button>`;
}

function messages(state: AuthState): TemplateResult {
  const formError = state.error && !state.error.field ? state.error : undefined;
  return html`${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : nothing}
  ${formError ? html`<p class="form-error" role="alert">${formError.message}</p>` : nothing}`;
}

function link(actions: AuthActions, label: string, screen: Screen): TemplateResult {
  return html`<button type="button" class="btn-link" @click=${() => actions.go(screen)}>
    ${label}
  </button>`;
}

/** Only against the local sandbox: where the "emailed" code really is. */
function codeHint(state: AuthState): TemplateResult {
  const local = state.config?.localSandbox;
  if (!local) return html``;
  return html`<div class="sandbox-hint" id="code-hint">
    <p>
      <strong>Running on the local sandbox:</strong> no email is sent. Your code is on the
      <a href=${local.codesUrl} target="_blank" rel="noopener noreferrer">sandbox's codes page</a>,
      and printed in the terminal that runs <code>npm start</code>.
    </p>
  </div>`;
}

function card(title: string, body: TemplateResult, state: AuthState): TemplateResult {
  return html`<div class="auth">
    <header class="auth-brand">
      <p class="brand">${icons.logo()}<span>Chime chat</span></p>
      <p class="tagline">
        Real-time chat where your AWS credentials, straight from Cognito, can act only as you.
      </p>
    </header>
    <main class="auth-card" aria-labelledby="title">
      <h1 id="title">${title}</h1>
      ${messages(state)} ${body}
    </main>
  </div>`;
}

/** One "Continue with <provider>" button per external identity provider in the client config. */
function providerButtons(state: AuthState, actions: AuthActions): TemplateResult | typeof nothing {
  const buttons = federatedSignInButtons(state.config);
  if (buttons.length === 0) return nothing;
  return html`<ul class="providers" aria-label="Sign in with another account">
    ${buttons.map(
      (button) =>
        html`<li>
          <button
            type="button"
            class="btn btn-secondary btn-block"
            ?disabled=${state.busy}
            @click=${() => actions.federated(button)}
          >
            ${button.label}
          </button>
        </li>`,
    )}
  </ul>`;
}

function signIn(state: AuthState, actions: AuthActions): TemplateResult {
  const config = state.config;
  const local = config?.localSandbox;
  return card(
    'Sign in',
    html`<form
        class="stack"
        novalidate
        @submit=${(e: Event) => actions.submit('signIn', values(e))}
      >
        ${emailField(state, actions)}
        ${authField(state, { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' })}
        ${submitButton(state, 'Sign in')}
      </form>
      ${
        config?.hostedUi
          ? html`<div class="or"><span>or</span></div>
              ${providerButtons(state, actions)}
              <button
                type="button"
                class="btn btn-secondary btn-block"
                ?disabled=${state.busy}
                @click=${() => actions.hostedUi()}
              >
                Sign in with hosted UI
              </button>
              ${
                local?.hostedUiUrl
                  ? html`<div class="sandbox-hint">
                      <p>
                        <strong>Local sandbox:</strong> its hosted UI uses a self-signed
                        certificate. Open
                        <a href=${local.hostedUiUrl} target="_blank" rel="noopener noreferrer"
                          >${local.hostedUiUrl}</a
                        >
                        once and accept the browser's warning (Chrome: Advanced, then Proceed), then
                        come back here.
                      </p>
                    </div>`
                  : nothing
              }`
          : nothing
      }
      <nav class="auth-links" aria-label="Account">
        ${link(actions, 'Create an account', 'signUp')}
        ${link(actions, 'Forgot password?', 'forgotPassword')}
        ${link(actions, 'I have a confirmation code', 'confirmSignUp')}
      </nav>`,
    state,
  );
}

function signUp(state: AuthState, actions: AuthActions): TemplateResult {
  return card(
    'Create an account',
    html`<form
        class="stack"
        novalidate
        @submit=${(e: Event) => actions.submit('signUp', values(e))}
      >
        ${emailField(state, actions)} ${newPasswordField(state, actions, 'password', 'Password')}
        ${authField(state, { name: 'password2', label: 'Repeat password', type: 'password', autocomplete: 'new-password' })}
        ${submitButton(state, 'Sign up')}
      </form>
      <nav class="auth-links" aria-label="Account">
        ${link(actions, 'I already have an account', 'signIn')}
      </nav>`,
    state,
  );
}

function confirmSignUp(state: AuthState, actions: AuthActions): TemplateResult {
  const local = Boolean(state.config?.localSandbox);
  return card(
    'Confirm your account',
    html`${codeHint(state)}
      <form
        class="stack"
        novalidate
        @submit=${(e: Event) => actions.submit('confirmSignUp', values(e))}
      >
        ${emailField(state, actions)} ${codeField(state, local ? 'code-hint' : undefined)}
        ${submitButton(state, 'Confirm')}
      </form>
      <nav class="auth-links" aria-label="Account">
        <button
          type="button"
          class="btn-link"
          ?disabled=${state.busy}
          @click=${() => actions.resendCode()}
        >
          Send a new code
        </button>
        ${link(actions, 'Back to sign in', 'signIn')}
      </nav>`,
    state,
  );
}

function forgotPassword(state: AuthState, actions: AuthActions): TemplateResult {
  return card(
    'Forgot password',
    html`<p class="lead">We will send a code to reset it.</p>
      <form
        class="stack"
        novalidate
        @submit=${(e: Event) => actions.submit('forgotPassword', values(e))}
      >
        ${emailField(state, actions)} ${submitButton(state, 'Send a code')}
      </form>
      <nav class="auth-links" aria-label="Account">
        ${link(actions, 'Back to sign in', 'signIn')}
      </nav>`,
    state,
  );
}

function resetPassword(state: AuthState, actions: AuthActions): TemplateResult {
  const local = Boolean(state.config?.localSandbox);
  return card(
    'Choose a new password',
    html`${codeHint(state)}
      <form
        class="stack"
        novalidate
        @submit=${(e: Event) => actions.submit('resetPassword', values(e))}
      >
        ${emailField(state, actions)} ${codeField(state, local ? 'code-hint' : undefined)}
        ${newPasswordField(state, actions, 'password', 'New password')}
        ${submitButton(state, 'Change password')}
      </form>
      <nav class="auth-links" aria-label="Account">
        ${link(actions, 'Back to sign in', 'signIn')}
      </nav>`,
    state,
  );
}

function newPassword(state: AuthState, actions: AuthActions): TemplateResult {
  return card(
    'Choose your password',
    html`<form
      class="stack"
      novalidate
      @submit=${(e: Event) => actions.submit('newPassword', values(e))}
    >
      ${newPasswordField(state, actions, 'password', 'New password')}
      ${submitButton(state, 'Continue')}
    </form>`,
    state,
  );
}

function totpCode(state: AuthState, actions: AuthActions): TemplateResult {
  return card(
    'Authenticator code',
    html`<p class="lead">Enter the 6-digit code from your authenticator app.</p>
      <form class="stack" novalidate @submit=${(e: Event) => actions.submit('totpCode', values(e))}>
        ${codeField(state)} ${submitButton(state, 'Verify')}
      </form>`,
    state,
  );
}

function configError(state: AuthState): TemplateResult {
  return card(
    'Cannot start',
    html`<p class="form-error" role="alert">${state.configProblem}</p>
      <p>
        Locally, run <code>npm start</code> (it starts the sandbox, which writes the config). On
        AWS, the hosting construct deploys <code>config.json</code> with the site.
      </p>`,
    state,
  );
}

export function authView(state: AuthState, actions: AuthActions): TemplateResult {
  switch (state.screen) {
    case 'loading':
    case 'app':
      return html`<main class="loading-screen" aria-busy="true">
        <h1 class="brand">${icons.logo()}<span>Chime chat</span></h1>
        <p class="hint">Loading…</p>
      </main>`;
    case 'configError':
      return configError(state);
    case 'signIn':
      return signIn(state, actions);
    case 'signUp':
      return signUp(state, actions);
    case 'confirmSignUp':
      return confirmSignUp(state, actions);
    case 'forgotPassword':
      return forgotPassword(state, actions);
    case 'resetPassword':
      return resetPassword(state, actions);
    case 'newPassword':
      return newPassword(state, actions);
    case 'totpCode':
      return totpCode(state, actions);
  }
}
