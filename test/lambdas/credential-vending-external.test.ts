/**
 * The vending API for an external OpenID Connect issuer (docs/federation.md): tokens verified
 * against keys found through OIDC discovery, ids derived from issuer and `sub`, the caller's
 * AppInstanceUser created before vending. Real RS256 tokens, STS and Chime mocked, no network.
 */
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-chime-sdk-identity';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import {
  appInstanceUserIdForm,
  EXTERNAL_USER_ID_PATTERN,
  USER_POOL_SUB_PATTERN,
} from '../../contracts/app-instance-user-id';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { readVendingConfig } from '../../lambdas/lib/credential-vending/config';
import { vendCredentials, type VendingDeps } from '../../lambdas/lib/credential-vending/core';
import {
  discoverJwksUri,
  type ExternalIssuerConfig,
  externalUserId,
  parseExternalIssuers,
  vendingVerification,
} from '../../lambdas/lib/credential-vending/external-issuers';
import type { TokenIssuerConfig } from '../../lambdas/lib/credential-vending/verifier';
import { fakeChimeUsers } from './support/fake-chime';
import { createTestIssuer, idTokenClaims, unsignedJwt } from './credential-vending-tokens';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';
const SETTINGS = {
  userRoleArn: 'arn:aws:iam::123456789012:role/ChimeVendingUserRole',
  principalTagKey: 'chime_user_id',
  appInstanceArn: APP_INSTANCE_ARN,
  sessionDurationSeconds: 3600,
};
const CORP = 'https://login.corp.example';
const CORP_AUDIENCE = 'chat-app';
const POOL_ID = 'us-east-1_TestPool1';
const POOL_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
const POOL_CLIENT = 'webclient1234567890abcdefg';
const ALICE_SUB = '3f1c2d4e-1111-4a5b-9c8d-0123456789ab';

const corp = createTestIssuer(CORP, 'corp-key');
const pool = createTestIssuer(POOL_ISSUER, 'pool-key');
const unconfigured = createTestIssuer('https://login.other.example', 'other-key');
const forger = createTestIssuer(CORP, 'corp-key'); // same issuer and kid, another key

const sts = mockClient(STSClient);
const chime = mockClient(ChimeSDKIdentityClient);
const now = () => Math.floor(Date.now() / 1000);

/** Serves discovery documents and JWKS by URL, and records every fetch. */
function fakeWeb(documents: Record<string, unknown>) {
  const fetched: string[] = [];
  return {
    fetched,
    fetcher: {
      fetch: async (uri: string) => {
        fetched.push(uri);
        if (!(uri in documents)) throw new Error(`ECONNREFUSED ${uri}`);
        return new TextEncoder().encode(JSON.stringify(documents[uri])).buffer as ArrayBuffer;
      },
    },
  };
}

const corpDiscovery = {
  [`${CORP}/.well-known/openid-configuration`]: { issuer: CORP, jwks_uri: `${CORP}/keys` },
  [`${CORP}/keys`]: corp.jwks,
  [`${POOL_ISSUER}/.well-known/jwks.json`]: pool.jwks,
};

function setup(
  options: {
    issuer?: TokenIssuerConfig;
    external?: ExternalIssuerConfig[];
    documents?: Record<string, unknown>;
  } = {},
) {
  const web = fakeWeb(options.documents ?? corpDiscovery);
  const warnings: unknown[] = [];
  const deps: VendingDeps = {
    ...vendingVerification(
      {
        ...('issuer' in options
          ? options.issuer && { issuer: options.issuer }
          : { issuer: { kind: 'cognito', userPoolId: POOL_ID, clientIds: [POOL_CLIENT] } }),
        externalIssuers: options.external ?? [{ issuer: CORP, audience: [CORP_AUDIENCE] }],
      },
      {
        chime: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
        appInstanceArn: APP_INSTANCE_ARN,
        fetcher: web.fetcher,
      },
    ),
    sts: new STSClient({ region: 'us-east-1' }),
    settings: SETTINGS,
    logger: {
      info() {},
      warn: (...args: unknown[]) => warnings.push(args),
      error: (...args: unknown[]) => warnings.push(args),
    } as unknown as VendingDeps['logger'],
  };
  const post = (token: string) =>
    vendCredentials(deps, { method: 'POST', authorization: `Bearer ${token}` });
  return { post, web, warnings };
}

const corpToken = (sub: string, overrides: Record<string, unknown> = {}) =>
  corp.sign({
    iss: CORP,
    aud: CORP_AUDIENCE,
    sub,
    iat: now(),
    exp: now() + 600,
    name: 'Ada Lovelace',
    email: 'ada@corp.example',
    ...overrides,
  });

beforeEach(() => {
  sts.reset();
  chime.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAVENDED',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2030-01-01T00:00:00Z'),
    },
  });
});

describe('externalUserId: the derived id form', () => {
  test('is stable (a published form: changing it would orphan every external user)', () => {
    expect(externalUserId('https://login.corp.example', 'employee-42')).toBe(
      externalUserId('https://login.corp.example', 'employee-42'),
    );
    // Regression vector, computed independently (Python: 'oidc-' +
    // base64.b32encode(sha256(b'https://login.corp.example\x00employee-42')).rstrip('=').lower()).
    expect(externalUserId('https://login.corp.example', 'employee-42')).toBe(
      'oidc-eauz55lvrgiboju6t3bx7ykl3gk2esojllla7jpbf7phj7seerba',
    );
  });

  test('is a valid AppInstanceUserId and STS tag value, of the external form only', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.string({ minLength: 1, maxLength: 255 }), (issuer, sub) => {
        const id = externalUserId(issuer, sub);
        expect(id).toMatch(EXTERNAL_USER_ID_PATTERN);
        expect(id).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/);
        expect(id).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
        expect(appInstanceUserIdForm(id)).toBe('external-oidc');
        expect(id).not.toMatch(USER_POOL_SUB_PATTERN);
        expect(id.startsWith('guest-')).toBe(false);
      }),
    );
  });

  test('never equals a user pool sub, even when the external sub is one', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), (uuid) => {
        const id = externalUserId(CORP, uuid);
        expect(id).not.toBe(uuid);
        expect(appInstanceUserIdForm(uuid)).toBe('user-pool');
      }),
    );
  });

  test('different (issuer, sub) pairs give different ids, splits across the boundary included', () => {
    expect(externalUserId('https://a.example', 'b/c')).not.toBe(
      externalUserId('https://a.example/b', 'c'),
    );
    expect(externalUserId(CORP, 'x')).not.toBe(externalUserId('https://login.other.example', 'x'));
    fc.assert(
      fc.property(
        fc.tuple(fc.webUrl(), fc.string({ minLength: 1 })),
        fc.tuple(fc.webUrl(), fc.string({ minLength: 1 })),
        ([i1, s1], [i2, s2]) => {
          fc.pre(i1 !== i2 || s1 !== s2);
          expect(externalUserId(i1, s1)).not.toBe(externalUserId(i2, s2));
        },
      ),
    );
  });
});

describe('vending for an external issuer', () => {
  test('a valid token: derived id as tag and bearer, AppInstanceUser created first, named from the claims', async () => {
    const users = fakeChimeUsers(chime);
    const { post, web } = setup();

    const response = await post(corpToken('employee-42'));

    expect(response.statusCode).toBe(200);
    const id = externalUserId(CORP, 'employee-42');
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      Tags: [{ Key: 'chime_user_id', Value: id }],
    });
    expect(parseVendedCredentialsResponse(JSON.parse(response.body)).appInstanceUserArn).toBe(
      `${APP_INSTANCE_ARN}/user/${id}`,
    );
    expect(users.get(`${APP_INSTANCE_ARN}/user/${id}`)?.name).toBe('Ada Lovelace');
    // Keys from discovery, fetched once.
    expect(web.fetched).toEqual([`${CORP}/.well-known/openid-configuration`, `${CORP}/keys`]);
  });

  test('idempotent: later vends make no Chime call; an existing user (Conflict) is fine', async () => {
    const users = fakeChimeUsers(chime);
    const id = externalUserId(CORP, 'employee-42');
    users.set(`${APP_INSTANCE_ARN}/user/${id}`, { arn: 'x', name: 'Ada', token: undefined });
    const { post } = setup();

    for (let i = 0; i < 3; i++) expect((await post(corpToken('employee-42'))).statusCode).toBe(200);

    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 1);
    expect(users.size).toBe(1);
  });

  test('the user pool beside it keeps sub as the id, and makes no Chime call', async () => {
    fakeChimeUsers(chime);
    const { post } = setup();

    const response = await post(pool.sign(idTokenClaims(POOL_ISSUER, POOL_CLIENT, ALICE_SUB)));

    expect(response.statusCode).toBe(200);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      Tags: [{ Key: 'chime_user_id', Value: ALICE_SUB }],
    });
    expect(chime).not.toHaveReceivedAnyCommand();
  });

  test('instead of the user pool: pool tokens are refused', async () => {
    fakeChimeUsers(chime);
    const { post } = setup({ issuer: undefined });
    const response = await post(pool.sign(idTokenClaims(POOL_ISSUER, POOL_CLIENT, ALICE_SUB)));
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_token', message: 'wrong issuer' });
    expect((await post(corpToken('employee-42'))).statusCode).toBe(200);
  });

  test('an external sub equal to a Cognito sub cannot act as that Cognito user', async () => {
    fakeChimeUsers(chime);
    const { post } = setup();
    const response = await post(corpToken(ALICE_SUB));
    expect(response.statusCode).toBe(200);
    const tag = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Tags![0]!.Value;
    expect(tag).not.toBe(ALICE_SUB);
    expect(tag).toBe(externalUserId(CORP, ALICE_SUB));
  });

  const refused: [string, () => string, string][] = [
    [
      'from an unconfigured issuer',
      () =>
        unconfigured.sign({
          iss: 'https://login.other.example',
          aud: CORP_AUDIENCE,
          sub: 'x',
          iat: now(),
          exp: now() + 600,
        }),
      'wrong issuer',
    ],
    [
      'tampered (payload changed after signing)',
      () => {
        const [h, , s] = corpToken('employee-42').split('.');
        const payload = Buffer.from(
          JSON.stringify({
            iss: CORP,
            aud: CORP_AUDIENCE,
            sub: 'ceo',
            iat: now(),
            exp: now() + 600,
          }),
        ).toString('base64url');
        return `${h}.${payload}.${s}`;
      },
      'bad signature',
    ],
    [
      'signed by another key with the same kid',
      () =>
        forger.sign({ iss: CORP, aud: CORP_AUDIENCE, sub: 'ceo', iat: now(), exp: now() + 600 }),
      'bad signature',
    ],
    [
      'expired',
      () => corpToken('employee-42', { iat: now() - 7200, exp: now() - 60 }),
      'token expired',
    ],
    [
      'for another audience',
      () => corpToken('employee-42', { aud: 'another-app' }),
      'wrong audience',
    ],
    [
      'alg none',
      () =>
        unsignedJwt({ iss: CORP, aud: CORP_AUDIENCE, sub: 'ceo', exp: now() + 600 }, 'corp-key'),
      // Refused before any issuer is chosen: aws-jwt-verify's decomposition rejects it.
      'malformed token',
    ],
    [
      'an access token (token_use)',
      () => corpToken('employee-42', { token_use: 'access' }),
      'not an ID token',
    ],
    ['not a JWT', () => 'not-a-jwt', 'malformed token'],
  ];
  test.each(refused)('a token %s: 401, no Chime or STS call', async (_, token, reason) => {
    fakeChimeUsers(chime);
    const { post } = setup();
    const response = await post(token());
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_token', message: reason });
    expect(chime).not.toHaveReceivedAnyCommand();
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  test('a token without sub: 403, nothing created', async () => {
    fakeChimeUsers(chime);
    const { post } = setup();
    const response = await post(corpToken('', {}));
    expect(response.statusCode).toBe(403);
    expect(chime).not.toHaveReceivedAnyCommand();
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  test('Chime cannot create the user: 502, no credentials', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(
        new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }),
      );
    const { post } = setup();
    const response = await post(corpToken('employee-42'));
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body).error).toBe('credentials_unavailable');
    expect(sts).not.toHaveReceivedAnyCommand();
  }, 10_000);

  test('discovery unreachable: 503, and the next request discovers again', async () => {
    fakeChimeUsers(chime);
    const documents: Record<string, unknown> = {};
    const { post, web } = setup({ documents });
    expect((await post(corpToken('employee-42'))).statusCode).toBe(503);
    Object.assign(documents, corpDiscovery);
    expect((await post(corpToken('employee-42'))).statusCode).toBe(200);
    expect(web.fetched.filter((u) => u.endsWith('openid-configuration'))).toHaveLength(2);
  });

  test('a discovery document naming another issuer is not trusted: 503', async () => {
    const { post } = setup({
      documents: {
        ...corpDiscovery,
        [`${CORP}/.well-known/openid-configuration`]: {
          issuer: 'https://evil.example',
          jwks_uri: `${CORP}/keys`,
        },
      },
    });
    expect((await post(corpToken('employee-42'))).statusCode).toBe(503);
  });
});

describe('discovery and configuration', () => {
  test('discoverJwksUri refuses an http key URL for an https issuer', async () => {
    const web = fakeWeb({
      [`${CORP}/.well-known/openid-configuration`]: { issuer: CORP, jwks_uri: 'http://corp/keys' },
    });
    await expect(discoverJwksUri(CORP, web.fetcher)).rejects.toThrow(/no acceptable jwks_uri/);
  });

  const base = {
    USER_ROLE_ARN: SETTINGS.userRoleArn,
    PRINCIPAL_TAG_KEY: 'chime_user_id',
    APP_INSTANCE_ARN,
  };

  test('EXTERNAL_OIDC_ISSUERS beside the user pool, or instead of it', () => {
    const issuers = JSON.stringify([{ issuer: CORP, audience: [CORP_AUDIENCE] }]);
    expect(
      readVendingConfig({
        ...base,
        TOKEN_ISSUER_KIND: 'cognito',
        COGNITO_USER_POOL_ID: POOL_ID,
        COGNITO_CLIENT_IDS: POOL_CLIENT,
        EXTERNAL_OIDC_ISSUERS: issuers,
      }),
    ).toMatchObject({
      issuer: { kind: 'cognito' },
      externalIssuers: [{ issuer: CORP, audience: [CORP_AUDIENCE] }],
    });
    const only = readVendingConfig({ ...base, EXTERNAL_OIDC_ISSUERS: issuers });
    expect(only.issuer).toBeUndefined();
    expect(only.externalIssuers).toHaveLength(1);
  });

  test.each([
    ['[{"issuer":"http://corp.example","audience":["a"]}]', /\[0\]\.issuer must be an https URL/],
    [
      '[{"issuer":"https://corp.example","audience":[]}]',
      /\[0\]\.audience must be a non-empty array/,
    ],
    [
      '[{"issuer":"https://c.example","audience":["a"]},{"issuer":"https://c.example","audience":["b"]}]',
      /\[1\]\.issuer is listed twice/,
    ],
    ['{"issuer":"https://c.example"}', /must be a JSON array/],
    ['nope', /must be JSON/],
  ])('refuses %s', (json, message) => {
    expect(() => parseExternalIssuers(json, 'EXTERNAL_OIDC_ISSUERS')).toThrow(message);
  });

  test("refuses the user pool's own issuer as an external issuer (its users keep their sub)", () => {
    expect(() =>
      readVendingConfig({
        ...base,
        TOKEN_ISSUER_KIND: 'cognito',
        COGNITO_USER_POOL_ID: POOL_ID,
        COGNITO_CLIENT_IDS: POOL_CLIENT,
        EXTERNAL_OIDC_ISSUERS: JSON.stringify([{ issuer: POOL_ISSUER, audience: ['x'] }]),
      }),
    ).toThrow(/must not list the user pool's own issuer/);
  });

  test('neither a user pool nor external issuers: fails fast', () => {
    expect(() => readVendingConfig(base)).toThrow(/TOKEN_ISSUER_KIND is not set/);
  });
});
