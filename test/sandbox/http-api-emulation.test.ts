/**
 * The pieces of the sandbox's API Gateway emulation, without a sandbox: the JWT authorizer's rules
 * (with keys made here), the token-bucket throttle, the payload format 2.0 event and response.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import {
  AuthorizerRefusal,
  JwtAuthorizer,
  renderClaims,
} from '../../sandbox/services/http-api/jwt-authorizer';
import { payloadV2Event, responseFromResult } from '../../sandbox/services/http-api/payload';
import { RouteThrottle } from '../../sandbox/services/http-api/throttle';

const ISSUER = 'http://127.0.0.1:1/local_pool';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = {
  ...publicKey.export({ format: 'jwk' }),
  kid: 'k1',
  alg: 'RS256',
  use: 'sig',
} as JwkWithKid;
const now = Math.floor(Date.now() / 1000);

function sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1', ...header })}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}
const base = { iss: ISSUER, sub: 'alice', iat: now - 10, exp: now + 600 };
const authorizer = new JwtAuthorizer(
  {
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/local_pool',
    audience: ['web'],
    identitySource: '$request.header.Authorization',
  },
  ISSUER,
  { jwk },
);
const authorize = (token: string, scopes: string[] = []) =>
  authorizer.authorize({ authorization: `Bearer ${token}` }, scopes);
const refusal = async (
  token: string,
  scopes: string[] = [],
): Promise<{ status: number; 'www-authenticate'?: string } | undefined> => {
  try {
    await authorize(token, scopes);
  } catch (error) {
    if (error instanceof AuthorizerRefusal) return { status: error.status, ...error.headers };
    throw error;
  }
  return undefined;
};

describe('JWT authorizer', () => {
  test('an ID token (aud) and an access token (client_id, no aud) of the client are accepted', async () => {
    await expect(authorize(sign({ ...base, aud: 'web', token_use: 'id' }))).resolves.toMatchObject({
      claims: { sub: 'alice', aud: 'web', token_use: 'id' },
      scopes: null,
    });
    await expect(
      authorize(sign({ ...base, client_id: 'web', token_use: 'access' })),
    ).resolves.toBeDefined();
    // The token alone, without "Bearer ", is accepted too.
    await expect(
      authorizer.authorize({ authorization: sign({ ...base, aud: 'web' }) }, []),
    ).resolves.toBeDefined();
  });

  test('aud is evaluated when present, even if client_id would match', async () => {
    expect(await refusal(sign({ ...base, aud: 'other', client_id: 'web' }))).toEqual({
      status: 401,
      'www-authenticate':
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
    });
  });

  test.each([
    ['expired', { exp: now - 1 }, /expired/],
    ['not valid yet (nbf)', { nbf: now + 300 }, /not valid yet/],
    ['issued in the future (iat)', { iat: now + 300 }, /issued in the future/],
    ['another issuer', { iss: 'http://127.0.0.1:1/other' }, /issuer/],
  ])('%s: 401', async (_label, change, description) => {
    const r = await refusal(sign({ ...base, aud: 'web', ...change }));
    expect(r?.status).toBe(401);
    expect(r?.['www-authenticate']).toMatch(description);
  });

  test('a bad signature, an unknown key, a non-RSA algorithm or no token: 401', async () => {
    const good = sign({ ...base, aud: 'web' });
    expect((await refusal(`${good.slice(0, -4)}AAAA`))?.status).toBe(401);
    expect((await refusal(sign({ ...base, aud: 'web' }, { kid: 'other' })))?.status).toBe(401);
    expect((await refusal(sign({ ...base, aud: 'web' }, { alg: 'HS256' })))?.status).toBe(401);
    await expect(authorizer.authorize({}, [])).rejects.toMatchObject({ status: 401 });
  });

  test('route scopes: one of them must be in scope (or scp); else 403; scopes passed on', async () => {
    const token = sign({
      ...base,
      client_id: 'web',
      scope: 'openid aws.cognito.signin.user.admin',
    });
    await expect(authorize(token, ['aws.cognito.signin.user.admin'])).resolves.toMatchObject({
      scopes: ['openid', 'aws.cognito.signin.user.admin'],
    });
    expect(
      (await refusal(sign({ ...base, aud: 'web' }), ['aws.cognito.signin.user.admin']))?.status,
    ).toBe(403);
  });

  test('claims reach the function as strings: numbers as text, arrays as [a b], null dropped', () => {
    expect(
      renderClaims({ exp: 5, ok: true, groups: ['a', 'b'], gone: null, obj: { x: 1 } }),
    ).toEqual({
      exp: '5',
      ok: 'true',
      groups: '[a b]',
      obj: '{"x":1}',
    });
  });
});

describe('JWT authorizer of an external issuer: keys by OpenID discovery', () => {
  const EXTERNAL = 'http://127.0.0.1:2';
  const spec = {
    issuer: EXTERNAL,
    audience: ['app'],
    identitySource: '$request.header.Authorization',
  };
  const token = (extra: Record<string, unknown> = {}) =>
    sign({ iss: EXTERNAL, sub: 'ada', aud: 'app', iat: now - 10, exp: now + 600, ...extra });

  /** Serves documents by URL and records every fetch. */
  function web(documents: Record<string, unknown>) {
    const fetched: string[] = [];
    const fetcher = {
      fetch: (uri: string): Promise<ArrayBuffer> => {
        fetched.push(uri);
        if (!(uri in documents)) return Promise.reject(new Error(`ECONNREFUSED ${uri}`));
        return Promise.resolve(new TextEncoder().encode(JSON.stringify(documents[uri])).buffer);
      },
    };
    return { fetched, fetcher };
  }
  const discovery = {
    [`${EXTERNAL}/.well-known/openid-configuration`]: {
      issuer: EXTERNAL,
      jwks_uri: `${EXTERNAL}/jwks`,
    },
    [`${EXTERNAL}/jwks`]: { keys: [jwk] },
  };
  const authorize = (a: JwtAuthorizer, t: string) =>
    a.authorize({ authorization: `Bearer ${t}` }, []);

  test('finds the keys through the discovery document, once', async () => {
    const { fetched, fetcher } = web(discovery);
    const authorizer = new JwtAuthorizer(spec, EXTERNAL, { fetcher });
    await expect(authorize(authorizer, token())).resolves.toMatchObject({
      claims: { iss: EXTERNAL, sub: 'ada' },
    });
    await authorize(authorizer, token());
    expect(fetched).toEqual([`${EXTERNAL}/.well-known/openid-configuration`, `${EXTERNAL}/jwks`]);
  });

  test('another issuer is refused before any fetch', async () => {
    const { fetched, fetcher } = web(discovery);
    const authorizer = new JwtAuthorizer(spec, EXTERNAL, { fetcher });
    await expect(authorize(authorizer, token({ iss: 'http://127.0.0.1:3' }))).rejects.toMatchObject(
      { status: 401, description: 'the token does not have a valid issuer' },
    );
    expect(fetched).toEqual([]);
  });

  test('a discovery document naming another issuer, or none reachable: 401, retried later', async () => {
    const lying = web({
      ...discovery,
      [`${EXTERNAL}/.well-known/openid-configuration`]: {
        issuer: 'http://127.0.0.1:3',
        jwks_uri: `${EXTERNAL}/jwks`,
      },
    });
    await expect(
      authorize(new JwtAuthorizer(spec, EXTERNAL, { fetcher: lying.fetcher }), token()),
    ).rejects.toMatchObject({ status: 401, description: "the issuer's keys could not be fetched" });

    let up = false;
    const flaky = web(discovery);
    const authorizer = new JwtAuthorizer(spec, EXTERNAL, {
      fetcher: {
        fetch: async (uri: string) => {
          if (!up) throw new Error('ECONNREFUSED');
          return flaky.fetcher.fetch(uri);
        },
      },
    });
    await expect(authorize(authorizer, token())).rejects.toBeInstanceOf(AuthorizerRefusal);
    up = true;
    await expect(authorize(authorizer, token())).resolves.toBeDefined();
  });
});

test('throttle: a token bucket per route, burst then rate', () => {
  let clock = 0;
  const throttle = new RouteThrottle(() => clock);
  const limits = { rateLimit: 2, burstLimit: 3 };
  const taken = () => [1, 2, 3, 4].map(() => throttle.take('GET /users', limits));
  expect(taken()).toEqual([true, true, true, false]);
  clock += 1000; // two tokens back
  expect(taken()).toEqual([true, true, false, false]);
  expect(throttle.take('POST /credentials', limits)).toBe(true); // another route, another bucket
  expect(throttle.take('GET /x', undefined)).toBe(true);
});

test('payload 2.0: joined repeats, raw query kept, cookies apart; result mapping', () => {
  const event = payloadV2Event(
    {
      method: 'GET',
      rawPath: '/api/users',
      rawQueryString: 'email=a%40b.co&email=c%40d.co',
      headers: { 'x-a': ['1', '2'], cookie: 'a=1; b=2', 'user-agent': 'ua' },
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    },
    {
      accountId: '1',
      apiId: 'api',
      stage: 'api',
      routeKey: 'GET /users',
      domainName: '127.0.0.1:1',
      requestId: 'r',
      now: 0,
    },
  ) as Record<string, unknown>;
  expect(event).toMatchObject({
    version: '2.0',
    routeKey: 'GET /users',
    rawQueryString: 'email=a%40b.co&email=c%40d.co',
    queryStringParameters: { email: 'a@b.co,c@d.co' },
    headers: { 'x-a': '1,2', 'user-agent': 'ua' },
    cookies: ['a=1', 'b=2'],
    isBase64Encoded: false,
    requestContext: {
      stage: 'api',
      time: '01/Jan/1970:00:00:00 +0000',
      http: { method: 'GET', path: '/api/users' },
    },
  });
  expect(
    responseFromResult({ statusCode: 201, headers: { 'X-Y': 'z' }, body: 'hi' }),
  ).toMatchObject({
    status: 201,
    headers: { 'x-y': 'z' },
  });
  expect(responseFromResult({ statusCode: 'nope' }).status).toBe(500);
  expect(responseFromResult({ a: 1 })).toMatchObject({
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
});
