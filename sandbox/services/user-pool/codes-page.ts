/**
 * `GET /_sandbox/codes` as a page, for a person sent there by the web demo ("the sandbox sends no
 * email: your code is on this page"). Tools keep the JSON answer; a browser navigation (Accept:
 * text/html) gets this table, newest first. Nothing but the page's own inline style may load.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../core/html-page';
import type { CodeRecord } from './index';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;color:#16191f}
main{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.35rem;margin:0 0 .25rem}
p{margin:0 0 1rem;color:#4a5360}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.5rem .4rem;border-bottom:1px solid #dde1e6;overflow-wrap:anywhere}
td.code{font:600 1.25rem/1.2 ui-monospace,monospace;letter-spacing:.08em}
@media (prefers-color-scheme:dark){body{background:#111418;color:#e6e9ed}main{background:#1b1f24}p{color:#aab2bd}th,td{border-color:#333a42}}
`.trim();
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export function codesPage(records: readonly CodeRecord[]): {
  headers: Record<string, string>;
  body: string;
} {
  const rows = [...records]
    .reverse()
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.destination)}</td><td class="code">${escapeHtml(r.code)}</td>` +
        `<td><time datetime="${new Date(r.at).toISOString()}">${new Date(r.at).toLocaleString('en-GB')}</time></td></tr>`,
    )
    .join('');
  const table = rows
    ? `<table><thead><tr><th scope="col">Sent to</th><th scope="col">Code</th><th scope="col">When</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No codes yet. Create an account in the web demo, then reload this page.</p>';
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>Confirmation codes - local sandbox</title><style>${STYLE}</style></head><body><main><h1>Confirmation codes</h1><p>The local sandbox sends no email. The codes it would have sent are listed here, newest first.</p>${table}</main></body></html>`;
  return {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; frame-ancestors 'none'`,
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    },
    body,
  };
}
