/**
 * The sandbox on a developer's laptop, as an attacker's web page would try it: CORS only for the
 * configured local web origins (never `*`, no echoed preflight headers), loopback `Host` only
 * (DNS rebinding), /_sandbox/* under the same rules, cognito-local's own OAuth routes gone, and
 * bodies and WebSocket frames limited while they stream in.
 */
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { ALLOWED_REQUEST_HEADERS, WebOriginError } from '../../sandbox/core/browser-access';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../sandbox/server';
import { startSandbox } from '../../sandbox';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';
import { type RawRequestOptions, rawRequest } from '../support/raw-request';

const DEMO = 'http://localhost:5173';
const EVIL = 'https://evil.example';
const TWENTY_MB = 20 * 1024 * 1024;

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  await sandbox.signUpUser('victim@example.com');
}, 180_000);
afterAll(() => sandbox?.stop());

/** A raw HTTP request to the sandbox (fetch cannot set Host). */
const call = (path: string, options: RawRequestOptions = {}) =>
  rawRequest(`${sandbox.url}${path}`, options);

const cognito = (operation: string, body: object, headers: Record<string, string> = {}) =>
  call('/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });

const codeCount = () => sandbox.codes('victim@example.com').length;

describe('CORS', () => {
  it('allows the local web demo origin by name, never *, with a fixed header list', async () => {
    const preflight = await call('/', {
      method: 'OPTIONS',
      headers: {
        origin: DEMO,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-amz-target,content-type,x-evil-header',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(DEMO);
    expect(preflight.headers.vary).toBe('Origin');
    expect(preflight.headers['access-control-allow-headers']).toBe(
      ALLOWED_REQUEST_HEADERS.join(','),
    );
    expect(preflight.headers['access-control-allow-headers']).not.toContain('x-evil-header');

    const health = await call('/_sandbox/health', { headers: { origin: DEMO } });
    expect(health.status).toBe(200);
    expect(health.headers['access-control-allow-origin']).toBe(DEMO);
    // The user pool (cognito-local behind the gate) answers with the sandbox's CORS, not its `*`.
    const pool = await cognito(
      'InitiateAuth',
      {
        ClientId: sandbox.config.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: {},
      },
      { origin: DEMO },
    );
    expect(pool.headers['access-control-allow-origin']).toBe(DEMO);
  });

  it('refuses another origin: no CORS headers, no codes, no side effects', async () => {
    const preflight = await call('/_sandbox/codes', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    const codes = await call('/_sandbox/codes', { headers: { origin: EVIL } });
    expect(codes.status).toBe(403);
    expect(codes.body).not.toMatch(/\d{6}/);
    expect(codes.headers['access-control-allow-origin']).toBeUndefined();

    const before = codeCount();
    const forgot = await cognito(
      'ForgotPassword',
      { ClientId: sandbox.config.userPoolClientId, Username: 'victim@example.com' },
      { origin: EVIL },
    );
    expect(forgot.status).toBe(403);
    expect(codeCount()).toBe(before);
    // Another port of this machine is another origin too; so is an opaque origin.
    for (const origin of ['http://127.0.0.1:8080', 'null']) {
      expect((await call('/_sandbox/codes', { headers: { origin } })).status).toBe(403);
    }
  });

  it('refuses what a browser marks cross-site without an origin (<script src>, <img>)', async () => {
    const reply = await call('/_sandbox/codes', {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(reply.status).toBe(403);
    // Typed in the address bar by the developer: allowed.
    const typed = await call('/_sandbox/codes', {
      headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
    });
    expect(typed.status).toBe(200);
  });

  it('takes more origins at run time, loopback ones only', async () => {
    const app = 'http://127.0.0.1:9999';
    expect((await call('/_sandbox/health', { headers: { origin: app } })).status).toBe(403);
    sandbox.allowWebOrigins([`${app}/some/page`]);
    const reply = await call('/_sandbox/health', { headers: { origin: app } });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(app);
    expect(() => sandbox.allowWebOrigins([EVIL])).toThrow(WebOriginError);
    expect(() => sandbox.allowWebOrigins(['file:///tmp/x.html'])).toThrow(/http/);
  });

  it('refuses a non-loopback web origin at start', async () => {
    await expect(
      startSandbox({ stateDir: sandbox.stateDir, webOrigins: [EVIL], hostedUi: false }),
    ).rejects.toThrow(/not on this machine/);
  });
});

describe('Host (DNS rebinding)', () => {
  it('answers only its loopback names with its own port', async () => {
    const port = sandbox.port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await call('/_sandbox/health', { headers: { host } })).status).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `127.0.0.1.nip.io:${port}`,
    ]) {
      const reply = await call('/_sandbox/codes', { headers: { host } });
      expect(reply.status).toBe(421);
      expect(reply.body).not.toMatch(/\d{6}/);
      expect(reply.body).toContain('DNS rebinding');
    }
    const before = codeCount();
    const forgot = await cognito(
      'ForgotPassword',
      { ClientId: sandbox.config.userPoolClientId, Username: 'victim@example.com' },
      { host: `evil.example:${port}` },
    );
    expect(forgot.status).toBe(421);
    expect(codeCount()).toBe(before);
  });

  it('refuses a WebSocket upgrade with a foreign Host or Origin before any module sees it', async () => {
    for (const headers of [{ host: `evil.example:${sandbox.port}` }, { origin: EVIL }]) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${sandbox.url.replace('http', 'ws')}/connect?x=1`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => {});
      });
      expect([421, 403]).toContain(status);
    }
  });
});

describe("cognito-local's own routes", () => {
  it('are unreachable: the hosted UI is the only OAuth server', async () => {
    const authorize = await call(
      `/oauth2/authorize?client_id=${sandbox.config.userPoolClientId}&response_type=code&redirect_uri=http://localhost:5173/&state=%3Cscript%3Ealert(1)%3C/script%3E`,
    );
    expect(authorize.status).toBe(404);
    expect(authorize.body).not.toContain('<script>');
    const token = await call('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    expect(token.status).toBe(404);
    expect((await call('/health')).status).toBe(404);
    expect(
      (
        await call('/', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);
  });
});

describe('body limit', () => {
  const big = Buffer.alloc(TWENTY_MB, 0x61);

  it('answers an oversized body with 413 in the route protocol shape', async () => {
    const json = await cognito('SignUp', {}, {}).then(() =>
      call('/', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
        },
        body: big,
      }),
    );
    expect(json.status).toBe(413);
    expect(json.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(JSON.parse(json.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });

    const rest = await call('/channels', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(rest.status).toBe(413);
    expect(rest.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(JSON.parse(rest.body)).toMatchObject({ Code: 'RequestEntityTooLarge' });

    const query = await call('/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: big,
    });
    expect(query.status).toBe(413);
    expect(query.body).toContain('<Code>RequestEntityTooLarge</Code>');
    // The connection stays usable: the rest of the body was read and dropped.
    expect((await call('/_sandbox/health')).status).toBe(200);
  }, 60_000);

  it('answers before the client has sent the whole body (declared or chunked)', async () => {
    for (const framing of ['content-length', 'chunked'] as const) {
      const { sent, head } = await new Promise<{ sent: number; head: string }>(
        (resolve, reject) => {
          const socket = connect(sandbox.port, '127.0.0.1');
          let sent = 0;
          let reply = '';
          let done = false;
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          const pump = () => {
            while (!done && sent < TWENTY_MB) {
              sent += chunk.length;
              const wire =
                framing === 'chunked'
                  ? Buffer.concat([
                      Buffer.from(`${chunk.length.toString(16)}\r\n`),
                      chunk,
                      Buffer.from('\r\n'),
                    ])
                  : chunk;
              if (!socket.write(wire)) {
                socket.once('drain', pump);
                return;
              }
            }
          };
          socket.on('data', (d: Buffer) => {
            reply += d.toString('latin1');
            if (!done && reply.includes('\r\n\r\n')) {
              done = true;
              socket.destroy();
              resolve({ sent, head: reply.split('\r\n')[0] ?? '' });
            }
          });
          socket.on('error', (e) => (done ? undefined : reject(e)));
          socket.write(
            `POST /channels HTTP/1.1\r\nHost: 127.0.0.1:${sandbox.port}\r\nContent-Type: application/json\r\n` +
              (framing === 'chunked'
                ? 'Transfer-Encoding: chunked\r\n\r\n'
                : `Content-Length: ${TWENTY_MB}\r\n\r\n`),
          );
          pump();
        },
      );
      expect(head).toBe('HTTP/1.1 413 Payload Too Large');
      expect(sent).toBeLessThan(TWENTY_MB);
    }
  }, 60_000);

  it('reads bodies up to the limit', async () => {
    const reply = await cognito('SignUp', {
      ClientId: sandbox.config.userPoolClientId,
      Username: 'padded@example.com',
      Password: 'x',
      ClientMetadata: { pad: 'a'.repeat(DEFAULT_BODY_LIMIT_BYTES - 1000) },
    });
    expect(reply.status).not.toBe(413);
  });
});

describe('WebSocket frames before authentication', () => {
  it('closes a socket whose client sends a huge frame, without buffering it', async () => {
    const url = `${sandbox.url.replace('http', 'ws')}/connect?userArn=x&sessionId=y`;
    const closed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => ws.send(Buffer.alloc(TWENTY_MB)));
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => {});
    });
    expect([4401, 1006, 1009]).toContain(closed);
    expect((await call('/_sandbox/health')).status).toBe(200);
  }, 30_000);
});
