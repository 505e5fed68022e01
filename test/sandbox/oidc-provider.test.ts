/**
 * The local OpenID provider (sandbox/services/oidc-provider/): discovery, the authorization code
 * flow with its own sign-in page, ID tokens that a standard verifier accepts, loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { LoopbackHttpFetcher } from '../../sandbox/core/loopback-fetcher';
import { SandboxState } from '../../sandbox/core/state';
import {
  LOCAL_OIDC_PEOPLE,
  LocalOidcPortInUseError,
  type RunningLocalOidcProvider,
  startLocalOidcProvider,
} from '../../sandbox/services/oidc-provider';
import { runCodeFlow } from '../support/oidc-code-flow';

const CLIENT = {
  client_id: 'test-rp',
  client_secret: 'test-rp-secret-0123456789',
  redirect_uris: ['https://127.0.0.1:9/callback'],
};
const PUBLIC_CLIENT = {
  client_id: 'test-spa',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:9/'],
};

let dir: string;
let idp: RunningLocalOidcProvider;
const signIn = (username: string, password: string) =>
  runCodeFlow({
    issuer: idp.issuer,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    redirectUri: CLIENT.redirect_uris[0]!,
    username,
    password,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-oidc-'));
  idp = await startLocalOidcProvider({
    state: new SandboxState(dir),
    clients: [CLIENT, PUBLIC_CLIENT],
  });
}, 60_000);

afterAll(async () => {
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('listens on loopback and publishes a discovery document for its issuer', async () => {
  expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const discovery = (await (
    await fetch(`${idp.issuer}/.well-known/openid-configuration`)
  ).json()) as Record<string, unknown>;
  expect(discovery).toMatchObject({
    issuer: idp.issuer,
    authorization_endpoint: `${idp.issuer}/auth`,
    token_endpoint: `${idp.issuer}/token`,
    jwks_uri: `${idp.issuer}/jwks`,
    userinfo_endpoint: `${idp.issuer}/me`,
  });
  expect(discovery.scopes_supported).toEqual(
    expect.arrayContaining(['openid', 'email', 'profile']),
  );
});

test('a test person signs in (code flow) and gets an ID token a standard verifier accepts', async () => {
  const ada = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'ada')!;

  const { idToken, loginPage } = await signIn('ada', ada.password);

  expect(loginPage).toContain('<label for="username">Username</label>');
  const claims = await JwtRsaVerifier.create(
    { issuer: idp.issuer, audience: CLIENT.client_id, jwksUri: `${idp.issuer}/jwks` },
    { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackHttpFetcher() }) },
  ).verify(idToken);
  expect(claims).toMatchObject({
    sub: ada.sub,
    name: 'Ada Lovelace',
    email: 'ada@example.org',
    email_verified: true,
    preferred_username: 'ada',
  });
});

test('a public client (PKCE) gets tokens too; an unverified email says so', async () => {
  const alan = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'alan')!;
  const { idToken } = await runCodeFlow({
    issuer: idp.issuer,
    clientId: PUBLIC_CLIENT.client_id,
    redirectUri: PUBLIC_CLIENT.redirect_uris[0]!,
    username: 'alan',
    password: alan.password,
  });
  const payload = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as {
    email_verified: boolean;
    aud: string;
  };
  expect(payload).toMatchObject({ email_verified: false, aud: PUBLIC_CLIENT.client_id });
});

test('a wrong password shows the page again with an announced error, and no redirect', async () => {
  for (const [username, password] of [
    ['ada', 'not-her-password'],
    ['nobody', 'x'],
  ] as const) {
    const error = (await signIn(username, password).catch((e: unknown) => e)) as {
      page?: string;
    };
    expect(error.page).toContain('<p role="alert" id="error">Wrong username or password.</p>');
    expect(error.page).toContain('aria-describedby="error"');
  }
});

test('an unregistered redirect URI is refused by the provider', async () => {
  const url = new URL(`${idp.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    redirect_uri: 'https://evil.example/cb',
    response_type: 'code',
    scope: 'openid',
  }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain('redirect_uri');
});

test('a sign-in form posted from another origin is refused (login CSRF)', async () => {
  const response = await fetch(`${idp.issuer}/interaction/abc/login`, {
    method: 'POST',
    headers: {
      origin: 'https://evil.example',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'username=ada&password=x',
  });
  expect(response.status).toBe(403);
});

test('keeps its signing key across restarts (issued tokens stay verifiable)', async () => {
  const jwks = async (issuer: string) =>
    ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
  const before = await jwks(idp.issuer);
  const again = await startLocalOidcProvider({ state: new SandboxState(dir), clients: [CLIENT] });
  try {
    expect(await jwks(again.issuer)).toEqual(before);
  } finally {
    await again.stop();
  }
  await expect(fetch(`${again.issuer}/jwks`)).rejects.toThrow();
}, 60_000);

test('a port another process holds: a LocalOidcPortInUseError naming it, not a hang', async () => {
  const port = Number(new URL(idp.issuer).port);
  const error = await startLocalOidcProvider({
    state: new SandboxState(dir),
    clients: [CLIENT],
    port,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LocalOidcPortInUseError);
  expect(error).toMatchObject({ port, message: expect.stringContaining(`127.0.0.1:${port}`) });
}, 60_000);
