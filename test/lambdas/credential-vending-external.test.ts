/**
 * The vending route of an external OpenID Connect issuer (docs/federation.md, "The STS path"),
 * behind its own API Gateway JWT authorizer (which has checked issuer, audience, signature and
 * expiry; the sandbox test exercises that part): ids derived from issuer and `sub`, the caller's
 * AppInstanceUser created before vending, the shared per-caller limit. STS and Chime mocked
 * (aws-sdk-client-mock), no network.
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
import { ensureAppInstanceUser } from '../../lambdas/lib/app-instance-user';
import { readExternalIssuer, VENDING_ENV } from '../../lambdas/lib/credential-vending/config';
import {
  externalUserId,
  externalVending,
  type ExternalVendingDeps,
} from '../../lambdas/lib/credential-vending/external-issuers';
import type { RateDecision } from '../../lambdas/lib/http-api/rate-limit';
import { fakeChimeUsers } from './support/fake-chime';
import { recordingLogger } from './support/http-api-events';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';
const SETTINGS = {
  userRoleArn: 'arn:aws:iam::123456789012:role/ChimeVendingUserRole',
  principalTagKey: 'chime_user_id',
  appInstanceArn: APP_INSTANCE_ARN,
  sessionDurationSeconds: 3600,
};
const CORP = 'https://login.corp.example';
const ALICE_SUB = '3f1c2d4e-1111-4a5b-9c8d-0123456789ab';

const sts = mockClient(STSClient);
const chime = mockClient(ChimeSDKIdentityClient);
let decision: RateDecision;
let counted: string[];
let log: ReturnType<typeof recordingLogger>;

function deps(overrides: Partial<ExternalVendingDeps> = {}): ExternalVendingDeps {
  return {
    issuer: CORP,
    sts: new STSClient({ region: 'us-east-1' }),
    settings: SETTINGS,
    consumeRequest: (caller) => {
      counted.push(caller);
      return Promise.resolve(decision);
    },
    ensureUser: async (appInstanceUserId, profile) => {
      await ensureAppInstanceUser(
        {
          chime: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
          appInstanceArn: APP_INSTANCE_ARN,
          sleep: async () => {},
        },
        { userAttributes: { ...profile, sub: appInstanceUserId }, deadline: Date.now() + 2000 },
      );
    },
    logger: log.logger,
    ...overrides,
  };
}

/** Claims as API Gateway's JWT authorizer passes them (strings). */
const corpClaims = (sub: string, extra: Record<string, string> = {}) => ({
  iss: CORP,
  aud: 'chat-app',
  sub,
  name: 'Ada Lovelace',
  email: 'ada@corp.example',
  ...extra,
});

beforeEach(() => {
  sts.reset();
  chime.reset();
  counted = [];
  decision = { allowed: true, remaining: 9 };
  log = recordingLogger();
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
  test('derived id as tag and bearer, AppInstanceUser created first, named from the claims', async () => {
    const users = fakeChimeUsers(chime);
    const response = await externalVending(deps())({ claims: corpClaims('employee-42') });

    expect(response.statusCode).toBe(200);
    const id = externalUserId(CORP, 'employee-42');
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: SETTINGS.userRoleArn,
      Tags: [{ Key: 'chime_user_id', Value: id }],
    });
    expect(parseVendedCredentialsResponse(JSON.parse(response.body)).appInstanceUserArn).toBe(
      `${APP_INSTANCE_ARN}/user/${id}`,
    );
    expect(users.get(`${APP_INSTANCE_ARN}/user/${id}`)?.name).toBe('Ada Lovelace');
    // Counted under the derived id, never the raw sub.
    expect(counted).toEqual([id]);
    // The user exists before AssumeRole is called.
    const created = chime.commandCalls(CreateAppInstanceUserCommand)[0]!;
    const assumed = sts.commandCalls(AssumeRoleCommand)[0]!;
    expect(created.calledBefore(assumed)).toBe(true);
  });

  test('idempotent: later vends make no Chime call; an existing user (Conflict) is fine', async () => {
    const users = fakeChimeUsers(chime);
    const id = externalUserId(CORP, 'employee-42');
    users.set(`${APP_INSTANCE_ARN}/user/${id}`, { arn: 'x', name: 'Ada', token: undefined });
    const vend = externalVending(deps());

    for (let i = 0; i < 3; i++) {
      expect((await vend({ claims: corpClaims('employee-42') })).statusCode).toBe(200);
    }

    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 1);
    expect(users.size).toBe(1);
  });

  test('an external sub equal to a Cognito sub cannot act as that Cognito user', async () => {
    fakeChimeUsers(chime);
    const response = await externalVending(deps())({ claims: corpClaims(ALICE_SUB) });
    expect(response.statusCode).toBe(200);
    const tag = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Tags![0]!.Value;
    expect(tag).not.toBe(ALICE_SUB);
    expect(tag).toBe(externalUserId(CORP, ALICE_SUB));
  });

  test('claims of another issuer (a misrouted authorizer): 401, no counter, Chime or STS call', async () => {
    fakeChimeUsers(chime);
    const response = await externalVending(deps())({
      claims: corpClaims('employee-42', { iss: 'https://login.other.example' }),
    });
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_token' });
    expect(counted).toEqual([]);
    expect(chime).not.toHaveReceivedAnyCommand();
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['no sub', {}],
    ['an empty sub', { sub: '' }],
    ['a sub over 255 characters', { sub: 'x'.repeat(256) }],
  ])('a token with %s: 403, nothing created', async (_, extra) => {
    fakeChimeUsers(chime);
    const claims: Record<string, string | undefined> = { iss: CORP, aud: 'chat-app', ...extra };
    const response = await externalVending(deps())({ claims });
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'unsupported_identity' });
    expect(chime).not.toHaveReceivedAnyCommand();
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  test('over the per-caller limit: 429 with Retry-After, before any Chime call', async () => {
    fakeChimeUsers(chime);
    decision = { allowed: false, retryAfterSeconds: 42 };
    const response = await externalVending(deps())({ claims: corpClaims('employee-42') });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(chime).not.toHaveReceivedAnyCommand();
    expect(sts).not.toHaveReceivedAnyCommand();
  });

  test('Chime cannot create the user: 502, no credentials, and the next request tries again', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    const vend = externalVending(deps());
    const response = await vend({ claims: corpClaims('employee-42') });
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'credentials_unavailable' });
    expect(sts).not.toHaveReceivedAnyCommand();

    fakeChimeUsers(chime);
    expect((await vend({ claims: corpClaims('employee-42') })).statusCode).toBe(200);
  });

  test('logs the derived id, never the sub, the email or the credentials', async () => {
    fakeChimeUsers(chime);
    await externalVending(deps())({ claims: corpClaims('employee-42') });
    const text = JSON.stringify(log.lines);
    expect(text).toContain(externalUserId(CORP, 'employee-42'));
    expect(text).not.toContain('employee-42');
    expect(text).not.toContain('ada@corp.example');
    expect(text).not.toContain('secret');
  });
});

describe('configuration', () => {
  test('EXTERNAL_OIDC_ISSUER is required and must be a URL', () => {
    expect(readExternalIssuer({ [VENDING_ENV.externalIssuer]: CORP })).toBe(CORP);
    expect(() => readExternalIssuer({})).toThrow(/EXTERNAL_OIDC_ISSUER/);
    expect(() => readExternalIssuer({ [VENDING_ENV.externalIssuer]: 'corp' })).toThrow(
      /EXTERNAL_OIDC_ISSUER must be a URL/,
    );
    expect(() =>
      readExternalIssuer({ [VENDING_ENV.externalIssuer]: 'ftp://login.corp.example' }),
    ).toThrow(/https URL/);
  });
});
