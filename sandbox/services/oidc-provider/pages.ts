/**
 * The local OpenID provider's own sign-in page (its "interaction"): one form, labelled fields,
 * the error announced with `role="alert"` and tied to the fields, the test people listed (this is
 * a development server; their passwords are public). Styled apart from the sandbox hosted UI, so
 * a person sees they have left the chat app's sign-in for another identity provider.
 */
import { escapeHtml, type HtmlPage, htmlPage } from '../../core/html-page';
import type { LocalPerson } from './people';

const STYLE = `
*{box-sizing:border-box}
:root{color-scheme:light dark}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#eef1f6;color:#1b1f24}
main{max-width:24rem;margin:3rem auto;padding:1.5rem;background:#fff;border-top:6px solid #5b2a86;border-radius:6px}
h1{font-size:1.3rem;margin:0 0 .25rem}
p{margin:0 0 1rem}
.who{color:#4a5160;font-size:.875rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px;background:inherit;color:inherit}
input:focus,button:focus{outline:3px solid #5b2a86;outline-offset:1px}
button{margin-top:1.25rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#5b2a86;border:0;border-radius:4px;cursor:pointer}
[role=alert]{margin:0 0 1rem;padding:.5rem .75rem;border-left:4px solid #b42318;background:#fdecea;color:#1b1f24}
table{border-collapse:collapse;margin-top:1.5rem;font-size:.875rem}
th,td{text-align:left;padding:.15rem .75rem .15rem 0}
@media (prefers-color-scheme:dark){body{background:#15171c;color:#e6e8eb}main{background:#22252c}.who{color:#b8bec9}}
@media (max-width:30rem){main{margin:0;border-radius:0}}
`.trim();
export type HtmlResponse = HtmlPage;

function page(status: number, title: string, content: string): HtmlResponse {
  // No form-action: Chrome applies it to every redirect after the post, and the chain goes on
  // past the relying party (the hosted UI) to an app this provider cannot know.
  return htmlPage({ status, title, style: STYLE, content, formTargets: undefined });
}

export interface LoginPageInput {
  readonly uid: string;
  readonly clientName: string;
  readonly people: readonly LocalPerson[];
  readonly username?: string;
  readonly error?: string;
}

export function loginPage(input: LoginPageInput): HtmlResponse {
  const error = input.error ? `<p role="alert" id="error">${escapeHtml(input.error)}</p>` : '';
  const describedBy = input.error ? ' aria-describedby="error" aria-invalid="true"' : '';
  const rows = input.people
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.username)}</code></td><td><code>${escapeHtml(p.password)}</code></td><td>${escapeHtml(p.name)}</td></tr>`,
    )
    .join('');
  return page(
    200,
    'Sign in - Local OpenID provider',
    `<h1>Local OpenID provider</h1>
<p class="who">Sign in to continue to ${escapeHtml(input.clientName)}.</p>
${error}<form method="post" action="/interaction/${encodeURIComponent(input.uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(input.username ?? '')}"${describedBy}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}>
<button type="submit">Sign in</button>
</form>
<table><caption>Test people (development only)</caption><thead><tr><th scope="col">Username</th><th scope="col">Password</th><th scope="col">Name</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function errorPage(message: string): HtmlResponse {
  return page(
    400,
    'Error - Local OpenID provider',
    `<h1>Something went wrong</h1><p role="alert">${escapeHtml(message)}</p>`,
  );
}
