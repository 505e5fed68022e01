/**
 * The shell: loads /config.json, configures Amplify, runs the sign-up / sign-in screens
 * (views/auth.ts) and hands over to the signed-in app. The signed-in app (chat, identity, the
 * Chime SDK) is a separate chunk loaded after sign-in, so the first page load carries only what
 * signing in needs.
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
import { render } from 'lit-html';
import { type ClientConfig, parseClientConfig } from '../../contracts/client-config';
import { passwordRules } from '../../contracts/password-policy';
import { amplifyConfig } from './amplify-config';
import { friendlyError } from './errors';
import type { SignedInApp, SignedInIdentity, createSignedInApp as CreateSignedInApp } from './app';
import { inviteOfLocation } from './guest-link';
import {
  type AuthActions,
  type AuthField,
  type AuthState,
  type Screen,
  authView,
} from './views/auth';

/** Survives the hosted UI's /logout round trip, so the sign-in screen can say "signed out". */
const SIGNED_OUT_KEY = 'chime-chat:signed-out';

const root = document.getElementById('app') as HTMLElement;
// lit-html appends to what is there: drop the static "Loading…" of index.html.
root.replaceChildren();
let state: AuthState = { screen: 'loading', email: '', newPassword: '', busy: false };
/**
 * What shows once past the auth screens: the signed-in app, or an invite link's guest view (a
 * GuestApp has the same shape).
 */
let app: SignedInApp | undefined;
/** The field to focus after the next render. */
let focusNext: string | undefined;

let renderQueued = false;
function requestRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    const current = state.screen === 'app' ? app : undefined;
    current?.beforeRender();
    render(current ? current.view() : authView(state, actions), root);
    current?.afterRender();
    if (focusNext) {
      root.querySelector<HTMLElement>(focusNext)?.focus();
      focusNext = undefined;
    }
  });
}

function update(change: Partial<AuthState>): void {
  state = { ...state, ...change };
  requestRender();
}

/** Moves to a screen, focusing its first empty field (the code field when the email is known). */
function go(screen: Screen, extra: Partial<AuthState> = {}): void {
  const { error: _e, notice: _n, ...rest } = state;
  state = { ...rest, busy: false, newPassword: '', ...extra, screen };
  focusNext =
    (screen === 'confirmSignUp' || screen === 'resetPassword') && state.email
      ? '#field-code'
      : 'input';
  requestRender();
}

function fail(field: AuthField | undefined, message: string): void {
  update({ busy: false, error: { code: 'Invalid', message, ...(field && { field }) } });
  focusNext = field ? `#field-${field}` : undefined;
}

/** Runs an auth action with a busy state and a friendly error (and its suggested next screen). */
async function attempt(action: () => Promise<void>, during?: 'signIn'): Promise<void> {
  const { error: _cleared, ...rest } = state;
  state = { ...rest, busy: true };
  requestRender();
  try {
    await action();
  } catch (error) {
    const friendly = friendlyError(error, during);
    if (friendly.next && friendly.next !== state.screen) {
      go(friendly.next, { notice: friendly.message });
      return;
    }
    update({ error: friendly });
    if (friendly.field) focusNext = `#field-${friendly.field}`;
  } finally {
    if (state.busy) update({ busy: false });
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
      update({
        error: {
          code: step,
          message: `This demo does not handle the sign-in step ${step}. Use the hosted UI instead.`,
        },
      });
  }
}

/** Loaded on demand; started early (while signing in) so it is there when the tokens are. */
type AppModule = { createSignedInApp: typeof CreateSignedInApp };
let appModule: Promise<AppModule> | undefined;
function loadApp(): Promise<AppModule> {
  appModule ??= import('./app');
  return appModule;
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
  const [session, { createSignedInApp }] = await Promise.all([fetchAuthSession(), loadApp()]);
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
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  app?.stop();
  app = createSignedInApp({ config, identity, requestRender, signOut: doSignOut });
  const { error: _e, notice: _n, ...rest } = state;
  state = { ...rest, busy: false, screen: 'app' };
  requestRender();
}

async function doSignOut(): Promise<void> {
  app?.stop();
  app = undefined;
  // The channel in the URL belonged to this person.
  history.replaceState(null, '', location.pathname);
  // With the hosted UI, signOut() leaves for its /logout and comes back to a fresh page.
  sessionStorage.setItem(SIGNED_OUT_KEY, '1');
  await signOut();
  go('signIn', { notice: 'You are signed out.' });
}

// ---- what the screens do -----------------------------------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkEmail(email: string | undefined): boolean {
  if (!email) return (fail('email', 'Enter your email.'), false);
  if (!EMAIL.test(email)) {
    return (fail('email', 'Enter an email address like name@example.com.'), false);
  }
  return true;
}

function checkNewPassword(password: string | undefined): boolean {
  if (!password) return (fail('password', 'Choose a password.'), false);
  if (passwordRules(password).some((r) => !r.met)) {
    return (fail('password', 'The password does not meet all the rules below.'), false);
  }
  return true;
}

function checkCode(code: string | undefined): boolean {
  if (!code) return (fail('code', 'Enter the code from the email.'), false);
  return true;
}

const actions: AuthActions = {
  go: (screen) => go(screen),
  emailChanged: (email) => {
    state = { ...state, email };
  },
  newPasswordChanged: (password) => update({ newPassword: password }),
  hostedUi: () => void attempt(() => signInWithRedirect()),
  federated: (button) => void attempt(() => signInWithRedirect(button.input)),
  resendCode: () => {
    if (!checkEmail(state.email)) return;
    void attempt(async () => {
      await resendSignUpCode({ username: state.email });
      update({ notice: 'We sent a new code.' });
    });
  },
  submit(screen, v) {
    if (state.busy) return;
    if (v.email !== undefined) state = { ...state, email: v.email };
    const email = state.email;
    switch (screen) {
      case 'signIn':
        if (!checkEmail(email)) return;
        if (!v.password) return fail('password', 'Enter your password.');
        // Fetch the signed-in chunk while Cognito checks the password.
        void loadApp();
        void attempt(async () => {
          const output = await signIn({
            username: email,
            password: v.password ?? '',
            options: { authFlowType: state.config?.signInFlow ?? 'USER_SRP_AUTH' },
          });
          await afterSignInStep(output);
        }, 'signIn');
        return;
      case 'signUp':
        if (!checkEmail(email) || !checkNewPassword(v.password)) return;
        if (v.password !== v.password2) return fail('password2', 'The two passwords differ.');
        void attempt(async () => {
          const output = await signUp({
            username: email,
            password: v.password ?? '',
            options: { userAttributes: { email } },
          });
          if (output.isSignUpComplete) {
            go('signIn', { notice: 'Account created. Sign in.' });
            return;
          }
          const step = output.nextStep;
          const destination =
            step.signUpStep === 'CONFIRM_SIGN_UP'
              ? step.codeDeliveryDetails.destination
              : undefined;
          go('confirmSignUp', {
            notice: `We sent a confirmation code${destination ? ` to ${destination}` : ''}.`,
          });
        });
        return;
      case 'confirmSignUp':
        if (!checkEmail(email) || !checkCode(v.code)) return;
        void attempt(async () => {
          await confirmSignUp({ username: email, confirmationCode: v.code ?? '' });
          go('signIn', { notice: 'Account confirmed. Sign in.' });
        });
        return;
      case 'forgotPassword':
        if (!checkEmail(email)) return;
        void attempt(async () => {
          const output = await resetPassword({ username: email });
          const destination = output.nextStep.codeDeliveryDetails?.destination;
          go('resetPassword', {
            notice: `If the account exists, we sent a code${destination ? ` to ${destination}` : ''}.`,
          });
        });
        return;
      case 'resetPassword':
        if (!checkEmail(email) || !checkCode(v.code) || !checkNewPassword(v.password)) return;
        void attempt(async () => {
          await confirmResetPassword({
            username: email,
            confirmationCode: v.code ?? '',
            newPassword: v.password ?? '',
          });
          go('signIn', { notice: 'Password changed. Sign in with the new one.' });
        });
        return;
      case 'newPassword':
        if (!checkNewPassword(v.password)) return;
        void attempt(async () => {
          await afterSignInStep(await confirmSignIn({ challengeResponse: v.password ?? '' }));
        });
        return;
      case 'totpCode':
        if (!checkCode(v.code)) return;
        void attempt(async () => {
          await afterSignInStep(await confirmSignIn({ challengeResponse: v.code ?? '' }));
        });
        return;
      default:
        return;
    }
  },
};

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
  let config: ClientConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    go('configError', {
      configProblem: `The app's configuration could not be loaded: ${(error as Error).message}`,
    });
    return;
  }
  state = { ...state, config };
  // An invite link: the guest view, with no sign-in (its own chunk, docs/guests.md).
  const invite = inviteOfLocation(location.hash);
  if (invite) {
    const { createGuestApp } = await import('./guest-view');
    app = createGuestApp(config, invite, requestRender);
    update({ screen: 'app' });
    return;
  }
  Amplify.configure(amplifyConfig(config));
  Hub.listen('auth', ({ payload }) => {
    if (payload.event === 'signInWithRedirect' && state.screen !== 'app') void attempt(enterApp);
    if (payload.event === 'signInWithRedirect_failure') {
      go('signIn', { error: friendlyError(payload.data?.error) });
    }
  });
  const signedOut = sessionStorage.getItem(SIGNED_OUT_KEY) !== null;
  sessionStorage.removeItem(SIGNED_OUT_KEY);
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
  if (state.screen === 'loading') {
    go('signIn', signedOut ? { notice: 'You are signed out.' } : {});
  }
}

void start();
