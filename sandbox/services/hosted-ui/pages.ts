/**
 * The hosted UI's HTML pages: sign-in, new password (administrator-created users), errors. Plain
 * server-rendered HTML with labelled controls, errors announced by `role="alert"` and tied to the
 * fields with `aria-describedby`, and a Content-Security-Policy that allows nothing but the page's
 * own stylesheet and form posts (to itself, and to the app it redirects to afterwards). A form
 * shown again with an error answers 200, as Cognito's pages do (the browser logs no failed load).
 */
import { escapeHtml, type HtmlPage, htmlPage } from '../../core/html-page';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f2f3f3;color:#16191f}
main{max-width:24rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0003}
h1{font-size:1.4rem;margin:0 0 .25rem}
.note{margin:0 0 1rem;color:#545b64;font-size:.875rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.5rem;font:inherit;border:1px solid #879596;border-radius:4px}
input:focus,button:focus{outline:3px solid #0073bb;outline-offset:1px}
button{margin-top:1.25rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#0073bb;border:0;border-radius:4px;cursor:pointer}
.providers{margin:1.5rem 0 0;padding:1rem 0 0;border-top:1px solid #d5dbdb;list-style:none}
.providers h2{font-size:1rem;margin:0 0 .5rem}
.providers a{display:block;margin:.5rem 0 0;padding:.55rem;text-align:center;font-weight:600;color:#16191f;border:1px solid #545b64;border-radius:4px;text-decoration:none}
.providers a:focus{outline:3px solid #0073bb;outline-offset:1px}
[role=alert]{margin:0 0 1rem;padding:.5rem .75rem;border-left:4px solid #d13212;background:#fdf3f1}
code{word-break:break-all}
@media (max-width:30rem){main{margin:0;border-radius:0;box-shadow:none}}
`.trim();

export type Page = HtmlPage;

/** `formTargets`: origins a form post may end at (the app, after the code redirect). */
function page(status: number, title: string, content: string, formTargets: string[] = []): Page {
  return htmlPage({
    status,
    title: `${title} - sandbox hosted UI`,
    style: STYLE,
    content,
    formTargets,
    headers: { 'x-frame-options': 'DENY' },
  });
}

const NOTE =
  '<p class="note">Local sandbox hosted UI: a stand-in for Amazon Cognito managed login.</p>';

function alert(error: string | undefined): string {
  return error ? `<p role="alert" id="form-error">${escapeHtml(error)}</p>` : '';
}

function describedBy(error: string | undefined): string {
  return error ? ' aria-describedby="form-error" aria-invalid="true"' : '';
}

export interface SignInPageInput {
  /** Where the form posts (path + the authorize query). */
  readonly action: string;
  /** `Email` when the pool signs in with email addresses. */
  readonly usernameLabel: string;
  readonly username?: string;
  readonly error?: string;
  /** The app's origin (the redirect after sign-in ends there). */
  readonly appOrigin: string;
  /** External identity providers: "Continue with <label>" links. @default - none */
  readonly providers?: readonly { readonly label: string; readonly href: string }[];
}

function providerLinks(providers: SignInPageInput['providers']): string {
  if (!providers || providers.length === 0) return '';
  const links = providers
    .map((p) => `<a href="${escapeHtml(p.href)}">Continue with ${escapeHtml(p.label)}</a>`)
    .join('\n');
  return `<section class="providers" aria-labelledby="other-ways"><h2 id="other-ways">Or continue with</h2>\n${links}</section>`;
}

export function signInPage(input: SignInPageInput): Page {
  const email = input.usernameLabel === 'Email';
  return page(
    200,
    'Sign in',
    `<h1>Sign in</h1>
${NOTE}
${alert(input.error)}
<form method="post" action="${escapeHtml(input.action)}" novalidate>
<label for="username">${escapeHtml(input.usernameLabel)}</label>
<input id="username" name="username" type="${email ? 'email' : 'text'}" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(input.username ?? '')}"${describedBy(input.error)}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy(input.error)}>
<button type="submit">Sign in</button>
</form>
${providerLinks(input.providers)}`,
    [input.appOrigin],
  );
}

export interface NewPasswordPageInput {
  readonly action: string;
  /** Opaque id of the pending challenge (kept server-side). */
  readonly challengeId: string;
  readonly error?: string;
  readonly appOrigin: string;
}

export function newPasswordPage(input: NewPasswordPageInput): Page {
  return page(
    200,
    'Change password',
    `<h1>Change password</h1>
${NOTE}
<p>Your administrator set a temporary password. Choose a new one to continue.</p>
${alert(input.error)}
<form method="post" action="${escapeHtml(input.action)}" novalidate>
<input type="hidden" name="challenge" value="${escapeHtml(input.challengeId)}">
<label for="new-password">New password</label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" required${describedBy(input.error)}>
<button type="submit">Change password and sign in</button>
</form>`,
    [input.appOrigin],
  );
}

/** An error the hosted UI cannot send back to the app (unknown client, unregistered URL). */
export function errorPage(status: number, error: string, description: string): Page {
  return page(
    status,
    'Error',
    `<h1>Something went wrong</h1>
${NOTE}
<p role="alert">${escapeHtml(description)}</p>
<p>Error code: <code>${escapeHtml(error)}</code></p>`,
  );
}

export function homePage(input: { origin: string; certFile: string; fingerprint: string }): Page {
  return page(
    200,
    'Hosted UI',
    `<h1>Sandbox hosted UI</h1>
${NOTE}
<p>This page loaded, so your browser accepts the sandbox's certificate: "Sign in with hosted UI" in the web demo now works.</p>
<p>Endpoints: <code>${escapeHtml(input.origin)}/oauth2/authorize</code>, <code>/oauth2/token</code>, <code>/logout</code>.</p>
<p>Certificate: <code>${escapeHtml(input.certFile)}</code><br>SHA-256: <code>${escapeHtml(input.fingerprint)}</code></p>`,
  );
}
