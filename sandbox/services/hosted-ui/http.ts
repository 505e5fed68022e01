/** How the hosted UI reads requests and writes answers: forms, cookies, pages, redirects, JSON. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLimitedBody } from '../../core/body';
import { OAuthError } from './oauth';
import type { Page } from './pages';

/** Answers one request; `search` is the query string without `?`. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
) => void | Promise<void>;

/** Forms and token requests are small; a larger body is refused (413) without being buffered. */
const BODY_LIMIT = 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const body = await readLimitedBody(req, BODY_LIMIT);
  if (body === undefined) throw new OAuthError('invalid_request', 'request body too large', 413);
  return body.toString('utf8');
}

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** A form post must come from the hosted UI's own pages (login CSRF). */
export function postedFromOwnPage(req: IncomingMessage, selfOrigins: readonly string[]): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const from = req.headers.origin;
  return from === undefined || selfOrigins.includes(from);
}

export function sendPage(res: ServerResponse, page: Page): void {
  res.writeHead(page.status, page.headers);
  res.end(page.body);
}

export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(302, { ...headers, location, 'cache-control': 'no-store' });
  res.end();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  cors: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...cors,
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  res.end(JSON.stringify(body));
}
