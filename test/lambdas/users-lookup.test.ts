/**
 * `GET /users?email=`: the lookup core with Cognito mocked (aws-sdk-client-mock), the address
 * rules and the filter escaping (hostile input), and the deployed entry point configured by
 * environment only.
 */
import {
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import { parseUserLookupResponse } from '../../contracts/http-api';
import {
  type RateDecision,
  RateLimitUnavailableError,
} from '../../lambdas/lib/http-api/rate-limit';
import { lookUpUser, type UserLookupDeps } from '../../lambdas/lib/users-lookup/core';
import {
  emailFilter,
  emailParameter,
  InvalidEmailError,
  normalizedEmail,
} from '../../lambdas/lib/users-lookup/email';
import { parseUserFilter } from '../../sandbox/services/user-pool/operations/list-users';
import { httpApiEvent, recordingLogger } from './support/http-api-events';

const APP_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
const BOB = 'b0b0b0b0-0000-4000-8000-000000000002';
const cognito = mockClient(CognitoIdentityProviderClient);
let decision: RateDecision | Error;
let log: ReturnType<typeof recordingLogger>;

function person(
  sub: string,
  attributes: Record<string, string>,
  extra: Partial<UserType> = {},
): UserType {
  return {
    Username: sub,
    Enabled: true,
    UserStatus: 'CONFIRMED',
    Attributes: Object.entries({ sub, email_verified: 'true', ...attributes }).map(
      ([Name, Value]) => ({ Name, Value }),
    ),
    ...extra,
  };
}

function deps(): UserLookupDeps {
  return {
    cognito: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    userPoolId: 'us-east-1_pool',
    appInstanceArn: APP_INSTANCE,
    consumeLookup: () =>
      decision instanceof Error ? Promise.reject(decision) : Promise.resolve(decision),
    logger: log.logger,
  };
}

const lookup = (query: string, claims: Record<string, string> = { sub: ALICE, token_use: 'id' }) =>
  lookUpUser(deps(), { claims, rawQueryString: query });

beforeEach(() => {
  cognito.reset();
  decision = { allowed: true, remaining: 29 };
  log = recordingLogger();
  cognito.on(ListUsersCommand).resolves({ Users: [] });
});

describe('lookUpUser', () => {
  test('one enabled, confirmed, verified match: its AppInstanceUser ARN and name, nothing else', async () => {
    cognito.on(ListUsersCommand).resolves({
      Users: [
        person(BOB, { email: 'Bob@Example.com', name: 'Bob B', phone_number: '+15555550100' }),
      ],
    });
    const response = await lookup('email=BOB%40example.COM');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual({
      user: { appInstanceUserArn: `${APP_INSTANCE}/user/${BOB}`, name: 'Bob B' },
    });
    expect(parseUserLookupResponse(JSON.parse(response.body)).user?.name).toBe('Bob B');
    expect(cognito).toHaveReceivedCommandWith(ListUsersCommand, {
      UserPoolId: 'us-east-1_pool',
      Filter: 'email = "bob@example.com"',
      Limit: 2,
    });
  });

  test('the name is the display-name rule: the email local part without a name', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [person(BOB, { email: 'bob@example.com' })] });
    const { body } = await lookup('email=bob%40example.com');
    expect((JSON.parse(body) as { user: { name: string } }).user.name).toBe('bob');
  });

  test.each([
    ['no user', []],
    ['disabled', [person(BOB, { email: 'bob@example.com' }, { Enabled: false })]],
    ['unconfirmed', [person(BOB, { email: 'bob@example.com' }, { UserStatus: 'UNCONFIRMED' })]],
    [
      'administrator-created, first sign-in pending',
      [person(BOB, { email: 'bob@example.com' }, { UserStatus: 'FORCE_CHANGE_PASSWORD' })],
    ],
    ['email not verified', [person(BOB, { email: 'bob@example.com', email_verified: 'false' })]],
    [
      'a longer address only (a prefix match from the pool)',
      [person(BOB, { email: 'bob@example.com.evil' })],
    ],
    [
      'two matches',
      [person(BOB, { email: 'bob@example.com' }), person(ALICE, { email: 'bob@example.com' })],
    ],
  ])('%s: {"user": null}', async (_label, users) => {
    cognito.on(ListUsersCommand).resolves({ Users: users });
    const response = await lookup('email=bob%40example.com');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ user: null });
  });

  test('an access token is refused (the route wants the ID token); a bad subject is 403', async () => {
    expect((await lookup('email=a%40b.co', { sub: ALICE, token_use: 'access' })).statusCode).toBe(
      401,
    );
    expect((await lookup('email=a%40b.co', { sub: 'x/y', token_use: 'id' })).statusCode).toBe(403);
    expect(cognito).not.toHaveReceivedAnyCommand();
  });

  test('a malformed address: 400 with the reason, no Cognito call', async () => {
    const response = await lookup('email=nope');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_email',
      message: 'email must be one address like name@example.com',
    });
    expect(cognito).not.toHaveReceivedAnyCommand();
  });

  test('past the per-caller limit: 429 with Retry-After and no Cognito call; limiter down: 503', async () => {
    decision = { allowed: false, retryAfterSeconds: 42 };
    const limited = await lookup('email=bob%40example.com');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('42');
    decision = new RateLimitUnavailableError('ThrottlingException');
    expect((await lookup('email=bob%40example.com')).statusCode).toBe(503);
    expect(cognito).not.toHaveReceivedAnyCommand();
  });

  test('Cognito refusing the filter is a 400; Cognito failing is a 503', async () => {
    cognito
      .on(ListUsersCommand)
      .rejects(new InvalidParameterException({ message: 'bad filter', $metadata: {} }));
    expect((await lookup('email=bob%40example.com')).statusCode).toBe(400);
    cognito
      .on(ListUsersCommand)
      .rejects(Object.assign(new Error('x'), { name: 'InternalErrorException' }));
    expect((await lookup('email=bob%40example.com')).statusCode).toBe(503);
  });

  test('logs outcomes and counts only: never the address, the name or a token', async () => {
    cognito
      .on(ListUsersCommand)
      .resolves({ Users: [person(BOB, { email: 'secret.bob@example.com', name: 'Bob Secret' })] });
    await lookup('email=secret.bob%40example.com');
    await lookup('email=unknown.person%40example.com');
    await lookup('email=broken');
    const text = JSON.stringify(log.lines);
    expect(log.lines.map((l) => (l.extra as { outcome: string }).outcome)).toEqual([
      'found',
      'not_found',
      'invalid_email',
    ]);
    for (const secret of ['secret.bob', 'unknown.person', 'Bob Secret', 'broken'])
      expect(text).not.toContain(secret);
  });
});

describe('the address and the filter', () => {
  test('the one email parameter, trimmed; repeated or missing is refused', () => {
    expect(emailParameter('email=%20a%40b.co%20')).toBe('a@b.co');
    expect(() => emailParameter('')).toThrow(/required/);
    expect(() => emailParameter('email=a%40b.co&email=c%40d.co')).toThrow(/once/);
  });

  test.each([
    ['a@b', /domain name/],
    ['@b.co', /one address/],
    ['a@', /one address/],
    ['a\tb@c.co', /spaces or control/],
    ['a\u0000@c.co', /spaces or control/],
    [`${'x'.repeat(65)}@c.co`, /before @ is longer than 64/],
    [`a@${'x'.repeat(250)}.co`, /longer than 254/],
    ['a@-b.co', /domain name/],
  ])('%j is refused', (email, reason) => {
    expect(() => normalizedEmail(email)).toThrow(InvalidEmailError);
    expect(() => normalizedEmail(email)).toThrow(reason);
  });

  test('quotes, backslashes and unicode are accepted and lower-cased', () => {
    expect(normalizedEmail('"O\'Neil\\X"@Exämple.COM')).toBe('"o\'neil\\x"@exämple.com');
  });

  test('the filter escapes backslashes, then quotes: Cognito reads back exactly the address', () => {
    expect(emailFilter('a"b\\c@d.co')).toBe('email = "a\\"b\\\\c@d.co"');
    // Any value round-trips through the documented grammar, and nothing in it can close the string.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        const parsed = parseUserFilter(emailFilter(value));
        expect(parsed).toEqual({ attribute: 'email', prefix: false, value });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the deployed entry point', () => {
  test('reads its configuration from the environment and answers a payload 2.0 event', async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { requests: { N: '1' } } });
    cognito
      .on(ListUsersCommand)
      .resolves({ Users: [person(BOB, { email: 'bob@example.com', name: 'Bob' })] });
    Object.assign(process.env, {
      USER_POOL_ID: 'us-east-1_pool',
      APP_INSTANCE_ARN: APP_INSTANCE,
      RATE_LIMIT_TABLE_NAME: 'limits',
      RATE_LIMIT_PER_WINDOW: '30',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const { handler } = await import('../../lambdas/users-lookup');
    const result = await handler(
      httpApiEvent({
        routeKey: 'GET /users',
        claims: { sub: ALICE, token_use: 'id' },
        rawQueryString: 'email=bob%40example.com',
      }),
      { awsRequestId: 'r' } as never,
      () => {},
    );
    expect(result).toMatchObject({ statusCode: 200 });
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, { TableName: 'limits' });
    const key = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.Key!.pk!.S!;
    expect(key).toMatch(new RegExp(`^users#${ALICE}#\\d+$`));
    dynamodb.restore();
  });
});
