import {
  BadRequestException,
  ChimeSDKIdentityClient,
  ConflictException,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ForbiddenException,
  ServiceFailureException,
  ThrottledClientException,
} from '@aws-sdk/client-chime-sdk-identity';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import {
  AppInstanceUserSyncError,
  InvalidUserSubError,
  NAME_MAX_LENGTH,
  appInstanceUserIdFromSub,
  displayNameFromAttributes,
  ensureAppInstanceUser,
  isRetryableChimeError,
  sanitizeDisplayName,
} from '../../lambdas/lib/app-instance-user';
import { fakeClock } from './support/fake-clock';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';
const SUB = '3f9a1c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b';

/** The API's Name rules, read literally: 1-100 characters, `.*\S.*` (`.` excludes line breaks). */
const API_NAME_PATTERN = /^.*\S.*$/;
const API_TOKEN_PATTERN = /^[-_a-zA-Z0-9]{2,64}$/;
const WELL_FORMED = (s: string) =>
  !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));

const chime = mockClient(ChimeSDKIdentityClient);
const client = new ChimeSDKIdentityClient({ region: 'us-east-1' });

function deps(time = fakeClock()) {
  return { chime: client, appInstanceArn: APP_INSTANCE_ARN, ...time };
}

const throttled = () => new ThrottledClientException({ message: 'slow down', $metadata: {} });

beforeEach(() => chime.reset());

describe('ensureAppInstanceUser', () => {
  test('creates the user with id = sub, a profile name and a token valid for the API', async () => {
    // GIVEN
    chime.on(CreateAppInstanceUserCommand).resolves({
      AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}`,
    });
    const time = fakeClock();

    // WHEN
    const result = await ensureAppInstanceUser(deps(time), {
      userAttributes: { sub: SUB, name: 'Ada Lovelace', email: 'ada@example.com' },
      deadline: time.now() + 2000,
    });

    // THEN
    expect(result).toEqual({
      outcome: 'created',
      appInstanceUserId: SUB,
      appInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}`,
      attempts: 1,
    });
    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 1);
    expect(chime).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, {
      AppInstanceArn: APP_INSTANCE_ARN,
      AppInstanceUserId: SUB,
      Name: 'Ada Lovelace',
      ClientRequestToken: expect.stringMatching(API_TOKEN_PATTERN),
    });
    expect(chime).not.toHaveReceivedCommand(DescribeAppInstanceUserCommand);
  });

  test('a fresh token per call: a second call for an existing user sees Conflict, not success', async () => {
    // GIVEN Chime's idempotency: a repeated token answers success even though the user exists
    const tokens = new Set<string>();
    chime
      .on(CreateAppInstanceUserCommand)
      .callsFake((input: CreateAppInstanceUserCommand['input']) => {
        const token = input.ClientRequestToken ?? '';
        if (tokens.size > 0 && !tokens.has(token)) {
          throw new ConflictException({ message: 'exists', $metadata: {} });
        }
        tokens.add(token);
        return { AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}` };
      });
    const time = fakeClock();
    const input = () => ({
      userAttributes: { sub: SUB, name: 'Ada' },
      deadline: time.now() + 2000,
    });

    // WHEN two invocations (two sign-ins) ensure the same user
    const first = await ensureAppInstanceUser(deps(time), input());
    const second = await ensureAppInstanceUser(deps(time), input());

    // THEN only the first one created it
    expect([first.outcome, second.outcome]).toEqual(['created', 'exists']);
    const sent = chime
      .commandCalls(CreateAppInstanceUserCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(new Set(sent).size).toBe(2);
  });

  test('ConflictException means the user exists: success, no second call', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    const time = fakeClock();

    const result = await ensureAppInstanceUser(deps(time), {
      userAttributes: { sub: SUB },
      deadline: time.now() + 2000,
    });

    expect(result.outcome).toBe('exists');
    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 1);
  });

  test('throttled twice, then created: retried with growing jittered backoff', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(
        new ServiceFailureException({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
      )
      .resolves({ AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}` });
    const time = fakeClock();

    const result = await ensureAppInstanceUser(deps(time), {
      userAttributes: { sub: SUB },
      deadline: time.now() + 2000,
    });

    expect(result).toMatchObject({ outcome: 'created', attempts: 3 });
    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 3);
    // random() = 0.5 of min(800, 50 * 2^attempt): 50 then 100 ms.
    expect(time.sleeps).toEqual([50, 100]);
    // Every attempt carries the same idempotency token.
    const tokens = chime
      .commandCalls(CreateAppInstanceUserCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(1);
  });

  test('keeps retrying throttling only until the deadline, then fails with the last error', async () => {
    chime.on(CreateAppInstanceUserCommand).rejects(throttled());
    const time = fakeClock();
    const deadline = time.now() + 1500;

    const error = await ensureAppInstanceUser(deps(time), {
      userAttributes: { sub: SUB },
      deadline,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppInstanceUserSyncError);
    expect(error).toMatchObject({ appInstanceUserId: SUB, errorName: 'ThrottledClientException' });
    expect((error as AppInstanceUserSyncError).attempts).toBeGreaterThan(2);
    // Never slept past the deadline.
    expect(time.now()).toBeLessThanOrEqual(deadline);
  });

  test('does not call Chime at all when no time is left', async () => {
    const time = fakeClock();
    await expect(
      ensureAppInstanceUser(deps(time), {
        userAttributes: { sub: SUB },
        deadline: time.now() + 10,
      }),
    ).rejects.toMatchObject({ name: 'AppInstanceUserSyncError', attempts: 0 });
    expect(chime).not.toHaveReceivedCommand(CreateAppInstanceUserCommand);
  });

  test('a permanent error is not retried; Describe confirms the user is missing', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new ForbiddenException({ message: 'no', $metadata: {} }));
    chime
      .on(DescribeAppInstanceUserCommand)
      .rejects(new ForbiddenException({ message: 'no', $metadata: {} }));
    const time = fakeClock();

    await expect(
      ensureAppInstanceUser(deps(time), {
        userAttributes: { sub: SUB },
        deadline: time.now() + 2000,
      }),
    ).rejects.toThrow(`could not create AppInstanceUser ${SUB}: ForbiddenException`);
    expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 1);
    expect(chime).toHaveReceivedCommandWith(DescribeAppInstanceUserCommand, {
      AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}`,
    });
  });

  test('a 4xx from Create for a user that exists (e.g. a changed name) is success', async () => {
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new BadRequestException({ message: 'token reused', $metadata: {} }));
    chime.on(DescribeAppInstanceUserCommand).resolves({
      AppInstanceUser: { AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/${SUB}`, Name: 'Old name' },
    });
    const time = fakeClock();

    const result = await ensureAppInstanceUser(deps(time), {
      userAttributes: { sub: SUB, name: 'New name' },
      deadline: time.now() + 2000,
    });
    expect(result.outcome).toBe('exists');
  });

  test.each([
    [undefined, 'a value of type undefined'],
    ['', '""'],
    ['has space', '"has space"'],
    ['-leading-dash', '"-leading-dash"'],
    ['x'.repeat(65), '"' + 'x'.repeat(65) + '"'],
    ['${aws:PrincipalTag/x}', '"${aws:PrincipalTag/x}"'],
  ])('sub %p is rejected before any call with a clear error', async (sub, shown) => {
    const time = fakeClock();
    const error = await ensureAppInstanceUser(deps(time), {
      userAttributes: sub === undefined ? {} : { sub },
      deadline: time.now() + 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidUserSubError);
    expect((error as Error).message).toContain("user attribute 'sub'");
    expect((error as Error).message).toContain(shown);
    expect(chime).not.toHaveReceivedAnyCommand();
  });
});

describe('appInstanceUserIdFromSub', () => {
  test('accepts a Cognito sub unchanged (it must equal the principal tag value)', () => {
    expect(appInstanceUserIdFromSub(SUB)).toBe(SUB);
  });
  test('accepts any UUID', () => {
    fc.assert(fc.property(fc.uuid(), (uuid) => appInstanceUserIdFromSub(uuid) === uuid));
  });
});

describe('isRetryableChimeError', () => {
  test.each([
    [throttled(), true],
    [new ServiceFailureException({ message: 'x', $metadata: {} }), true],
    [Object.assign(new Error('socket'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('too many'), { $metadata: { httpStatusCode: 429 } }), true],
    [Object.assign(new Error('bad gateway'), { $metadata: { httpStatusCode: 502 } }), true],
    [new ForbiddenException({ message: 'x', $metadata: { httpStatusCode: 403 } }), false],
    [new BadRequestException({ message: 'x', $metadata: { httpStatusCode: 400 } }), false],
    ['a string', false],
  ])('%p -> %p', (error, expected) => {
    expect(isRetryableChimeError(error)).toBe(expected);
  });
});

describe('display Name', () => {
  test('prefers name, then preferred_username, then given+family, then nickname', () => {
    expect(displayNameFromAttributes({ name: 'A', preferred_username: 'b' }, SUB)).toBe('A');
    expect(displayNameFromAttributes({ preferred_username: 'b', given_name: 'C' }, SUB)).toBe('b');
    expect(displayNameFromAttributes({ given_name: 'Grace', family_name: 'Hopper' }, SUB)).toBe(
      'Grace Hopper',
    );
    expect(displayNameFromAttributes({ nickname: 'gh' }, SUB)).toBe('gh');
  });

  test('never uses the full email address: only its local part', () => {
    const name = displayNameFromAttributes({ email: 'grace.hopper@navy.example' }, SUB);
    expect(name).toBe('grace.hopper');
    expect(name).not.toContain('@');
  });

  test('falls back to a sub-based name when the profile has nothing visible', () => {
    expect(displayNameFromAttributes({ name: ' \n\t ', nickname: '\u200B\u200D' }, SUB)).toBe(
      'User 3f9a1c2e',
    );
  });

  test('removes line breaks, controls and bidi overrides, collapses whitespace', () => {
    expect(sanitizeDisplayName('  Ada\r\n\u2028Love\u0000lace\u202E  ')).toBe('Ada Love lace');
  });

  test('truncates at a grapheme boundary, never splitting an emoji', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // 8 UTF-16 units, one grapheme
    const name = sanitizeDisplayName('a'.repeat(95) + family);
    expect(name).toBe('a'.repeat(95));
  });

  test('property: any profile yields a Name the API accepts', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 150 }),
      fc.string({ unit: 'binary', maxLength: 150 }),
      fc.string({
        unit: fc.constantFrom(
          ' ',
          '\n',
          '\r',
          '\t',
          '\u2028',
          '\u200B',
          '\u202E',
          'a',
          '😀',
          '\uD800',
        ),
        maxLength: 120,
      }),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            name: text,
            preferred_username: text,
            given_name: text,
            family_name: text,
            nickname: text,
            email: text,
          },
          { requiredKeys: [] },
        ),
        fc.uuid(),
        (attributes, sub) => {
          const name = displayNameFromAttributes(attributes, sub);
          expect(name.length).toBeGreaterThanOrEqual(1);
          expect(name.length).toBeLessThanOrEqual(NAME_MAX_LENGTH);
          expect(name).toMatch(API_NAME_PATTERN);
          expect(WELL_FORMED(name)).toBe(true);
          expect(name).toBe(name.trim());
          if (attributes.email?.includes('@')) expect(name).not.toBe(attributes.email);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the default token is a new UUID per call, valid for the API', async () => {
    chime.on(CreateAppInstanceUserCommand).resolves({});
    const time = fakeClock();
    for (let i = 0; i < 3; i += 1) {
      await ensureAppInstanceUser(deps(time), {
        userAttributes: { sub: SUB },
        deadline: time.now() + 2000,
      });
    }
    const tokens = chime
      .commandCalls(CreateAppInstanceUserCommand)
      .map((call) => call.args[0].input.ClientRequestToken ?? '');
    expect(tokens.every((t) => API_TOKEN_PATTERN.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(3);
  });
});
