import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { readVendingConfig } from '../../lambdas/lib/credential-vending/config';
import {
  assertValidSettings,
  bearerToken,
  roleSessionNameFor,
  vendCredentials,
  type VendingDeps,
  type VendingLogger,
  type VendingSettings,
} from '../../lambdas/lib/credential-vending/core';
import {
  createIdTokenVerifier,
  type TokenIssuerConfig,
} from '../../lambdas/lib/credential-vending/verifier';
import {
  accessTokenClaims,
  createTestIssuer,
  idTokenClaims,
  unsignedJwt,
} from '../../testing/lambdas/credential-vending-tokens';

const USER_POOL_ID = 'us-east-1_TestPool1';
const CLIENT_ID = 'webclient1234567890abcdefg';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;
const ALICE = '3f1c2d4e-1111-4a5b-9c8d-0123456789ab';
const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';
const SETTINGS: VendingSettings = {
  userRoleArn: 'arn:aws:iam::123456789012:role/ChimeVendingUserRole',
  principalTagKey: 'chime_user_id',
  appInstanceArn: APP_INSTANCE_ARN,
  sessionDurationSeconds: 1800,
};
const STS_CREDENTIALS = {
  AccessKeyId: 'ASIAVENDEDKEY0000001',
  SecretAccessKey: 'vended-secret-access-key-do-not-log',
  SessionToken: 'vended-session-token-do-not-log',
  Expiration: new Date('2030-01-01T00:30:00Z'),
};

const idp = createTestIssuer(ISSUER);
const attacker = createTestIssuer(ISSUER, idp.kid); // same kid, different key
const stranger = createTestIssuer(ISSUER, 'unknown-kid');
const sts = mockClient(STSClient);

/** A JWKS cache that serves the test issuer's keys and records what it was asked for. */
function offlineJwksCache(fail = false) {
  const fetched: string[] = [];
  const cache = new SimpleJwksCache({
    fetcher: {
      fetch: (uri: string) => {
        fetched.push(uri);
        if (fail) return Promise.reject(new Error('connect ECONNREFUSED'));
        return Promise.resolve(new TextEncoder().encode(JSON.stringify(idp.jwks)).buffer);
      },
    },
  });
  return { cache, fetched };
}

function spyLogger() {
  const calls: unknown[][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      calls.push([level, ...args]);
    };
  const logger = {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  } as unknown as VendingLogger;
  return { logger, calls };
}

function setup(options: { jwksFails?: boolean; issuer?: TokenIssuerConfig } = {}) {
  const jwks = offlineJwksCache(options.jwksFails);
  const log = spyLogger();
  const deps: VendingDeps = {
    verifyIdToken: createIdTokenVerifier(
      options.issuer ?? { kind: 'cognito', userPoolId: USER_POOL_ID, clientIds: [CLIENT_ID] },
      { jwksCache: jwks.cache },
    ),
    sts: new STSClient({ region: 'us-east-1' }),
    settings: SETTINGS,
    logger: log.logger,
  };
  const post = (authorization: string | undefined) =>
    vendCredentials(deps, { method: 'POST', authorization });
  return { deps, post, log, jwks };
}

const bearer = (token: string) => `Bearer ${token}`;
const aliceIdToken = (overrides: Record<string, unknown> = {}) =>
  idp.sign(idTokenClaims(ISSUER, CLIENT_ID, ALICE, overrides));

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: STS_CREDENTIALS });
});

describe('vendCredentials: a valid ID token', () => {
  it('assumes the user role tagged with the caller sub and returns the credentials', async () => {
    // GIVEN
    const { post, jwks } = setup();

    // WHEN
    const response = await post(bearer(aliceIdToken()));

    // THEN
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: SETTINGS.userRoleArn,
      RoleSessionName: ALICE,
      DurationSeconds: 1800,
      Tags: [{ Key: 'chime_user_id', Value: ALICE }],
    });
    const body = parseVendedCredentialsResponse(JSON.parse(response.body));
    expect(body).toEqual({
      credentials: {
        accessKeyId: STS_CREDENTIALS.AccessKeyId,
        secretAccessKey: STS_CREDENTIALS.SecretAccessKey,
        sessionToken: STS_CREDENTIALS.SessionToken,
        expiration: '2030-01-01T00:30:00.000Z',
      },
      appInstanceUserArn: `${APP_INSTANCE_ARN}/user/${ALICE}`,
    });
    // The Cognito verifier asked for this pool's JWKS, from the provided cache's fetcher only.
    expect(jwks.fetched).toEqual([`${ISSUER}/.well-known/jwks.json`]);
  });

  it('never passes transitive tags, a policy or any tag but the principal tag', async () => {
    const { post } = setup();
    await post(bearer(aliceIdToken()));
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(Object.keys(input).sort()).toEqual(
      ['DurationSeconds', 'RoleArn', 'RoleSessionName', 'Tags'].sort(),
    );
    expect(input.Tags).toHaveLength(1);
  });

  it('accepts the scheme in any case (RFC 6750)', async () => {
    const { post } = setup();
    expect((await post(`bearer ${aliceIdToken()}`)).statusCode).toBe(200);
  });

  it('logs who got credentials, never the token or the credentials', async () => {
    const { post, log } = setup();
    const token = aliceIdToken();
    await post(bearer(token));
    const logged = JSON.stringify(log.calls);
    expect(logged).toContain(ALICE);
    for (const secret of [
      token,
      token.split('.')[2]!,
      STS_CREDENTIALS.SecretAccessKey,
      STS_CREDENTIALS.SessionToken,
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('vendCredentials: refused tokens get 401 and no STS call', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, () => string | undefined, string, string][] = [
    ['missing', () => undefined, 'missing_token', 'send the ID token'],
    [
      'not a Bearer header',
      () => `Basic ${Buffer.from('a:b').toString('base64')}`,
      'invalid_token',
      'not a Bearer token',
    ],
    ['empty Bearer', () => 'Bearer ', 'invalid_token', 'not a Bearer token'],
    ['malformed', () => bearer('not-a.jwt'), 'invalid_token', 'malformed token'],
    [
      'expired',
      () => bearer(aliceIdToken({ iat: now - 7200, exp: now - 60 })),
      'invalid_token',
      'token expired',
    ],
    [
      'wrong audience',
      () => bearer(aliceIdToken({ aud: 'anotherclient000000000000' })),
      'invalid_token',
      'wrong audience',
    ],
    [
      'access token instead of ID token',
      () => bearer(idp.sign(accessTokenClaims(ISSUER, CLIENT_ID, ALICE))),
      'invalid_token',
      'not an ID token',
    ],
    [
      'wrong issuer',
      () =>
        bearer(
          aliceIdToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
        ),
      'invalid_token',
      'wrong issuer',
    ],
    [
      'alg none, empty signature',
      () => bearer(unsignedJwt(idTokenClaims(ISSUER, CLIENT_ID, ALICE), idp.kid)),
      'invalid_token',
      'malformed token',
    ],
    [
      'alg none, made-up signature',
      () => bearer(unsignedJwt(idTokenClaims(ISSUER, CLIENT_ID, ALICE), idp.kid, 'c2ln')),
      'invalid_token',
      'unsupported signature algorithm',
    ],
    [
      'bad signature (another key, same kid)',
      () => bearer(attacker.sign(idTokenClaims(ISSUER, CLIENT_ID, ALICE))),
      'invalid_token',
      'bad signature',
    ],
    [
      'payload swapped after signing (impersonating bob)',
      () => {
        const [header, , signature] = aliceIdToken().split('.');
        const forged = Buffer.from(
          JSON.stringify(idTokenClaims(ISSUER, CLIENT_ID, 'bob-0000')),
        ).toString('base64url');
        return bearer(`${header}.${forged}.${signature}`);
      },
      'invalid_token',
      'bad signature',
    ],
    [
      'signed by a key the issuer does not publish',
      () => bearer(stranger.sign(idTokenClaims(ISSUER, CLIENT_ID, ALICE))),
      'invalid_token',
      'unknown signing key',
    ],
  ];

  it.each(cases)('%s', async (_name, authorization, error, message) => {
    // GIVEN
    const { post, log } = setup();
    const header = authorization();

    // WHEN
    const response = await post(header);

    // THEN
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    const body = JSON.parse(response.body) as { error: string; message: string };
    expect(body.error).toBe(error);
    expect(body.message).toContain(message);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    if (header && header.length > 7)
      expect(JSON.stringify(log.calls)).not.toContain(header.slice(7));
  });
});

describe('vendCredentials: other failures', () => {
  it('answers 502 without detail when STS refuses, and logs only the error name', async () => {
    // GIVEN
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403, requestId: 'req-1' },
        message: 'User: arn:aws:sts::123456789012:assumed-role/Server/fn is not authorized',
      }),
    );
    const { post, log } = setup();

    // WHEN
    const response = await post(bearer(aliceIdToken()));

    // THEN
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toEqual({
      error: 'credentials_unavailable',
      message: 'could not issue credentials',
    });
    expect(response.body).not.toMatch(/AccessDenied|arn:|authorized/);
    const logged = JSON.stringify(log.calls);
    expect(logged).toContain('AccessDenied');
    expect(logged).toContain('req-1');
    expect(logged).not.toContain('not authorized');
  });

  it('answers 502 when STS returns incomplete credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });
    const { post } = setup();
    expect((await post(bearer(aliceIdToken()))).statusCode).toBe(502);
  });

  it('answers 503 when the issuer keys cannot be fetched, with no STS call', async () => {
    const { post } = setup({ jwksFails: true });
    const response = await post(bearer(aliceIdToken()));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'identity_provider_unavailable' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it.each([
    ['with a space', 'alice smith'],
    ['too long', 'a'.repeat(65)],
    ['ending in a dash', 'alice-'],
  ])('answers 403 when the subject cannot be an AppInstanceUserId (%s)', async (_n, sub) => {
    const { post } = setup();
    const response = await post(bearer(idp.sign(idTokenClaims(ISSUER, CLIENT_ID, sub))));
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'unsupported_identity' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers 405 to %s', async (method) => {
    const { deps } = setup();
    const response = await vendCredentials(deps, {
      method,
      authorization: bearer(aliceIdToken()),
    });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});

describe('another identity provider through the OIDC seam (JwtRsaVerifier)', () => {
  const oidcIssuer = 'https://login.example.com';
  const oidc = { kind: 'oidc', issuer: oidcIssuer, audience: ['rp-1'], jwksUri: '' } as const;
  const other = createTestIssuer(oidcIssuer);

  function oidcSetup() {
    const cache = new SimpleJwksCache();
    cache.addJwks(`${oidcIssuer}/keys`, other.jwks as never);
    const log = spyLogger();
    return (authorization: string) =>
      vendCredentials(
        {
          verifyIdToken: createIdTokenVerifier(
            { ...oidc, jwksUri: `${oidcIssuer}/keys` },
            { jwksCache: cache },
          ),
          sts: new STSClient({ region: 'us-east-1' }),
          settings: SETTINGS,
          logger: log.logger,
        },
        { method: 'POST', authorization },
      );
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: oidcIssuer, aud: 'rp-1', sub: 'employee-42', iat: now, exp: now + 600 };

  it('vends for a plain OIDC ID token (no token_use claim)', async () => {
    const response = await oidcSetup()(bearer(other.sign(claims)));
    expect(response.statusCode).toBe(200);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      Tags: [{ Key: 'chime_user_id', Value: 'employee-42' }],
    });
  });

  it('refuses a token that says it is an access token, and a foreign audience', async () => {
    const post = oidcSetup();
    const access = await post(bearer(other.sign({ ...claims, token_use: 'access' })));
    const foreign = await post(bearer(other.sign({ ...claims, aud: 'rp-2' })));
    expect([access.statusCode, foreign.statusCode]).toEqual([401, 401]);
    expect(JSON.parse(access.body)).toMatchObject({ message: 'not an ID token' });
    expect(JSON.parse(foreign.body)).toMatchObject({ message: 'wrong audience' });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});

describe('helpers', () => {
  it('derives a valid RoleSessionName from any valid AppInstanceUserId', () => {
    const userId = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/);
    fc.assert(
      fc.property(userId, (id) => {
        expect(roleSessionNameFor(id)).toMatch(/^[\w+=,.@-]{2,64}$/);
      }),
    );
    expect(roleSessionNameFor(ALICE)).toBe(ALICE);
    expect(roleSessionNameFor('a')).toBe('user-a');
    expect(roleSessionNameFor('us-east-1:abc')).toBe('us-east-1-abc');
  });

  it('extracts only well-formed bearer tokens', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('Bearer a.b.c extra')).toBeUndefined();
    expect(bearerToken('a.b.c')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it.each([899, 3601, 1800.5])('refuses a session duration of %s seconds', (seconds) => {
    expect(() => assertValidSettings({ ...SETTINGS, sessionDurationSeconds: seconds })).toThrow(
      /session duration must be whole seconds from 900 to 3600, got/,
    );
  });
});

describe('readVendingConfig', () => {
  const base = {
    USER_ROLE_ARN: SETTINGS.userRoleArn,
    PRINCIPAL_TAG_KEY: 'chime_user_id',
    APP_INSTANCE_ARN: APP_INSTANCE_ARN,
    TOKEN_ISSUER_KIND: 'cognito',
    COGNITO_USER_POOL_ID: USER_POOL_ID,
    COGNITO_CLIENT_IDS: `${CLIENT_ID}, second`,
  };

  it('reads a Cognito configuration with a one-hour default session', () => {
    expect(readVendingConfig(base)).toEqual({
      settings: { ...SETTINGS, sessionDurationSeconds: 3600 },
      issuer: { kind: 'cognito', userPoolId: USER_POOL_ID, clientIds: [CLIENT_ID, 'second'] },
    });
  });

  it('reads an OIDC configuration, defaulting the JWKS URI from the issuer', () => {
    const config = readVendingConfig({
      ...base,
      TOKEN_ISSUER_KIND: 'oidc',
      OIDC_ISSUER: 'https://login.example.com/',
      OIDC_AUDIENCE: 'rp-1',
      SESSION_DURATION_SECONDS: '900',
    });
    expect(config.issuer).toEqual({
      kind: 'oidc',
      issuer: 'https://login.example.com/',
      audience: ['rp-1'],
      jwksUri: 'https://login.example.com/.well-known/jwks.json',
    });
    expect(config.settings.sessionDurationSeconds).toBe(900);
  });

  it.each([
    [{ USER_ROLE_ARN: '' }, /USER_ROLE_ARN is not set/],
    [{ TOKEN_ISSUER_KIND: 'saml' }, /TOKEN_ISSUER_KIND must be 'cognito' or 'oidc', got 'saml'/],
    [{ SESSION_DURATION_SECONDS: '1h' }, /SESSION_DURATION_SECONDS must be a whole number/],
    [{ SESSION_DURATION_SECONDS: '7200' }, /from 900 to 3600, got 7200/],
    [{ PRINCIPAL_TAG_KEY: 'aws:bad' }, /reserved prefix/],
    [{ USER_ROLE_ARN: 'arn:aws:iam::1:user/x' }, /not an IAM role ARN/],
    [{ COGNITO_CLIENT_IDS: undefined }, /COGNITO_CLIENT_IDS is not set/],
  ])('fails fast on %j', (override, message) => {
    expect(() => readVendingConfig({ ...base, ...override })).toThrow(message);
  });
});
