/**
 * The hosted UI's clock (sandbox/services/hosted-ui/): authorization codes, hosted UI sessions and
 * other short-lived entries expire by the injected `now`, so these tests see five minutes or an
 * hour pass without waiting. The token endpoint is served on its own (no user pool needed for
 * the authorization_code grant); the full flow is in hosted-ui.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebOrigins } from '../../sandbox/core/browser-access';
import { SandboxState } from '../../sandbox/core/state';
import {
  AuthorizationCodes,
  CODE_LIFETIME_MS,
} from '../../sandbox/services/hosted-ui/authorization-codes';
import type { AuthorizeRequest } from '../../sandbox/services/hosted-ui/authorize-request';
import { ClientPolicy } from '../../sandbox/services/hosted-ui/client-policy';
import { ExpiringMap } from '../../sandbox/services/hosted-ui/expiring-map';
import { RefreshScopes } from '../../sandbox/services/hosted-ui/refresh-scopes';
import {
  HostedUiSessions,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
} from '../../sandbox/services/hosted-ui/sessions';
import { tokenEndpoint } from '../../sandbox/services/hosted-ui/token-endpoint';
import { UserPoolClient } from '../../sandbox/services/hosted-ui/user-pool-client';
import {
  loadOrCreateSigningKey,
  type SigningKey,
  signJwt,
} from '../../sandbox/services/user-pool/signing-key';
import { rawRequest } from '../support/raw-request';

const APP = 'http://localhost:5173/';
const CLIENT_ID = 'hosted-ui-clock-client';
/** A whole second, so `expires_in` is exact. */
const START = Date.UTC(2026, 11, 7, 1, 0, 0);

let stateDir: string;
let key: SigningKey;
let refreshScopes: RefreshScopes;
let time: number;
const now = () => time;

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'hosted-ui-clock-test-'));
  const state = new SandboxState(stateDir);
  key = loadOrCreateSigningKey(state);
  refreshScopes = new RefreshScopes(state);
});

afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

beforeEach(() => {
  time = START;
});

const policy = new ClientPolicy(CLIENT_ID, {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid', 'email'],
  CallbackURLs: [APP],
});

const request: AuthorizeRequest = {
  clientId: CLIENT_ID,
  redirectUri: APP,
  scopes: ['openid', 'email'],
  state: 'state-1',
  action: '/login?',
};

/** The pool's tokens as the hosted UI gets them: valid one hour from START. */
function poolTokens() {
  const exp = START / 1000 + 3600;
  return {
    IdToken: signJwt({ sub: 'user-1', token_use: 'id', aud: CLIENT_ID, exp }, key),
    AccessToken: signJwt({ sub: 'user-1', token_use: 'access', client_id: CLIENT_ID, exp }, key),
  };
}

describe('authorization codes at the token endpoint', () => {
  let server: Server;
  let codes: AuthorizationCodes;

  beforeAll(async () => {
    codes = new AuthorizationCodes(key, refreshScopes, now);
    const handle = tokenEndpoint({
      policy,
      codes,
      refreshScopes,
      // Not reached: the authorization_code grant does not call the user pool.
      userPool: new UserPoolClient('http://127.0.0.1:1', 'local_unused'),
      signingKey: key,
      webOrigins: new WebOrigins(),
      now,
      log: () => {},
    });
    server = createServer((req, res) => void handle(req, res, ''));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function redeem(code: string) {
    const { port } = server.address() as AddressInfo;
    const reply = await rawRequest(`http://127.0.0.1:${port}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code,
        redirect_uri: APP,
      }).toString(),
    });
    return { status: reply.status, json: JSON.parse(reply.body) as Record<string, unknown> };
  }

  function issue(): string {
    const back = new URL(codes.issue(request, poolTokens()));
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    expect(back.searchParams.get('state')).toBe('state-1');
    return back.searchParams.get('code') ?? '';
  }

  it('redeems a code in its last millisecond; expires_in counts from the same clock', async () => {
    const code = issue();
    time = START + CODE_LIFETIME_MS - 1;

    const { status, json } = await redeem(code);

    expect(status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 - 299 });
    expect(json.id_token).toEqual(expect.any(String));
  });

  it('refuses a code five minutes old (invalid_grant), without waiting', async () => {
    const code = issue();
    time = START + CODE_LIFETIME_MS;

    const { status, json } = await redeem(code);

    expect(status).toBe(400);
    expect(json).toEqual({
      error: 'invalid_grant',
      error_description: 'the code is invalid, expired or already used',
    });
  });
});

describe('hosted UI sessions', () => {
  const requestWith = (setCookie: string) =>
    ({ headers: { cookie: `other=1; ${setCookie.split(';')[0]}` } }) as IncomingMessage;

  it('last one hour by the injected clock; the cookie says the same', () => {
    const sessions = new HostedUiSessions(now);
    const setCookie = sessions.start('refresh-1');
    expect(setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Path=/; Max-Age=3600; Secure; HttpOnly`),
    );
    const req = requestWith(setCookie);

    time = START + SESSION_LIFETIME_MS - 1;
    expect(sessions.current(req)).toMatchObject({ refreshToken: 'refresh-1' });

    time = START + SESSION_LIFETIME_MS;
    expect(sessions.current(req)).toBeUndefined();
  });

  it('end at /logout: the session is gone and the cookie cleared', () => {
    const sessions = new HostedUiSessions(now);
    const req = requestWith(sessions.start('refresh-2'));

    expect(sessions.end(req)).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0`));
    expect(sessions.current(req)).toBeUndefined();
  });
});

describe('short-lived entries', () => {
  it('are taken once, and the oldest go first beyond the limit (federation round trips)', () => {
    const entries = new ExpiringMap<string>(now, 2);
    entries.set('a', 'first', 60_000);
    entries.set('b', 'second', 60_000);
    entries.set('c', 'third', 60_000);

    expect(entries.get('a')).toBeUndefined();
    expect(entries.take('b')).toBe('second');
    expect(entries.take('b')).toBeUndefined();
    time = START + 60_000;
    expect(entries.get('c')).toBeUndefined();
  });
});
