/**
 * A transparent HTTP proxy in front of the sandbox that answers some requests with the service's
 * throttling error instead of forwarding them: Chime's `ThrottledClientException` (429, restJson)
 * and Cognito's `TooManyRequestsException` (400, awsJson). Clients keep the sandbox's URL (so the
 * Host header and their SigV4 signatures are the sandbox's, which refuses other hosts) and reach
 * the proxy through `agent`, whose connections all go to it.
 *
 * The same request (method, path and body: a retry) is throttled at most `maxInARow` times in a
 * row. A count alone can throttle one call on every attempt when the caller's workers fall into
 * step with it (4 workers, every 4th request: the reconcile scale test once saw a rename throttled
 * 8 times, its retry policy's limit, on a loaded machine).
 */
import { createHash } from 'node:crypto';
import {
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request,
} from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { AwsError, renderError } from '../../../sandbox/core/errors';

export interface ThrottlingProxy {
  /** Give it to a client: `requestHandler: { httpAgent: proxy.agent }`. */
  readonly agent: Agent;
  /** Requests answered with throttling, per service. */
  readonly throttled: { chime: number; cognito: number };
  readonly forwarded: number;
  close(): Promise<void>;
}

/**
 * Throttles every `every`-th request of each service (the first few always pass), but not a request
 * already throttled `maxInARow` times in a row.
 */
export async function startThrottlingProxy(
  target: string,
  every: number,
  maxInARow = 3,
): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  const counts = { chime: 0, cognito: 0 };
  const throttled = { chime: 0, cognito: 0 };
  /** Throttles in a row, by request (method, path and a digest of the body). */
  const streaks = new Map<string, number>();
  let forwarded = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, Buffer.concat(chunks), res));
  });
  const answer = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const service = typeof req.headers['x-amz-target'] === 'string' ? 'cognito' : 'chime';
    const key = `${req.method} ${req.url} ${createHash('sha256').update(body).digest('hex')}`;
    const streak = streaks.get(key) ?? 0;
    counts[service] += 1;
    if (counts[service] % every === 0 && streak < maxInARow) {
      throttled[service] += 1;
      streaks.set(key, streak + 1);
      const wire =
        service === 'chime'
          ? renderError(new AwsError('ThrottledClientException', 'Rate exceeded', 429), 'restJson')
          : renderError(new AwsError('TooManyRequestsException', 'Rate exceeded', 400), 'json');
      res.writeHead(wire.status, wire.headers);
      res.end(wire.body);
      return;
    }
    streaks.delete(key);
    forwarded += 1;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamAnswer) => {
        res.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
        upstreamAnswer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true });
  // Every connection of this agent goes to the proxy, whatever host the request names.
  (agent as unknown as { createConnection: () => unknown }).createConnection = () =>
    connect(port, '127.0.0.1');
  return {
    agent,
    throttled,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
