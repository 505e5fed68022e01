/**
 * What a web browser may do with the sandbox on a developer's laptop. Listening on 127.0.0.1 is
 * not enough: every page the developer opens can send requests to loopback, and a DNS name that
 * re-resolves to 127.0.0.1 (DNS rebinding) makes the sandbox "same-origin" with that page. So,
 * on every port the sandbox serves (the services, /_sandbox/*, WebSockets, the hosted UI):
 *
 * - `Host` must be a loopback name with the server's own port (127.0.0.1, localhost, [::1]): a
 *   rebound name arrives as `Host: evil.example:<port>` and is refused.
 * - A request that carries an `Origin` (every cross-origin fetch, every POST, WebSocket
 *   handshakes) must come from a configured web origin (the local web demo, the hosted UI's
 *   callback origins); one the browser marks cross-site or same-site (`Sec-Fetch-Site`) without
 *   such an origin (e.g. `<script src>`) is refused too. Navigations typed by the user are not.
 * - CORS answers name the requesting origin when it is allowed, never `*`, and a preflight allows
 *   a fixed list of request headers (those AWS SDK v3 and Amplify send), not whatever it asks for.
 */
import type { IncomingMessage } from 'node:http';

/** Host names that can only mean this machine. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** Request headers browsers may send cross-origin: what AWS SDK v3 and Amplify send. */
export const ALLOWED_REQUEST_HEADERS: readonly string[] = [
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'authorization',
  'cache-control',
  'content-type',
  'x-amz-chime-bearer',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-target',
  'x-amz-user-agent',
];

/** Response headers the SDKs read (error type, request id). */
const EXPOSED_HEADERS = 'x-amzn-errortype,x-amzn-requestid,x-amzn-errormessage,x-amz-apigw-id,date';

/** `Host` is a loopback name with this port. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  const value = host?.toLowerCase();
  return value !== undefined && LOOPBACK_HOSTNAMES.some((name) => value === `${name}:${port}`);
}

export class WebOriginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebOriginError';
  }
}

/** `http://localhost:5173/path` -> `http://localhost:5173`; only http(s) loopback origins. */
export function loopbackOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebOriginError(`web origin '${url}' is not a URL (e.g. http://localhost:5173)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebOriginError(`web origin '${url}' must be http:// or https://`);
  }
  if (!LOOPBACK_HOSTNAMES.includes(parsed.hostname.toLowerCase())) {
    throw new WebOriginError(
      `web origin '${url}' is not on this machine: use 127.0.0.1, localhost or [::1]`,
    );
  }
  return parsed.origin;
}

/** The origins allowed to call the sandbox from a browser; more can be added while it runs. */
export class WebOrigins {
  private readonly origins = new Set<string>();

  /** `urls`: origins or any URL on them (e.g. callback URLs); each must be on loopback. */
  constructor(urls: Iterable<string> = []) {
    this.add(urls);
  }

  add(urls: Iterable<string>): void {
    for (const url of urls) this.origins.add(loopbackOrigin(url));
  }

  allows(origin: string | undefined): boolean {
    return origin !== undefined && this.origins.has(origin);
  }

  list(): string[] {
    return [...this.origins];
  }
}

/** Only the loopback URLs of `urls` (a template's callback URLs also list the deployed site). */
export function loopbackUrls(urls: Iterable<string>): string[] {
  return [...urls].filter((url) => {
    try {
      loopbackOrigin(url);
      return true;
    } catch {
      return false;
    }
  });
}

export interface Refusal {
  readonly status: number;
  readonly message: string;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A request addressed to another name than this server's loopback names (DNS rebinding). */
export function hostRefusal(req: IncomingMessage, port: number): Refusal | undefined {
  const host = req.headers.host;
  if (isLoopbackHost(host, port)) return undefined;
  return {
    // 421 Misdirected Request: this server does not answer for that name.
    status: 421,
    message: `The sandbox only answers requests addressed to 127.0.0.1:${port}, localhost:${port} or [::1]:${port}, not '${host ?? ''}' (DNS rebinding?).`,
  };
}

/** A request a browser sent on behalf of a page that is not an allowed web origin. */
export function originRefusal(req: IncomingMessage, origins: WebOrigins): Refusal | undefined {
  const origin = single(req.headers.origin);
  if (origin !== undefined) {
    if (origins.allows(origin)) return undefined;
    return {
      status: 403,
      message: `Origin '${origin}' may not call the sandbox; allowed: ${origins.list().join(', ') || 'none'} (startSandbox({ webOrigins }) or --web-origin).`,
    };
  }
  const site = single(req.headers['sec-fetch-site']);
  if (site === 'cross-site' || site === 'same-site') {
    return { status: 403, message: 'Cross-site requests may not reach the sandbox.' };
  }
  return undefined;
}

/** CORS headers of a response to an allowed origin (none for other requests). */
export function corsHeaders(
  origin: string | string[] | undefined,
  origins: WebOrigins,
): Record<string, string> {
  const value = single(origin);
  if (value === undefined || !origins.allows(value)) return {};
  return {
    'access-control-allow-origin': value,
    'access-control-expose-headers': EXPOSED_HEADERS,
    vary: 'Origin',
  };
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflightHeaders(
  origin: string | string[] | undefined,
  origins: WebOrigins,
  methods: string,
): Record<string, string> {
  const cors = corsHeaders(origin, origins);
  if (!cors['access-control-allow-origin']) return {};
  return {
    ...cors,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': ALLOWED_REQUEST_HEADERS.join(','),
    'access-control-max-age': '600',
  };
}
