/**
 * The shell: loads /config.json, configures Amplify and runs the sign-up / sign-in screens. The
 * signed-in app (Who-am-I + chat, with the Chime SDK) is a separate chunk loaded after sign-in, so
 * the first page load carries only what signing in needs.
 */
import { Amplify } from 'aws-amplify';
import 'aws-amplify/auth/enable-oauth-listener';
import {
  type SignInOutput,
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  resendSignUpCode,
  resetPassword,
  signIn,
  signInWithRedirect,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { type ClientConfig, parseClientConfig } from '../../contracts/client-config';
import { amplifyConfig } from './amplify-config';
import { type FriendlyError, friendlyError } from './errors';
import { federatedSignInButtons } from './federated-sign-in';
import type { SignedInApp, SignedInIdentity } from './app';
import type { GuestApp } from './guest-view';
import { inviteOfLocation } from './guest-link';

type Screen =
  | 'loading'
  | 'configError'
  | 'signIn'
  | 'signUp'
  | 'confirmSignUp'
  | 'forgotPassword'
  | 'resetPassword'
  | 'newPassword'
  | 'totpCode'
  | 'app'
  | 'guest';

interface ShellState {
  screen: Screen;
  config?: ClientConfig;
  configProblem?: string;
  email: string;
  busy: boolean;
  error?: FriendlyError;
  notice?: string;
  app?: SignedInApp;
  guest?: GuestApp;
}

const root = document.getElementById('app') as HTMLElement;
// lit-html appends to what is there: drop the static "Loading…" of index.html.
root.replaceChildren();
const state: ShellState = { screen: 'loading', email: '', busy: false };

let renderQueued = false;
function requestRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render(view(), root);
  });
}

function go(screen: Screen, extra: Partial<ShellState> = {}): void {
  Object.assign(state, { error: undefined, notice: undefined, busy: false }, extra, { screen });
  requestRender();
  // Move focus to the new screen's first field, for keyboard and screen-reader users.
  queueMicrotask(() => root.querySelector<HTMLElement>('input, button')?.focus());
}

function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const data = new FormData(event.target as HTMLFormElement);
  const values: Record<string, string> = {};
  for (const [key, value] of data) values[key] = typeof value === 'string' ? value.trim() : '';
  return values;
}

/** Runs an auth action with a busy state and a friendly error (and its suggested next screen). */
async function attempt(action: () => Promise<void>, during?: 'signIn'): Promise<void> {
  state.busy = true;
  state.error = undefined;
  requestRender();
  try {
    await action();
  } catch (error) {
    const friendly = friendlyError(error, during);
    if (friendly.next && friendly.next !== state.screen) {
      go(friendly.next, { notice: friendly.message });
      return;
    }
    state.error = friendly;
  } finally {
    state.busy = false;
    requestRender();
  }
}

async function afterSignInStep(output: SignInOutput): Promise<void> {
  const step = output.nextStep.signInStep;
  switch (step) {
    case 'DONE':
      await enterApp();
      return;
    case 'CONFIRM_SIGN_UP':
      go('confirmSignUp', { notice: 'Confirm your account with the code we emailed you.' });
      return;
    case 'RESET_PASSWORD':
      await resetPassword({ username: state.email });
      go('resetPassword', { notice: 'You must choose a new password. We emailed you a code.' });
      return;
    case 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED':
      go('newPassword', { notice: 'Your administrator asks you to choose a new password.' });
      return;
    case 'CONFIRM_SIGN_IN_WITH_TOTP_CODE':
      go('totpCode');
      return;
    default:
      state.error = {
        code: step,
        message: `This demo does not handle the sign-in step ${step}. Use the hosted UI instead.`,
      };
  }
}

let entering: Promise<void> | undefined;

/** Opens the signed-in app once, however many paths (restore, Hub event) ask at the same time. */
function enterApp(): Promise<void> {
  entering ??= openSignedInApp().finally(() => (entering = undefined));
  return entering;
}

async function openSignedInApp(): Promise<void> {
  const config = state.config;
  if (!config) return;
  const session = await fetchAuthSession();
  const idToken = session.tokens?.idToken;
  const sub = idToken?.payload.sub;
  if (!idToken || typeof sub !== 'string') {
    go('signIn');
    return;
  }
  const email = idToken.payload.email;
  const identity: SignedInIdentity = {
    sub,
    email: typeof email === 'string' ? email : '',
    ...(session.identityId && { identityId: session.identityId }),
  };
  const { createSignedInApp } = await import('./app');
  state.app?.stop();
  state.app = createSignedInApp({ config, identity, requestRender, signOut: doSignOut });
  go('app');
}

async function doSignOut(): Promise<void> {
  state.app?.stop();
  state.app = undefined;
  await signOut();
  go('signIn', { notice: 'You are signed out.' });
}

// ---- screens -----------------------------------------------------------------------------------

function messages(): TemplateResult {
  return html`${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : nothing}
  ${
    state.error
      ? html`<p class="error" role="alert">
          ${state.error.message} <span class="code">(${state.error.code})</span>
        </p>`
      : nothing
  }`;
}

function emailField(autocomplete = 'username'): TemplateResult {
  return html`<label
    >Email
    <input
      name="email"
      type="email"
      required
      autocomplete=${autocomplete}
      .value=${state.email}
      @input=${(e: Event) => (state.email = (e.target as HTMLInputElement).value.trim())}
  /></label>`;
}

function passwordField(name: string, label: string, autocomplete: string): TemplateResult {
  return html`<label
    >${label} <input name=${name} type="password" required autocomplete=${autocomplete}
  /></label>`;
}

function codeField(): TemplateResult {
  return html`<label
    >Code
    <input
      name="code"
      inputmode="numeric"
      autocomplete="one-time-code"
      required
      pattern="[0-9A-Za-z]{4,10}"
  /></label>`;
}

function submit(label: string): TemplateResult {
  return html`<button type="submit" ?disabled=${state.busy}>
    ${state.busy ? 'Please wait…' : label}
  </button>`;
}

function link(label: string, screen: Screen): TemplateResult {
  return html`<button type="button" class="link" @click=${() => go(screen)}>${label}</button>`;
}

/** One "Continue with <provider>" button per external provider of the client config. */
function federatedSignIn(): TemplateResult | typeof nothing {
  const buttons = federatedSignInButtons(state.config);
  if (buttons.length === 0) return nothing;
  return html`<ul class="providers" aria-label="Sign in with another account">
    ${buttons.map(
      (button) =>
        html`<li>
          <button
            type="button"
            class="secondary"
            ?disabled=${state.busy}
            @click=${() => void attempt(() => signInWithRedirect(button.input))}
          >
            ${button.label}
          </button>
        </li>`,
    )}
  </ul>`;
}

function signInScreen(): TemplateResult {
  const config = state.config;
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    state.email = v.email ?? '';
    void attempt(async () => {
      const output = await signIn({
        username: state.email,
        password: v.password ?? '',
        options: { authFlowType: config?.signInFlow ?? 'USER_SRP_AUTH' },
      });
      await afterSignInStep(output);
    }, 'signIn');
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Sign in</h1>
    ${messages()}
    <form @submit=${onSubmit}>
      ${emailField()} ${passwordField('password', 'Password', 'current-password')}
      ${submit('Sign in')}
    </form>
    ${federatedSignIn()}
    ${
      config?.hostedUi
        ? html`<p>
            <button
              type="button"
              class="secondary"
              ?disabled=${state.busy}
              @click=${() => void attempt(() => signInWithRedirect())}
            >
              Sign in with hosted UI
            </button>
          </p>`
        : nothing
    }
    <nav class="links">
      ${link('Create an account', 'signUp')} ${link('Forgot password?', 'forgotPassword')}
      ${link('I have a confirmation code', 'confirmSignUp')}
    </nav>
  </section>`;
}

function signUpScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    state.email = v.email ?? '';
    if (v.password !== v.password2) {
      state.error = { code: 'PasswordMismatch', message: 'The two passwords differ.' };
      requestRender();
      return;
    }
    void attempt(async () => {
      const output = await signUp({
        username: state.email,
        password: v.password ?? '',
        options: { userAttributes: { email: state.email } },
      });
      if (output.isSignUpComplete) {
        go('signIn', { notice: 'Account created. Sign in.' });
      } else {
        const step = output.nextStep;
        const destination =
          step.signUpStep === 'CONFIRM_SIGN_UP' ? step.codeDeliveryDetails.destination : undefined;
        go('confirmSignUp', {
          notice: `We sent a confirmation code${destination ? ` to ${destination}` : ''}.`,
        });
      }
    });
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Create an account</h1>
    ${messages()}
    <form @submit=${onSubmit}>
      ${emailField()} ${passwordField('password', 'Password', 'new-password')}
      ${passwordField('password2', 'Repeat password', 'new-password')}
      <p class="hint">At least 12 characters with upper and lower case, a digit and a symbol.</p>
      ${submit('Sign up')}
    </form>
    <nav class="links">${link('I already have an account', 'signIn')}</nav>
  </section>`;
}

function confirmSignUpScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    state.email = v.email ?? '';
    void attempt(async () => {
      await confirmSignUp({ username: state.email, confirmationCode: v.code ?? '' });
      go('signIn', { notice: 'Account confirmed. Sign in.' });
    });
  };
  const resend = () =>
    void attempt(async () => {
      await resendSignUpCode({ username: state.email });
      state.notice = 'We sent a new code.';
    });
  return html`<section aria-labelledby="title">
    <h1 id="title">Confirm your account</h1>
    ${messages()}
    <form @submit=${onSubmit}>${emailField()} ${codeField()} ${submit('Confirm')}</form>
    <nav class="links">
      <button type="button" class="link" ?disabled=${state.busy} @click=${resend}>
        Send a new code
      </button>
      ${link('Back to sign in', 'signIn')}
    </nav>
  </section>`;
}

function forgotPasswordScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    state.email = v.email ?? '';
    void attempt(async () => {
      const output = await resetPassword({ username: state.email });
      const destination = output.nextStep.codeDeliveryDetails?.destination;
      go('resetPassword', {
        notice: `If the account exists, we sent a code${destination ? ` to ${destination}` : ''}.`,
      });
    });
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Forgot password</h1>
    ${messages()}
    <form @submit=${onSubmit}>${emailField()} ${submit('Send a code')}</form>
    <nav class="links">${link('Back to sign in', 'signIn')}</nav>
  </section>`;
}

function resetPasswordScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    state.email = v.email ?? '';
    void attempt(async () => {
      await confirmResetPassword({
        username: state.email,
        confirmationCode: v.code ?? '',
        newPassword: v.password ?? '',
      });
      go('signIn', { notice: 'Password changed. Sign in with the new one.' });
    });
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Choose a new password</h1>
    ${messages()}
    <form @submit=${onSubmit}>
      ${emailField()} ${codeField()} ${passwordField('password', 'New password', 'new-password')}
      ${submit('Change password')}
    </form>
    <nav class="links">${link('Back to sign in', 'signIn')}</nav>
  </section>`;
}

function newPasswordScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void attempt(async () => {
      await afterSignInStep(await confirmSignIn({ challengeResponse: v.password ?? '' }));
    });
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Choose your password</h1>
    ${messages()}
    <form @submit=${onSubmit}>
      ${passwordField('password', 'New password', 'new-password')} ${submit('Continue')}
    </form>
  </section>`;
}

function totpScreen(): TemplateResult {
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void attempt(async () => {
      await afterSignInStep(await confirmSignIn({ challengeResponse: v.code ?? '' }));
    });
  };
  return html`<section aria-labelledby="title">
    <h1 id="title">Authenticator code</h1>
    ${messages()}
    <form @submit=${onSubmit}>${codeField()} ${submit('Verify')}</form>
  </section>`;
}

function view(): TemplateResult {
  switch (state.screen) {
    case 'loading':
      return html`<p>Loading…</p>`;
    case 'configError':
      return html`<section>
        <h1>Cannot start</h1>
        <p class="error" role="alert">${state.configProblem}</p>
        <p>
          Locally, run <code>npm start</code> (it starts the sandbox, which writes the config). On
          AWS, the hosting construct deploys <code>config.json</code> with the site.
        </p>
      </section>`;
    case 'signIn':
      return signInScreen();
    case 'signUp':
      return signUpScreen();
    case 'confirmSignUp':
      return confirmSignUpScreen();
    case 'forgotPassword':
      return forgotPasswordScreen();
    case 'resetPassword':
      return resetPasswordScreen();
    case 'newPassword':
      return newPasswordScreen();
    case 'totpCode':
      return totpScreen();
    case 'app':
      return state.app ? state.app.view() : html`<p>Loading…</p>`;
    case 'guest':
      return state.guest ? state.guest.view() : html`<p>Loading…</p>`;
  }
}

// ---- start-up ----------------------------------------------------------------------------------

async function loadConfig(): Promise<ClientConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`GET /config.json answered HTTP ${response.status}`);
  }
  return parseClientConfig(await response.json());
}

async function start(): Promise<void> {
  requestRender();
  try {
    state.config = await loadConfig();
  } catch (error) {
    go('configError', {
      configProblem: `The app's configuration could not be loaded: ${(error as Error).message}`,
    });
    return;
  }
  // An invite link: the guest view, with no sign-in (its own chunk, docs/guests.md).
  const invite = inviteOfLocation(location.hash);
  if (invite) {
    const { createGuestApp } = await import('./guest-view');
    go('guest', { guest: createGuestApp(state.config, invite, requestRender) });
    return;
  }
  Amplify.configure(amplifyConfig(state.config));
  Hub.listen('auth', ({ payload }) => {
    if (payload.event === 'signInWithRedirect' && state.screen !== 'app') void attempt(enterApp);
    if (payload.event === 'signInWithRedirect_failure') {
      go('signIn', { error: friendlyError(payload.data?.error) });
    }
  });
  try {
    // Session restore on reload: Amplify keeps the tokens in localStorage.
    const session = await fetchAuthSession();
    if (session.tokens?.idToken) {
      await enterApp();
      return;
    }
  } catch {
    // No usable session: sign in.
  }
  if (state.screen === 'loading') go('signIn');
}

void start();
