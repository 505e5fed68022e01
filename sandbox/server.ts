/**
 * The sandbox HTTP server: one port on 127.0.0.1 for every service, each mounted by a module.
 *
 * PLUGIN INTERFACE (for service modules such as sandbox/services/chime-messaging/):
 *
 *   export const chimeMessaging: ServiceModule = {
 *     name: 'chime-messaging',
 *     register(router, ctx) {
 *       router.rest('GET', '/channels/:channelArn', async (req) => {
 *         const caller = await ctx.authenticate(req, { service: 'chime', protocol: 'restJson' });
 *         await ctx.authorize(caller, { action: 'chime:DescribeChannel', resource: arn, protocol: 'restJson' });
 *         return { status: 200, body: { Channel: ... } };       // objects are sent as JSON
 *       });
 *       router.upgrade('/connect', (req, socket, head) => { ... });   // WebSocket (e.g. ws's
 *       // `new WebSocketServer({ noServer: true }).handleUpgrade(req, socket, head, cb)`)
 *     },
 *     async close() { ... },                                    // optional, on stop
 *   };
 *
 * - `router.page(path, handler)`: a read-only GET page a link on a web page may open (a top-level
 *   navigation passes the origin checks; frames, scripts and fetches do not).
 * - `router.rest(method, pattern, handler)`: restJson routes; `:name` segments are decoded into
 *   `req.params.name`. `router.jsonTarget('Service.Operation', handler)`: awsJson 1.1 operations
 *   selected by `X-Amz-Target` (body parsed into `req.json`). `router.queryAction('AssumeRole',
 *   handler)`: awsQuery operations (`POST /`, form body parsed into `req.form`), handler returns
 *   an XML string body. `router.upgrade(pathPrefix, handler)`: WebSocket upgrades.
 * - Throw `AwsError` (sandbox/core/errors.ts) from a handler; it is rendered in the route's
 *   protocol (`x-amzn-ErrorType` + JSON, or STS XML). Anything else becomes a 500.
 * - `ctx.authenticate(req, { service, protocol })` verifies SigV4 (header or presigned) against
 *   the credential store and returns `{ session, region, presigned }`; `session.principalTags`
 *   holds the caller's principal tags. Call it from the upgrade handler too with
 *   `requestFromUpgrade(req)`.
 * - `await ctx.authorize(caller, { action, resource, protocol, context })` evaluates the caller's
 *   role policies from the synthesized template with its principal tags (async), and throws AWS's
 *   denial (`ForbiddenException` 403 for restJson, `AccessDeniedException` for JSON,
 *   `AccessDenied` for STS).
 * - `ctx.resources` holds the resolved template and the sandbox's physical ids (app instance ARN,
 *   pool ids, roles, ...); `ctx.state.store(name, defaults)` gives an atomically persisted JSON
 *   document in the state directory; `ctx.services` (`SandboxServices`, sandbox/services/index.ts)
 *   holds what modules share, typed: `userPool` (public signing key, findUser, revoked),
 *   `chimeIdentity` (getUser, nameOf, listUsers), `chimeMessaging` (the MessagingService).
 * - Modules are mounted in order: identity pool, STS, Chime identity, Chime messaging, DynamoDB,
 *   then `startSandbox({ modules })`; unmatched requests go to the user pool.
 * - Browser access (sandbox/core/browser-access.ts): requests whose `Host` is not a loopback name
 *   with this port are refused (DNS rebinding), so are requests from web origins not in
 *   `webOrigins`; CORS answers name the allowed origin, never `*`. Bodies are read up to
 *   `bodyLimitBytes` (AWS's error shape beyond, never buffering more); WebSocket upgrades pass the
 *   same Host and Origin checks before any module sees them.
 */
import type { Duplex } from 'node:stream';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import {
  type Refusal,
  type WebOrigins,
  corsHeaders,
  hostRefusal,
  isPageNavigation,
  originRefusal,
  preflightHeaders,
} from './core/browser-access';
import { readLimitedBody } from './core/body';
import { listenOnLoopback } from './core/listen';
import { AwsError, type Protocol, renderError } from './core/errors';
import type { VerifiedCaller } from './core/sigv4';
import type { SandboxClock } from './core/clock';
import type { CredentialStore } from './core/credentials';
import type { SandboxState } from './core/state';
import type { AuthorizeRequest } from './core/authorize';
import type { SandboxResources } from './resources';
import type { SandboxServices } from './services';

export interface SandboxRequest {
  method: string;
  /** Raw path (percent-encoded), no query string. */
  path: string;
  /** Decoded query parameters (repeated keys become arrays). */
  query: Record<string, string | string[]>;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Decoded `:name` segments of a rest route. */
  params: Record<string, string>;
  /** Parsed JSON body (json and restJson routes; `{}` when empty). */
  json: Record<string, unknown>;
  /** Parsed form body (query routes). */
  form: URLSearchParams;
}

export interface SandboxResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are serialized as JSON; strings and buffers are sent as they are. */
  body?: unknown;
}

/** A route: answers at once, or asynchronously. */
export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
/** A handler of raw requests; the body was read (within the limit) by the server. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Router {
  rest(method: string, pattern: string, handler: Handler): void;
  jsonTarget(target: string, handler: Handler): void;
  queryAction(action: string, handler: Handler): void;
  upgrade(pathPrefix: string, handler: UpgradeHandler): void;
  /**
   * A read-only GET page a person may open by following a link from a web page (the web demo's
   * "your code is on this page"): a top-level navigation to it passes the origin checks, which
   * still refuse it from a frame, a script or a fetch.
   */
  page(path: string, handler: Handler): void;
  /**
   * `AWSCognitoIdentityProviderService.*` JSON operations no module claimed (cognito-local behind
   * the IAM gate). One only. Nothing else reaches it: cognito-local's own OAuth and health routes
   * stay unreachable (the sandbox's hosted UI is the only OAuth server).
   */
  fallback(handler: NodeHandler): void;
}

export interface AuthenticateOptions {
  service: string;
  protocol: Protocol;
}

export interface SandboxContext {
  readonly region: string;
  readonly accountId: string;
  /** `http://127.0.0.1:<port>`, the endpoint of every service. */
  readonly url: string;
  readonly state: SandboxState;
  readonly credentials: CredentialStore;
  readonly resources: SandboxResources;
  /** What the modules share, each member set once by its owner (sandbox/services/index.ts). */
  readonly services: SandboxServices;
  /** The time of the sandbox's resources (Chime expiration, IAM `aws:CurrentTime`). */
  readonly clock: SandboxClock;
  readonly authenticate: (
    req: SandboxRequest,
    options: AuthenticateOptions,
  ) => Promise<VerifiedCaller>;
  readonly authorize: (caller: VerifiedCaller, request: AuthorizeRequest) => Promise<void>;
  log(message: string): void;
}

export interface ServiceModule {
  readonly name: string;
  register(router: Router, ctx: SandboxContext): void | Promise<void>;
  close?(): Promise<void>;
}

interface RestRoute {
  method: string;
  segments: string[];
  handler: Handler;
}

/** JSON operations of this service go to the fallback (cognito-local) when no module claims them. */
const FALLBACK_TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

const ALLOWED_METHODS = 'GET,POST,PUT,DELETE,PATCH,OPTIONS';

/**
 * Request bodies are read up to this size on every route (the largest a sandbox operation needs
 * is far smaller). AWS's per-service limits are not published for these APIs.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface SandboxServerOptions {
  /** Origins allowed to call the sandbox from a browser (CORS); others are refused. */
  readonly webOrigins: WebOrigins;
  /** Internal errors (not AwsErrors) go here. @default - discarded */
  readonly onError?: (error: unknown) => void;
  /** @default DEFAULT_BODY_LIMIT_BYTES */
  readonly bodyLimitBytes?: number;
  /** Added before every answer (to try a UI on a slow network). @default 0 */
  readonly latencyMs?: number;
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function matchRoute(route: RestRoute, method: string, path: string): Record<string, string> | null {
  if (route.method !== method) return null;
  const parts = path.split('/').slice(1);
  if (parts.length !== route.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i] ?? '';
    const part = parts[i] ?? '';
    if (segment.startsWith(':')) {
      if (part === '') return null;
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}

/** The protocol an error should be rendered in, from the request alone. */
function protocolOf(req: IncomingMessage): Protocol {
  if (typeof req.headers['x-amz-target'] === 'string') return 'json';
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    return 'query';
  }
  return 'restJson';
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${refusal.message}\n`);
}

/**
 * Hands `res` to code that sets its own CORS headers (cognito-local's express app answers
 * `Access-Control-Allow-Origin: *`): those are dropped, the sandbox's own are sent instead.
 */
function withOwnCors(res: ServerResponse, cors: Record<string, string>): ServerResponse {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const own = (name: string) => name.toLowerCase().startsWith('access-control-');
  Object.assign(res, {
    writeHead(...args: unknown[]): ServerResponse {
      for (const name of res.getHeaderNames()) if (own(name)) res.removeHeader(name);
      const headers = args.find((a, i) => i > 0 && typeof a === 'object' && a !== null);
      if (headers && !Array.isArray(headers)) {
        for (const name of Object.keys(headers)) {
          if (own(name)) delete (headers as Record<string, unknown>)[name];
        }
      }
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      return writeHead(...args);
    },
  });
  return res;
}

/** Builds the `SandboxRequest` of a WebSocket upgrade (no body), for `ctx.authenticate`. */
export function requestFromUpgrade(req: IncomingMessage): SandboxRequest {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  return {
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0] ?? '/',
    query: parseQuery(url.search),
    headers: req.headers,
    body: Buffer.alloc(0),
    params: {},
    json: {},
    form: new URLSearchParams(),
  };
}

function send(
  res: ServerResponse,
  response: SandboxResponse,
  cors: Record<string, string> = {},
): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}), ...cors };
  let body: string | Buffer = '';
  if (Buffer.isBuffer(response.body) || typeof response.body === 'string') {
    body = response.body;
  } else if (response.body !== undefined) {
    body = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}

/** The router plus the node HTTP server that dispatches to it. */
export class SandboxServer implements Router {
  private readonly restRoutes: RestRoute[] = [];
  private readonly jsonTargets = new Map<string, Handler>();
  private readonly queryActions = new Map<string, Handler>();
  private readonly upgrades: [string, UpgradeHandler][] = [];
  private readonly pages = new Set<string>();
  private fallbackHandler: NodeHandler | undefined;
  private port = 0;
  readonly http: Server;

  constructor(private readonly options: SandboxServerOptions) {
    const onError = options.onError ?? (() => {});
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) send(res, renderError(error, 'json'));
        else res.destroy();
      });
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const refusal = hostRefusal(req, this.port) ?? originRefusal(req, options.webOrigins);
      if (refusal) {
        socket.end(
          `HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal.message}\n`,
        );
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const match = this.upgrades.find(([prefix]) => path.startsWith(prefix));
      if (!match) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      match[1](req, socket, head);
    });
  }

  rest(method: string, pattern: string, handler: Handler): void {
    this.restRoutes.push({ method, segments: pattern.split('/').slice(1), handler });
  }

  jsonTarget(target: string, handler: Handler): void {
    this.jsonTargets.set(target, handler);
  }

  queryAction(action: string, handler: Handler): void {
    this.queryActions.set(action, handler);
  }

  upgrade(pathPrefix: string, handler: UpgradeHandler): void {
    this.upgrades.push([pathPrefix, handler]);
  }

  page(path: string, handler: Handler): void {
    this.rest('GET', path, handler);
    this.pages.add(path);
  }

  fallback(handler: NodeHandler): void {
    if (this.fallbackHandler) throw new Error('a fallback handler is already registered');
    this.fallbackHandler = handler;
  }

  async listen(port: number): Promise<number> {
    this.port = await listenOnLoopback(this.http, port);
    return this.port;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Browser checks, latency, body, then the route. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { webOrigins } = this.options;
    const page = isPageNavigation(req) && this.pages.has((req.url ?? '/').split('?')[0] ?? '/');
    const refusal =
      hostRefusal(req, this.port) ?? (page ? undefined : originRefusal(req, webOrigins));
    if (refusal) {
      req.resume();
      refuse(res, refusal);
      return;
    }
    if (this.options.latencyMs) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    }
    const cors = corsHeaders(req.headers.origin, webOrigins);
    if (req.method === 'OPTIONS') {
      req.resume();
      send(res, {
        status: 204,
        headers: preflightHeaders(req.headers.origin, webOrigins, ALLOWED_METHODS),
      });
      return;
    }
    const body = await readLimitedBody(
      req,
      this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    );
    if (body === undefined) {
      const limit = this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
      const protocol = protocolOf(req);
      // awsQuery codes carry no `Exception` suffix (STS: AccessDenied, ExpiredToken...).
      const code =
        protocol === 'query' ? 'RequestEntityTooLarge' : 'RequestEntityTooLargeException';
      send(
        res,
        renderError(
          new AwsError(
            code,
            `Request body is larger than the sandbox's limit of ${limit} bytes.`,
            413,
          ),
          protocol,
        ),
        cors,
      );
      return;
    }
    await this.dispatch(req, res, body, cors);
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    cors: Record<string, string>,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const [path = '/', search = ''] = rawUrl.split('?', 2);
    const target = req.headers['x-amz-target'];
    let handler: Handler | undefined;
    let protocol: Protocol = 'restJson';
    let params: Record<string, string> = {};
    if (typeof target === 'string' && method === 'POST') {
      handler = this.jsonTargets.get(target);
      protocol = 'json';
      if (!handler) {
        if (target.startsWith(FALLBACK_TARGET_PREFIX) && this.fallbackHandler) {
          this.fallbackHandler(req, withOwnCors(res, cors), body);
          return;
        }
        send(
          res,
          renderError(
            new AwsError('UnknownOperationException', `The sandbox does not implement ${target}.`),
            protocol,
          ),
          cors,
        );
        return;
      }
    } else {
      for (const route of this.restRoutes) {
        const matched = matchRoute(route, method, path);
        if (matched) {
          handler = route.handler;
          params = matched;
          break;
        }
      }
      if (!handler && protocolOf(req) === 'query' && path === '/') {
        protocol = 'query';
        const form = new URLSearchParams(body.toString('utf8'));
        const action = form.get('Action') ?? '';
        const queryHandler = this.queryActions.get(action);
        const request = this.request(req, path, search, body, {}, protocol);
        request.form = form;
        if (!queryHandler) {
          send(
            res,
            renderError(
              new AwsError('InvalidAction', `Could not find operation ${action} for version.`),
              protocol,
            ),
            cors,
          );
          return;
        }
        await this.run(res, queryHandler, request, protocol, cors);
        return;
      }
    }
    if (!handler) {
      send(
        res,
        renderError(
          new AwsError('UnknownOperationException', `No route for ${method} ${path}.`, 404),
          protocol,
        ),
        cors,
      );
      return;
    }
    await this.run(
      res,
      handler,
      this.request(req, path, search, body, params, protocol),
      protocol,
      cors,
    );
  }

  private request(
    req: IncomingMessage,
    path: string,
    search: string,
    body: Buffer,
    params: Record<string, string>,
    protocol: Protocol,
  ): SandboxRequest {
    let json: Record<string, unknown> = {};
    if (protocol !== 'query' && body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          json = parsed as Record<string, unknown>;
        }
      } catch {
        json = {};
      }
    }
    return {
      method: req.method ?? 'GET',
      path,
      query: parseQuery(search),
      headers: req.headers,
      body,
      params,
      json,
      form: new URLSearchParams(),
    };
  }

  private async run(
    res: ServerResponse,
    handler: Handler,
    request: SandboxRequest,
    protocol: Protocol,
    cors: Record<string, string>,
  ): Promise<void> {
    let response: SandboxResponse;
    try {
      response = await handler(request);
    } catch (error) {
      if (!(error instanceof AwsError)) this.options.onError?.(error);
      response = renderError(error, protocol);
    }
    send(res, response, cors);
  }
}
