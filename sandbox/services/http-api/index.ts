/**
 * The project's HTTP API in the sandbox: an emulation of API Gateway HTTP APIs built from the
 * template (sandbox/services/http-api/template.ts), on a loopback port of its own (an API Gateway
 * endpoint is its own host, with its own CORS). For each request, as API Gateway does it:
 *
 *   loopback Host (DNS rebinding) -> stage prefix -> CORS preflight -> route -> throttle (429) -> JWT authorizer (401/403)
 *   -> Lambda proxy integration, payload format 2.0, through the sandbox's Lambda runner (the
 *      function's bundle from cdk.out, with its role's credentials, so its policy is enforced)
 *   -> the function's result as the response (+ CORS headers for an allowed origin)
 *
 * Adding a route to the stack needs nothing here: every route of the template is served. A route
 * whose JWT authorizer names another issuer than the user pool (an external issuer's vending
 * route) is served when that issuer is on loopback: its keys are found by OpenID discovery.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { hostRefusal } from '../../core/browser-access';
import { listenOnLoopback } from '../../core/listen';
import { LoopbackHttpFetcher } from '../../core/loopback-fetcher';
import type { LambdaRunner } from '../../lambda/runner';
import type { SandboxResources } from '../../resources';
import { AuthorizerRefusal, JwtAuthorizer } from './jwt-authorizer';
import {
  type ApiResponse,
  gatewayError,
  INTERNAL_SERVER_ERROR,
  newRequestId,
  payloadV2Event,
  responseFromResult,
} from './payload';
import { type HttpApiSpec, type RouteSpec, httpApiOf } from './template';
import { RouteThrottle } from './throttle';

export interface StartHttpApiOptions {
  readonly resources: SandboxResources;
  readonly lambda: LambdaRunner;
  /** The sandbox user pool's public signing key (the authorizer's JWKS). */
  readonly jwk: JwkWithKid;
  /** Port on 127.0.0.1 (0 = a free one). */
  readonly port: number;
  /**
   * Origins allowed by CORS besides the template's (the local web demo the sandbox serves, on a
   * port only known at run time). @default - none
   */
  readonly localAppOrigins?: readonly string[];
  /**
   * The sandbox's own browser allowlist (sandbox/core/browser-access.ts), consulted on every
   * request, so origins added while it runs are admitted here too. @default - none
   */
  readonly allowsOrigin?: (origin: string) => boolean;
  readonly log?: (line: string) => void;
  /** Clock for tokens and throttling, epoch ms. @default Date.now */
  readonly now?: () => number;
}

export interface RunningHttpApi {
  /** `http://127.0.0.1:<port>/<stage>`: `apiUrl` of the client config. */
  readonly apiUrl: string;
  readonly port: number;
  readonly spec: HttpApiSpec;
  /** Allows one more browser origin (e.g. a web demo started after the sandbox). */
  addAppOrigin(origin: string): void;
  stop(): Promise<void>;
}

/** HTTP APIs accept payloads up to 10 MB; the sandbox's routes need far less. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The route a request takes, with the values of its `{name}` segments (percent-decoded). */
function matchRoute(
  routes: readonly RouteSpec[],
  method: string,
  path: string,
): { route: RouteSpec; pathParameters: Record<string, string> } | undefined {
  const parts = path.split('/');
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const segments = route.path.split('/');
    if (segments.length !== parts.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = segments.every((segment, i) => {
      const part = parts[i] ?? '';
      if (segment === part) return true;
      const name = /^\{([^}+]+)\}$/.exec(segment)?.[1];
      if (name === undefined || part === '') return false;
      try {
        pathParameters[name] = decodeURIComponent(part);
      } catch {
        return false;
      }
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}

function isLoopbackUrl(value: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(value).hostname);
  } catch {
    return false;
  }
}

/** Issuer of the template's authorizer as the sandbox's tokens carry it. */
function sandboxIssuer(resources: SandboxResources, templateIssuer: string): string {
  return templateIssuer === `https://${resources.userPoolProviderName}`
    ? resources.userPoolIssuer
    : templateIssuer;
}

export async function startHttpApi(
  options: StartHttpApiOptions,
): Promise<RunningHttpApi | undefined> {
  const spec = httpApiOf(options.resources);
  if (!spec) return undefined;
  const { resources, lambda } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const throttle = new RouteThrottle(now);
  const authorizers = new Map<RouteSpec, JwtAuthorizer>();
  for (const route of spec.routes) {
    if (route.authorizer) {
      const issuer = sandboxIssuer(resources, route.authorizer.issuer);
      if (issuer !== resources.userPoolIssuer && !isLoopbackUrl(issuer)) {
        // Nothing here reaches the internet: another issuer must be local (the local OpenID provider).
        throw new Error(
          `route ${route.routeKey}: the sandbox checks tokens of its own user pool or of a loopback issuer (the local OpenID provider), not '${route.authorizer.issuer}'`,
        );
      }
      const keys =
        issuer === resources.userPoolIssuer
          ? { jwk: options.jwk }
          : { fetcher: new LoopbackHttpFetcher() };
      authorizers.set(route, new JwtAuthorizer(route.authorizer, issuer, keys, now));
    }
    if (!route.invokePermitted) {
      log(
        `warning: ${route.routeKey}: no AWS::Lambda::Permission lets API Gateway invoke its function (it answers 500)`,
      );
    }
  }
  const appOrigins = new Set((options.localAppOrigins ?? []).map((o) => new URL(o).origin));
  const cors = spec.cors;
  const originAllowed = (origin: string | undefined) =>
    origin !== undefined &&
    cors !== undefined &&
    (cors.allowOrigins.includes('*') ||
      cors.allowOrigins.includes(origin) ||
      appOrigins.has(origin) ||
      options.allowsOrigin?.(origin) === true);

  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    originAllowed(origin) && cors
      ? {
          'access-control-allow-origin': origin!,
          vary: 'origin',
          ...(cors.exposeHeaders.length > 0 && {
            'access-control-expose-headers': cors.exposeHeaders.join(','),
          }),
          ...(cors.allowCredentials && { 'access-control-allow-credentials': 'true' }),
        }
      : {};

  const preflight = (req: IncomingMessage): ApiResponse => {
    const origin = req.headers.origin;
    const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const allowed =
      cors !== undefined &&
      originAllowed(origin) &&
      (cors.allowMethods.includes('*') || cors.allowMethods.includes(method)) &&
      requested.every((h) => cors.allowHeaders.includes('*') || cors.allowHeaders.includes(h));
    // A refused preflight gets no CORS headers: the browser then blocks the request.
    if (!allowed || !cors) return { status: 204, headers: {}, body: Buffer.alloc(0) };
    return {
      status: 204,
      headers: {
        'access-control-allow-origin': origin!,
        'access-control-allow-methods': cors.allowMethods.join(','),
        'access-control-allow-headers': cors.allowHeaders.join(','),
        ...(cors.maxAge !== undefined && { 'access-control-max-age': String(cors.maxAge) }),
        vary: 'origin',
      },
      body: Buffer.alloc(0),
    };
  };

  const handle = async (req: IncomingMessage, port: number): Promise<ApiResponse> => {
    // The sandbox's DNS-rebinding guard: only requests addressed to this loopback port.
    const misdirected = hostRefusal(req, port);
    if (misdirected) return gatewayError(misdirected.status, misdirected.message);
    const method = (req.method ?? 'GET').toUpperCase();
    const [rawPath = '/', rawQueryString = ''] = (req.url ?? '/').split('?', 2);
    const prefix = `/${spec.stageName}`;
    if (!rawPath.startsWith(`${prefix}/`)) return gatewayError(404, 'Not Found');
    const path = rawPath.slice(prefix.length);
    if (method === 'OPTIONS' && cors && req.headers['access-control-request-method']) {
      return preflight(req);
    }
    const matched = matchRoute(spec.routes, method, path);
    if (!matched) return gatewayError(404, 'Not Found');
    const { route, pathParameters } = matched;
    if (!throttle.take(route.routeKey, route.throttle ?? spec.defaultThrottle)) {
      return gatewayError(429, 'Too Many Requests');
    }
    const authorizer = authorizers.get(route);
    let authorized;
    if (authorizer) {
      try {
        authorized = await authorizer.authorize(req.headers, route.scopes);
      } catch (error) {
        if (!(error instanceof AuthorizerRefusal)) throw error;
        return gatewayError(error.status, error.body.message, error.headers);
      }
    }
    const body = await readBody(req);
    if (body === undefined) return gatewayError(413, 'Request Entity Too Large');
    if (!route.invokePermitted) return INTERNAL_SERVER_ERROR();
    const event = payloadV2Event(
      {
        method,
        rawPath,
        rawQueryString,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      },
      {
        accountId: resources.accountId,
        apiId: spec.apiId,
        stage: spec.stageName,
        routeKey: route.routeKey,
        domainName: `127.0.0.1:${port}`,
        requestId: newRequestId(),
        now: now(),
        pathParameters,
        ...(authorized && { authorized }),
      },
    );
    const result = await lambda.invoke(route.functionArn, JSON.stringify(event));
    if (result.FunctionError) {
      log(`${route.routeKey}: the function failed: ${result.Payload.slice(0, 500)}`);
      return INTERNAL_SERVER_ERROR();
    }
    try {
      return responseFromResult(JSON.parse(result.Payload));
    } catch {
      return INTERNAL_SERVER_ERROR();
    }
  };

  let port = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Every failure is answered in .catch above the .then, so this chain never rejects.
    void handle(req, port)
      .catch((error: unknown) => {
        log(
          `http api: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return INTERNAL_SERVER_ERROR();
      })
      .then((response) => {
        const origin = req.headers.origin;
        const preflightAnswer = response.headers['access-control-allow-methods'] !== undefined;
        res.writeHead(response.status, {
          ...(preflightAnswer ? {} : corsHeaders(origin)),
          ...response.headers,
          'apigw-requestid': newRequestId(),
          'content-length': String(response.body.length),
        });
        res.end(response.body);
      });
  });
  port = await listenOnLoopback(server, options.port);
  return {
    apiUrl: `http://127.0.0.1:${port}/${spec.stageName}`,
    port,
    spec,
    addAppOrigin(origin) {
      appOrigins.add(new URL(origin).origin);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
