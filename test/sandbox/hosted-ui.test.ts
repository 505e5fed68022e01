/**
 * The sandbox hosted UI (sandbox/services/hosted-ui/): the OAuth 2.0 authorization code flow with PKCE as
 * Amplify's signInWithRedirect drives it, over the loopback HTTPS the sandbox serves with its own
 * certificate (trusted here through `ca`, as a person's browser trusts it once).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminDisableUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import {
  type TestSandbox,
  type TestUser,
  TEST_TEMPORARY_PASSWORD,
  startTestSandbox,
} from '../../sandbox/testing';
import { type RawReply, rawRequest } from '../support/raw-request';

jest.setTimeout(60_000);

const APP = 'http://localhost:5173/';
let stateDir: string;
let sandbox: TestSandbox;
let hana: TestUser;

/** An HTTPS request that trusts only the sandbox's certificate. */
function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  return rawRequest(url, {
    ...options,
    tls: {
      ca: sandbox.hostedUi!.certificate.cert,
      // A forged Host (DNS rebinding tests) is not in the certificate; the CA is still pinned.
      ...(options.headers?.host && { checkServerIdentity: () => undefined }),
    },
  });
}

const hosted = (path: string) => `${sandbox.hostedUi!.url}${path}`;
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

function pkce() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeQuery(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: sandbox.config.userPoolClientId,
    redirect_uri: APP,
    scope: 'openid email profile',
    state: 'state-123',
    code_challenge_method: 'S256',
    code_challenge: pkce().challenge,
    ...overrides,
  };
  return new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
}

/** authorize -> login page -> credentials posted: the reply to the post. */
async function signInThroughHostedUi(
  user: { email: string; password: string },
  overrides: Record<string, string | undefined> = {},
): Promise<RawReply> {
  const authorize = await call(hosted(`/oauth2/authorize?${authorizeQuery(overrides)}`));
  expect(authorize.status).toBe(302);
  const login = String(authorize.headers.location);
  expect(login).toMatch(/^\/login\?/);
  const page = await call(hosted(login));
  expect(page.status).toBe(200);
  return call(hosted(login), form({ username: user.email, password: user.password }));
}

/** A code for `user`, and its verifier. */
async function codeFor(
  user: { email: string; password: string },
  overrides: Record<string, string | undefined> = {},
) {
  const { verifier, challenge } = pkce();
  const reply = await signInThroughHostedUi(user, { code_challenge: challenge, ...overrides });
  expect(reply.status).toBe(302);
  const back = new URL(String(reply.headers.location));
  return { code: back.searchParams.get('code') ?? '', verifier, back };
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

async function exchange(fields: Record<string, string>) {
  const reply = await call(hosted('/oauth2/token'), form(fields));
  return { status: reply.status, json: JSON.parse(reply.body) as Record<string, unknown> };
}

/** The token request of the app that got `code` (authorize with PKCE `verifier`, back to APP). */
function redeem(code: string, verifier: string) {
  return exchange({
    grant_type: 'authorization_code',
    client_id: sandbox.config.userPoolClientId,
    code,
    redirect_uri: APP,
    code_verifier: verifier,
  });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'hosted-ui-test-'));
  sandbox = await startTestSandbox({ stateDir, hostedUi: { port: 0, localAppUrls: [APP] } });
  hana = await sandbox.signUpUser('hana@example.com');
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('client config', () => {
  it('describes the hosted UI at the loopback HTTPS domain the certificate covers', () => {
    const hostedUi = sandbox.config.hostedUi!;
    expect(hostedUi.domain).toBe(`127.0.0.1:${sandbox.hostedUi!.port}`);
    expect(hostedUi.redirectSignIn).toContain(APP);
    expect(hostedUi.redirectSignOut).toContain(APP);
    expect(hostedUi.scopes).toEqual([
      'openid',
      'email',
      'profile',
      'aws.cognito.signin.user.admin',
    ]);
  });
});

describe('authorization code flow with PKCE', () => {
  it('signs in on an accessible page and returns the pool tokens, which get Chime credentials', async () => {
    const { verifier, challenge } = pkce();
    const authorize = await call(
      hosted(`/oauth2/authorize?${authorizeQuery({ code_challenge: challenge, nonce: 'n-42' })}`),
    );
    const page = await call(hosted(String(authorize.headers.location)));
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain(
      "form-action 'self' http://localhost:5173",
    );
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toMatch(/<label for="username">Email<\/label>\s*<input id="username"/);
    expect(page.body).toMatch(/<label for="password">Password<\/label>\s*<input id="password"/);

    const posted = await call(
      hosted(String(authorize.headers.location)),
      form({ username: hana.email, password: hana.password }),
    );
    expect(posted.status).toBe(302);
    const back = new URL(String(posted.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    expect(back.searchParams.get('state')).toBe('state-123');
    const code = back.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);

    const { status, json } = await redeem(code, verifier);
    expect(status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer' });
    expect(json.expires_in).toBeGreaterThan(3000);
    const idToken = String(json.id_token);
    const accessToken = String(json.access_token);
    expect(json.refresh_token).toEqual(expect.any(String));

    // Signed with the pool's key, for the app client; the flow's claims are in.
    const idVerifier = JwtRsaVerifier.create({
      issuer: sandbox.resources.userPoolIssuer,
      audience: sandbox.config.userPoolClientId,
      tokenUse: 'id',
    });
    idVerifier.cacheJwks({ keys: [sandbox.context.services.userPool!.publicJwk] });
    const id = await idVerifier.verify(idToken);
    expect(id).toMatchObject({ sub: hana.sub, email: hana.email, nonce: 'n-42' });
    expect(claims(accessToken)).toMatchObject({ sub: hana.sub, scope: 'openid email profile' });

    // The identity pool takes the ID token: credentials tagged with the user's sub.
    const { credentials } = await sandbox.credentialsFor(idToken);
    const session = sandbox.credentials.find(credentials.accessKeyId);
    expect(session?.principalTags).toEqual({ [sandbox.config.principalTagKey]: hana.sub });
  });

  it('refuses a reused code, a wrong verifier, another redirect_uri or client (invalid_grant)', async () => {
    const base = { grant_type: 'authorization_code', client_id: sandbox.config.userPoolClientId };
    const first = await codeFor(hana);
    const ok = await exchange({
      ...base,
      code: first.code,
      redirect_uri: APP,
      code_verifier: first.verifier,
    });
    expect(ok.status).toBe(200);
    const reused = await exchange({
      ...base,
      code: first.code,
      redirect_uri: APP,
      code_verifier: first.verifier,
    });
    expect(reused).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    const wrongVerifier = await codeFor(hana);
    expect(
      await exchange({
        ...base,
        code: wrongVerifier.code,
        redirect_uri: APP,
        code_verifier: pkce().verifier,
      }),
    ).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    // One attempt per code: the right verifier afterwards does not help.
    expect(
      await exchange({
        ...base,
        code: wrongVerifier.code,
        redirect_uri: APP,
        code_verifier: wrongVerifier.verifier,
      }),
    ).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    const noVerifier = await codeFor(hana);
    expect(await exchange({ ...base, code: noVerifier.code, redirect_uri: APP })).toMatchObject({
      status: 400,
      json: { error: 'invalid_grant' },
    });

    const otherRedirect = await codeFor(hana);
    expect(
      await exchange({
        ...base,
        code: otherRedirect.code,
        redirect_uri: 'http://localhost:5173/other',
        code_verifier: otherRedirect.verifier,
      }),
    ).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    const unknownClient = await codeFor(hana);
    expect(
      await exchange({
        ...base,
        client_id: 'nosuchclient',
        code: unknownClient.code,
        redirect_uri: APP,
        code_verifier: unknownClient.verifier,
      }),
    ).toMatchObject({ status: 401, json: { error: 'invalid_client' } });

    expect(await exchange({ grant_type: 'password', client_id: base.client_id })).toMatchObject({
      status: 400,
      json: { error: 'unsupported_grant_type' },
    });
    expect(await exchange({ client_id: base.client_id })).toMatchObject({
      status: 400,
      json: { error: 'invalid_request' },
    });
  });

  it('refreshes with the refresh_token grant, keeping the granted scopes', async () => {
    const { code, verifier } = await codeFor(hana, { scope: 'openid email' });
    const first = await redeem(code, verifier);
    const refreshed = await exchange({
      grant_type: 'refresh_token',
      client_id: sandbox.config.userPoolClientId,
      refresh_token: String(first.json.refresh_token),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).toBeUndefined();
    expect(claims(String(refreshed.json.access_token))).toMatchObject({
      sub: hana.sub,
      scope: 'openid email',
    });
    expect(claims(String(refreshed.json.id_token)).sub).toBe(hana.sub);
    await expect(sandbox.credentialsFor(String(refreshed.json.id_token))).resolves.toBeDefined();

    expect(
      await exchange({
        grant_type: 'refresh_token',
        client_id: sandbox.config.userPoolClientId,
        refresh_token: 'not-a-refresh-token',
      }),
    ).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('answers the CORS preflight of the token endpoint (Amplify fetches it from the app)', async () => {
    const preflight = await call(hosted('/oauth2/token'), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-user-agent',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    expect(preflight.headers['access-control-allow-headers']).toContain('x-amz-user-agent');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });

  it('refuses the token endpoint to other origins, and every page to a foreign Host', async () => {
    const preflight = await call(hosted('/oauth2/token'), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const exchange = await call(hosted('/oauth2/token'), {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    expect(exchange.status).toBe(403);
    const port = new URL(sandbox.hostedUi!.url).port;
    for (const path of ['/', '/oauth2/authorize', '/oauth2/token']) {
      const rebound = await call(hosted(path), {
        headers: { host: `evil.example:${port}` },
      });
      expect(rebound.status).toBe(421);
    }
  });
});

describe('authorize request errors', () => {
  it('shows an error page, never redirecting, for an unknown client or an unregistered redirect_uri', async () => {
    const unknownClient = await call(
      hosted(
        `/oauth2/authorize?${authorizeQuery({ client_id: 'nosuchclient', code_challenge: pkce().challenge })}`,
      ),
    );
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.location).toBeUndefined();
    expect(unknownClient.body).toContain('invalid_client');

    const wrongRedirect = await call(
      hosted(
        `/oauth2/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/', code_challenge: pkce().challenge })}`,
      ),
    );
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.headers.location).toBeUndefined();
    expect(wrongRedirect.body).toContain('redirect_mismatch');
  });

  it.each([
    [{ response_type: 'token' }, 'unauthorized_client'],
    [{ response_type: 'id_token' }, 'unsupported_response_type'],
    [{ scope: 'openid phone' }, 'invalid_scope'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge: 'short' }, 'invalid_request'],
  ])('redirects %p back to the app with error %s and the state', async (override, error) => {
    const reply = await call(
      hosted(
        `/oauth2/authorize?${authorizeQuery({ code_challenge: pkce().challenge, ...override })}`,
      ),
    );
    expect(reply.status).toBe(302);
    const back = new URL(String(reply.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('state')).toBe('state-123');
    expect(back.searchParams.get('code')).toBeNull();
  });
});

describe('sign-in page', () => {
  it('says the same for a wrong password and an unknown user (no enumeration), with no code', async () => {
    const wrong = await signInThroughHostedUi({ email: hana.email, password: 'Wrong-Passw0rd!' });
    const unknown = await signInThroughHostedUi({
      email: 'nobody@example.com',
      password: 'Wrong-Passw0rd!',
    });
    for (const reply of [wrong, unknown]) {
      expect(reply.status).toBe(200);
      expect(reply.headers.location).toBeUndefined();
      expect(reply.body).toContain(
        '<p role="alert" id="form-error">Incorrect username or password.</p>',
      );
      expect(reply.body).toContain('aria-describedby="form-error"');
    }
  });

  it('refuses a form posted from another site', async () => {
    const query = authorizeQuery({ code_challenge: pkce().challenge });
    const reply = await call(hosted(`/login?${query}`), {
      ...form({ username: hana.email, password: hana.password }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
    });
    expect(reply.status).toBe(403);
    expect(reply.headers.location).toBeUndefined();
    // An opaque origin (sandboxed frame) posting cross-site is refused too.
    const opaque = await call(hosted(`/login?${query}`), {
      ...form({ username: hana.email, password: hana.password }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'null',
        'sec-fetch-site': 'cross-site',
      },
    });
    expect(opaque.status).toBe(403);
  });

  it('has an administrator-created user choose a password; the trigger heals them', async () => {
    const email = 'ines@example.com';
    const { sub } = await sandbox.adminCreateUser(email);
    const directory = sandbox.context.services.chimeIdentity!;
    const arn = appInstanceUserArn(sandbox.config.appInstanceArn, sub);
    expect(directory.getUser(arn)).toBeUndefined();

    // A wrong temporary password is refused like any wrong password (no new-password page).
    const guessed = await signInThroughHostedUi({ email, password: 'Guessed-Passw0rd!' });
    expect(guessed.body).toContain('Incorrect username or password.');
    expect(guessed.body).not.toContain('new-password');

    const { verifier, challenge } = pkce();
    const query = authorizeQuery({ code_challenge: challenge });
    const page = await signInThroughHostedUi(
      { email, password: TEST_TEMPORARY_PASSWORD },
      { code_challenge: challenge },
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<label for="new-password">New password<\/label>/);
    const challengeId = /name="challenge" value="([^"]+)"/.exec(page.body)?.[1] ?? '';

    const weak = await call(
      hosted(`/login/new-password?${query}`),
      form({ challenge: challengeId, newPassword: 'short' }),
    );
    expect(weak.status).toBe(200);
    expect(weak.headers.location).toBeUndefined();
    expect(weak.body).toContain('role="alert"');
    const retryId = /name="challenge" value="([^"]+)"/.exec(weak.body)?.[1] ?? '';

    const done = await call(
      hosted(`/login/new-password?${query}`),
      form({ challenge: retryId, newPassword: 'Ines-New-Passw0rd!' }),
    );
    expect(done.status).toBe(302);
    const code = new URL(String(done.headers.location)).searchParams.get('code') ?? '';
    const tokens = await redeem(code, verifier);
    expect(claims(String(tokens.json.id_token)).sub).toBe(sub);
    expect(directory.getUser(arn)?.appInstanceUserId).toBe(sub);
  });
});

describe('a disabled user', () => {
  it('is refused by the sign-in page and the refresh grant', async () => {
    const user = await sandbox.signUpUser('disabled-hosted@example.com');
    const { code, verifier } = await codeFor(user);
    const tokens = await redeem(code, verifier);
    expect(tokens.status).toBe(200);
    await sandbox.adminUserPoolClient.send(
      new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: user.email }),
    );
    const page = await signInThroughHostedUi(user);
    expect(page.status).toBe(200);
    expect(page.headers.location).toBeUndefined();
    expect(page.body).toContain('<p role="alert" id="form-error">User is disabled.</p>');
    const refreshed = await exchange({
      grant_type: 'refresh_token',
      client_id: sandbox.config.userPoolClientId,
      refresh_token: String(tokens.json.refresh_token),
    });
    expect(refreshed).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });
});

describe('hosted UI session', () => {
  it('skips the page within a session (prompt=login shows it); /logout ends the session', async () => {
    const { challenge } = pkce();
    const posted = await signInThroughHostedUi(hana, { code_challenge: challenge });
    const setCookie = String(posted.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^sandbox-hosted-ui-session=[\w-]+; Path=\/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax$/,
    );
    const cookie = setCookie.split(';')[0] ?? '';

    const second = pkce();
    const again = await call(
      hosted(
        `/oauth2/authorize?${authorizeQuery({ code_challenge: second.challenge, nonce: 'n-2' })}`,
      ),
      { headers: { cookie } },
    );
    expect(again.status).toBe(302);
    const back = new URL(String(again.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    const tokens = await exchange({
      grant_type: 'authorization_code',
      client_id: sandbox.config.userPoolClientId,
      code: back.searchParams.get('code') ?? '',
      redirect_uri: APP,
      code_verifier: second.verifier,
    });
    expect(tokens.status).toBe(200);
    expect(claims(String(tokens.json.id_token))).toMatchObject({ sub: hana.sub, nonce: 'n-2' });
    expect(tokens.json.refresh_token).toEqual(expect.any(String));

    const forced = await call(hosted(`/oauth2/authorize?${authorizeQuery({ prompt: 'login' })}`), {
      headers: { cookie },
    });
    expect(String(forced.headers.location)).toMatch(/^\/login\?/);

    const out = await call(
      hosted(
        `/logout?client_id=${sandbox.config.userPoolClientId}&logout_uri=${encodeURIComponent(APP)}`,
      ),
      { headers: { cookie } },
    );
    expect(out.status).toBe(302);
    expect(String(out.headers['set-cookie'])).toMatch(
      /^sandbox-hosted-ui-session=; Path=\/; Max-Age=0/,
    );
    const after = await call(hosted(`/oauth2/authorize?${authorizeQuery()}`), {
      headers: { cookie },
    });
    expect(String(after.headers.location)).toMatch(/^\/login\?/);
    const silent = await call(hosted(`/oauth2/authorize?${authorizeQuery({ prompt: 'none' })}`), {
      headers: { cookie },
    });
    expect(new URL(String(silent.headers.location)).searchParams.get('error')).toBe(
      'login_required',
    );
  });
});

describe('logout', () => {
  it('redirects to a registered sign-out URL only', async () => {
    const ok = await call(
      hosted(
        `/logout?client_id=${sandbox.config.userPoolClientId}&logout_uri=${encodeURIComponent(APP)}`,
      ),
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe(APP);

    const wrong = await call(
      hosted(
        `/logout?client_id=${sandbox.config.userPoolClientId}&logout_uri=${encodeURIComponent('https://evil.example/')}`,
      ),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.headers.location).toBeUndefined();
    const unknownClient = await call(
      hosted(`/logout?client_id=nosuchclient&logout_uri=${encodeURIComponent(APP)}`),
    );
    expect(unknownClient.status).toBe(400);
  });
});

describe('certificate', () => {
  it('covers localhost and 127.0.0.1 and is reused across restarts', async () => {
    const { X509Certificate } = await import('node:crypto');
    const first = sandbox.hostedUi!.certificate;
    const cert = new X509Certificate(first.cert);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');

    await sandbox.stop();
    sandbox = await startTestSandbox({ stateDir, hostedUi: { port: 0, localAppUrls: [APP] } });
    expect(sandbox.hostedUi!.certificate.created).toBe(false);
    expect(sandbox.hostedUi!.certificate.fingerprint).toBe(first.fingerprint);
    // The restarted hosted UI still signs hana in.
    const { code, verifier } = await codeFor(hana);
    const tokens = await redeem(code, verifier);
    expect(tokens.status).toBe(200);
  });
});
