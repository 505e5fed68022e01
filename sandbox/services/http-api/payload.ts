/**
 * The Lambda proxy integration, payload format 2.0 (API Gateway developer guide, "Working with
 * AWS Lambda proxy integrations for HTTP APIs"): the event the function receives and how its
 * result becomes the HTTP response.
 */
import { randomUUID } from 'node:crypto';
import type { Authorized } from './jwt-authorizer';

export interface IncomingApiRequest {
  readonly method: string;
  /** Path as received, with the stage (`/api/users`), no query string. */
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface EventContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly routeKey: string;
  readonly domainName: string;
  readonly authorized?: Authorized;
  /** Values of the route's `{name}` path segments. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly now?: number;
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/;

/** The payload format 2.0 event of a request. */
export function payloadV2Event(request: IncomingApiRequest, ctx: EventContext): object {
  const now = ctx.now ?? Date.now();
  // Format 2.0 has no multi-value fields: repeated headers and parameters are joined by commas.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = [value].flat();
    if (name === 'cookie') cookies = values.flatMap((v) => v.split(/;\s*/)).filter(Boolean);
    else headers[name] = values.join(',');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(request.rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const contentType = headers['content-type'] ?? '';
  const isBase64Encoded = request.body.length > 0 && !TEXT_TYPES.test(contentType);
  return {
    version: '2.0',
    routeKey: ctx.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(ctx.pathParameters &&
      Object.keys(ctx.pathParameters).length > 0 && { pathParameters: ctx.pathParameters }),
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      ...(ctx.authorized && {
        authorizer: { jwt: { claims: ctx.authorized.claims, scopes: ctx.authorized.scopes } },
      }),
      domainName: ctx.domainName,
      domainPrefix: ctx.domainName.split('.')[0] ?? ctx.domainName,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId,
      routeKey: ctx.routeKey,
      stage: ctx.stage,
      time: requestTime(now),
      timeEpoch: now,
    },
    ...(request.body.length > 0 && {
      body: isBase64Encoded ? request.body.toString('base64') : request.body.toString('utf8'),
    }),
    isBase64Encoded,
  };
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** API Gateway's own error answers: `{"message": ...}`. */
export function gatewayError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export const INTERNAL_SERVER_ERROR = () => gatewayError(500, 'Internal Server Error');

/**
 * A format 2.0 function result as API Gateway answers it: an object with `statusCode` is the
 * response; any other JSON is a 200 `application/json` body. An unusable result is a 500.
 */
export function responseFromResult(result: unknown): ApiResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as {
      statusCode?: unknown;
      headers?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
      cookies?: unknown;
    };
    const status = Number(r.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) return INTERNAL_SERVER_ERROR();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries((r.headers ?? {}) as Record<string, unknown>)) {
      headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(r.cookies)) headers['set-cookie'] = r.cookies.map(String);
    const body =
      typeof r.body === 'string'
        ? Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8')
        : Buffer.alloc(0);
    return { status, headers, body };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result)),
  };
}

export function newRequestId(): string {
  // API Gateway's ids look like `Mc7UVioPPHcEKPA=`; any unique text serves the sandbox.
  return Buffer.from(randomUUID().replace(/-/g, '').slice(0, 10), 'hex').toString('base64');
}
