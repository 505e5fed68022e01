/**
 * The sandbox's server-rendered pages (the hosted UI, the local OpenID provider): one HTML
 * skeleton with a strict Content-Security-Policy that allows only the page's own stylesheet (by
 * hash) and, when given, form posts to the listed targets.
 */
import { createHash } from 'node:crypto';

export interface HtmlPage {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export interface HtmlPageInput {
  readonly status: number;
  /** The whole `<title>`. */
  readonly title: string;
  /** The page's stylesheet (allowed by its hash, nothing else is). */
  readonly style: string;
  /** The `<main>` content (already escaped where it holds input). */
  readonly content: string;
  /**
   * `form-action` sources besides 'self' (Chrome applies them to the redirects after a post),
   * or `undefined` for no form-action at all.
   */
  readonly formTargets: readonly string[] | undefined;
  /** Extra headers (e.g. `x-frame-options`). */
  readonly headers?: Record<string, string>;
}

export function htmlPage(input: HtmlPageInput): HtmlPage {
  const styleHash = `'sha256-${createHash('sha256').update(input.style).digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `style-src ${styleHash}`,
    ...(input.formTargets ? [`form-action 'self' ${input.formTargets.join(' ')}`.trim()] : []),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    status: input.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // same-origin: form posts carry the page's Origin (checked against login CSRF).
      'referrer-policy': 'same-origin',
      ...input.headers,
    },
    body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${input.style}</style>
</head>
<body>
<main>
${input.content}
</main>
</body>
</html>
`,
  };
}
