import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A tiny HTTP server speaking the two Chime SDK identity operations the triggers use, in the
 * service's restJson1 protocol: `POST /app-instance-users` (CreateAppInstanceUser) and
 * `GET /app-instance-users/{arn}` (DescribeAppInstanceUser). Errors carry `x-amzn-errortype`.
 */
export interface StoredUser {
  readonly arn: string;
  readonly name: string;
  readonly clientRequestToken: string | undefined;
}

export interface CreateRequest {
  readonly AppInstanceArn: string;
  readonly AppInstanceUserId: string;
  readonly Name: string;
  readonly ClientRequestToken?: string;
  readonly signed: boolean;
}

/** What to do with the nth CreateAppInstanceUser request (1-based); default: normal behaviour. */
export type CreateScript = (
  n: number,
  request: CreateRequest,
) => { status: number; error: string } | 'create-then-hang' | 'hang' | undefined;

export interface ChimeIdentityServer {
  readonly url: string;
  readonly users: Map<string, StoredUser>;
  readonly creates: CreateRequest[];
  script: CreateScript;
  close(): Promise<void>;
}

export async function startChimeIdentityServer(): Promise<ChimeIdentityServer> {
  const users = new Map<string, StoredUser>();
  const creates: CreateRequest[] = [];
  const sockets = new Set<Socket>();

  const sendJson = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    errorType?: string,
  ) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(errorType && { 'x-amzn-errortype': errorType }),
    });
    res.end(JSON.stringify(body));
  };
  const sendError = (res: http.ServerResponse, status: number, type: string, message: string) =>
    sendJson(res, status, { Code: type, Message: message }, type);

  const state: { script: CreateScript } = { script: () => undefined };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signed = (req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=');
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/app-instance-users') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<
          CreateRequest,
          'signed'
        >;
        const request: CreateRequest = { ...body, signed };
        creates.push(request);
        const arn = `${body.AppInstanceArn}/user/${body.AppInstanceUserId}`;
        const scripted = state.script(creates.length, request);
        if (scripted === 'hang') return; // never answers
        if (typeof scripted === 'object') {
          sendError(res, scripted.status, scripted.error, 'scripted failure');
          return;
        }
        if (users.has(arn)) {
          sendError(res, 409, 'ConflictException', `AppInstanceUser ${arn} already exists`);
          return;
        }
        users.set(arn, { arn, name: body.Name, clientRequestToken: body.ClientRequestToken });
        if (scripted === 'create-then-hang') return; // created, but the answer is lost
        sendJson(res, 201, { AppInstanceUserArn: arn });
        return;
      }
      const describe = /^\/app-instance-users\/(.+)$/.exec(url.pathname);
      if (req.method === 'GET' && describe?.[1]) {
        const user = users.get(decodeURIComponent(describe[1]));
        if (!user) {
          sendError(res, 403, 'ForbiddenException', 'not found or not allowed');
          return;
        }
        sendJson(res, 200, { AppInstanceUser: { AppInstanceUserArn: user.arn, Name: user.name } });
        return;
      }
      sendError(res, 404, 'NotFoundException', `no route for ${req.method} ${url.pathname}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    users,
    creates,
    get script() {
      return state.script;
    },
    set script(value: CreateScript) {
      state.script = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
