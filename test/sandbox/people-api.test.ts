/**
 * `GET /users?email=` end to end on the local sandbox: real user-pool tokens, the JWT authorizer
 * and throttling emulated from the template, the deployed handler bundle run by the Lambda runner
 * with its own role's credentials (so `cognito-idp:ListUsers` and the rate-limit `UpdateItem` are
 * authorized against the synthesized policy), DynamoDB counters (dynalite) and ListUsers as
 * Cognito documents it.
 */
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import {
  API_PATHS,
  type ApiError,
  DEFAULT_USER_LOOKUPS_PER_MINUTE,
  lookUpUserByEmail,
} from '../../contracts/http-api';
import { startTestSandbox, type TestSandbox, type TestSession } from '../../sandbox/testing';
import { pastRouteThrottle } from './support';

let sandbox: TestSandbox;
let apiUrl: string;
const sessions: Record<string, TestSession> = {};
const subs: Record<string, string> = {};

async function user(name: string, email = `${name}@example.com`): Promise<void> {
  const created = await sandbox.signUpUser(email);
  subs[name] = created.sub;
  sessions[name] = await sandbox.signIn(created);
}

function getOnce(path: string, token?: string, headers: Record<string, string> = {}) {
  return fetch(`${apiUrl}${path}`, {
    headers: { ...(token !== undefined && { authorization: `Bearer ${token}` }), ...headers },
  });
}

/**
 * A request as an AWS client makes it: retried after the route throttle's 429 (API Gateway's
 * `{"message":"Too Many Requests"}`; bursts of earlier tests share the route's bucket), never after
 * the function's own per-caller 429, which the tests assert.
 */
async function get(path: string, token?: string, headers: Record<string, string> = {}) {
  for (let attempt = 0; ; attempt++) {
    const response = await getOnce(path, token, headers);
    if (response.status !== 429 || attempt === 5) return response;
    const body = (await response.clone().json()) as { message?: string };
    if (body.message !== 'Too Many Requests') return response;
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
}

beforeAll(async () => {
  // The default configuration (the people API is on by default): the shared cdk.out.
  sandbox = await startTestSandbox();
  apiUrl = sandbox.config.apiUrl!;
  await user('alice');
  await user('bob', 'Bob.Builder@Example.com');
  await user('mallory');
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
});

test('the client config names the API on its own loopback port, stage api', () => {
  expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
  expect(apiUrl).not.toContain(sandbox.url);
  expect(sandbox.config.credentialVendingUrl).toBeUndefined();
});

test('alice finds bob by email, case-insensitively: his AppInstanceUser and name, nothing else', async () => {
  for (const typed of [
    'bob.builder@example.com',
    'BOB.BUILDER@EXAMPLE.COM',
    ' Bob.Builder@Example.com ',
  ]) {
    const response = await get(
      `${API_PATHS.users}?email=${encodeURIComponent(typed)}`,
      sessions.alice!.idToken,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      user: {
        appInstanceUserArn: appInstanceUserArn(sandbox.config.appInstanceArn, subs.bob!),
        name: 'Bob.Builder',
      },
    });
  }
  // The typed client function in contracts/ reads the same answer.
  const found = await lookUpUserByEmail(apiUrl, sessions.alice!.idToken, 'bob.builder@example.com');
  expect(found?.appInstanceUserArn).toBe(
    appInstanceUserArn(sandbox.config.appInstanceArn, subs.bob!),
  );
});

test('an unknown address, a prefix, or a hostile filter value answers {"user": null}', async () => {
  for (const email of [
    'nobody@example.com',
    'bob.builder@example.co', // a prefix of bob's address
    'bob.builder@example.com.evil', // bob's address as a prefix
    '"bob.builder@example.com" or email ^= "a"@example.com',
    'b\\"@example.com',
  ]) {
    const response = await get(
      `${API_PATHS.users}?email=${encodeURIComponent(email)}`,
      sessions.alice!.idToken,
    );
    expect({ email, status: response.status }).toEqual({ email, status: expect.any(Number) });
    if (response.status === 200) expect(await response.json()).toEqual({ user: null });
    else expect(response.status).toBe(400);
  }
});

test('an address with a quote and a backslash is found exactly (the filter escaping, end to end)', async () => {
  const odd = 'o"neil\\x@example.com';
  await user('odd', odd);
  const found = await lookUpUserByEmail(apiUrl, sessions.alice!.idToken, odd.toUpperCase());
  expect(found?.appInstanceUserArn).toBe(
    appInstanceUserArn(sandbox.config.appInstanceArn, subs.odd!),
  );
  // Without its quote it is another address.
  expect(
    await lookUpUserByEmail(apiUrl, sessions.alice!.idToken, 'oneil\\x@example.com'),
  ).toBeNull();
});

test('the name follows the profile: the name attribute when set', async () => {
  await sandbox.adminUserPoolClient.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: subs.mallory!,
      UserAttributes: [{ Name: 'name', Value: 'Mallory  M.' }],
    }),
  );
  const response = await get(
    `${API_PATHS.users}?email=mallory%40example.com`,
    sessions.alice!.idToken,
  );
  expect(await response.json()).toMatchObject({ user: { name: 'Mallory M.' } });
});

test('401 without a token, with a forged, expired-looking or wrong-audience token, or an access token', async () => {
  const path = `${API_PATHS.users}?email=bob.builder%40example.com`;
  const missing = await get(path);
  expect(missing.status).toBe(401);
  expect(await missing.json()).toEqual({ message: 'Unauthorized' });

  const [header, payload] = sessions.alice!.idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  const forge = (changes: Record<string, unknown>) =>
    `${header}.${Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url')}.${sessions.alice!.idToken.split('.')[2]}`;
  for (const token of [
    'not-a-jwt',
    forge({ sub: subs.bob }), // signature no longer matches
    forge({ aud: 'another-client' }),
    forge({ exp: 1 }),
  ]) {
    const response = await get(path, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  }

  // The authorizer accepts the access token (client_id = the web client); the route wants the ID token.
  const access = await get(path, sessions.alice!.accessToken);
  expect(access.status).toBe(401);
  expect(await access.json()).toEqual({
    error: 'invalid_token',
    message: 'send the ID token as Authorization: Bearer <token>',
  });
});

test('400 with a specific message for a missing, repeated or malformed address', async () => {
  const cases: [string, RegExp][] = [
    ['', /required/],
    ['?email=a%40example.com&email=b%40example.com', /once/],
    ['?email=no-at-sign', /one address/],
    ['?email=a%20b%40example.com', /spaces/],
    ['?email=a%40localhost', /domain name/],
    [`?email=${'a'.repeat(250)}%40example.com`, /longer than 254/],
  ];
  for (const [query, message] of cases) {
    const response = await get(`${API_PATHS.users}${query}`, sessions.alice!.idToken);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_email');
    expect(body.message).toMatch(message);
  }
});

test('disabled and deleted people are not found', async () => {
  await user('carol');
  await user('dave');
  const admin = sandbox.adminUserPoolClient;
  await admin.send(
    new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: subs.carol! }),
  );
  await admin.send(
    new AdminDeleteUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: subs.dave! }),
  );
  for (const email of ['carol@example.com', 'dave@example.com']) {
    expect(await lookUpUserByEmail(apiUrl, sessions.alice!.idToken, email)).toBeNull();
  }
});

test(`429 past ${DEFAULT_USER_LOOKUPS_PER_MINUTE} lookups a minute per caller; others are unaffected`, async () => {
  await user('eve');
  const statuses: number[] = [];
  const bodies: unknown[] = [];
  for (let i = 0; i < DEFAULT_USER_LOOKUPS_PER_MINUTE + 2; i++) {
    const response = await get(
      `${API_PATHS.users}?email=x${i}%40example.com`,
      sessions.eve!.idToken,
    );
    statuses.push(response.status);
    bodies.push(await response.json());
    // No pacing: get() waits out the route's own throttle (10/s, burst 20), so only the
    // per-caller limit answers 429 here.
  }
  for (const [i, body] of bodies.entries()) {
    if (statuses[i] === 429) expect(body).toMatchObject({ error: 'too_many_requests' });
  }
  // The minute may turn during the loop: at least the limit passes, and the rest are refused.
  const ok = statuses.filter((s) => s === 200).length;
  expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  expect(ok).toBeGreaterThanOrEqual(DEFAULT_USER_LOOKUPS_PER_MINUTE);
  if (ok < statuses.length) {
    // The limit counts in windows of whole minutes of the clock this machine shares with the
    // function: the client's refusal is asserted when both calls fell in one window.
    const minute = Math.floor(Date.now() / 60_000);
    const refused = await get(`${API_PATHS.users}?email=y%40example.com`, sessions.eve!.idToken);
    if (refused.status === 429) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const again = await pastRouteThrottle(() =>
        lookUpUserByEmail(apiUrl, sessions.eve!.idToken, 'y@example.com'),
      ).then(
        () => 'answered',
        (error: unknown) => error,
      );
      if (Math.floor(Date.now() / 60_000) === minute) {
        expect(again).toMatchObject({
          status: 429,
          code: 'too_many_requests',
        } satisfies Partial<ApiError>);
      }
    }
  }
  // Another caller still gets answers.
  expect(
    (await get(`${API_PATHS.users}?email=bob.builder%40example.com`, sessions.mallory!.idToken))
      .status,
  ).toBe(200);
}, 60_000);

test('unknown routes answer API Gateway 404; CORS allows only the template origins', async () => {
  const unknown = await get('/nothing', sessions.alice!.idToken);
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toEqual({ message: 'Not Found' });

  const preflight = (origin: string) =>
    fetch(`${apiUrl}${API_PATHS.users}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
  const allowed = await preflight('http://localhost:5173');
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  // An origin added to the sandbox's browser allowlist while it runs is admitted too.
  sandbox.allowWebOrigins(['http://127.0.0.1:9/']);
  expect((await preflight('http://127.0.0.1:9')).headers.get('access-control-allow-origin')).toBe(
    'http://127.0.0.1:9',
  );
  const refused = await preflight('https://evil.example');
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  const simple = await get(`${API_PATHS.users}?email=a%40example.com`, sessions.alice!.idToken, {
    origin: 'https://evil.example',
  });
  expect(simple.headers.get('access-control-allow-origin')).toBeNull();
});

test('the route throttle (10 rps, burst 20) answers API Gateway 429 before the authorizer runs', async () => {
  const responses = await Promise.all(
    Array.from({ length: 40 }, () => getOnce(`${API_PATHS.users}?email=a%40example.com`)),
  );
  const throttled = responses.filter((r) => r.status === 429);
  expect(throttled.length).toBeGreaterThan(0);
  expect(await throttled[0]!.json()).toEqual({ message: 'Too Many Requests' });
  // Unthrottled ones reached the authorizer (no token: 401), never the function.
  expect(responses.every((r) => r.status === 429 || r.status === 401)).toBe(true);
});

test('a request addressed to another host name (DNS rebinding) is refused', async () => {
  const { request } = await import('node:http');
  const url = new URL(`${apiUrl}${API_PATHS.users}`);
  const status = await new Promise<number>((resolve, reject) => {
    request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { host: `evil.example:${url.port}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  expect(status).toBe(421);
});
