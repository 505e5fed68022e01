import fc from 'fast-check';
import {
  APP_INSTANCE_ARN_PATTERN,
  appInstanceChannelsArn,
  appInstanceUserArn,
  appInstanceUsersArn,
  assertAppInstanceArn,
  assertAppInstanceUserId,
  channelArn,
  CHANNEL_ID_PATTERN,
  isAppInstanceArn,
  isAppInstanceUserId,
  parseAppInstanceUserArn,
  parseChannelArn,
  parseChannelFlowArn,
} from '../../contracts/chime-arns';

/*
 * The patterns as the Chime SDK API reference prints them (CreateAppInstanceUser AppInstanceUserId,
 * CreateChannel ChannelId, and the ChimeArn shape every ARN member has), copied verbatim.
 */
const REFERENCE_ID = new RegExp(String.raw`^[A-Za-z0-9]([A-Za-z0-9\:\-\_\.\@]{0,62}[A-Za-z0-9])?$`);
const REFERENCE_CHIME_ARN = new RegExp(
  String.raw`^arn:[a-z0-9-\.]{1,63}:[a-z0-9-\.]{0,63}:[a-z0-9-\.]{0,63}:[a-z0-9-\.]{0,63}:[^/].{0,1023}$`,
);
const isReferenceId = (s: string) => s.length >= 1 && s.length <= 64 && REFERENCE_ID.test(s);
const isReferenceChimeArn = (s: string) =>
  s.length >= 5 && s.length <= 1600 && REFERENCE_CHIME_ARN.test(s);

const APP_INSTANCE = 'arn:aws:chime:us-east-1:111122223333:app-instance/4f6e2a51-8d2b-4c1e-9a57';

/** Ids drawn from the id alphabet, so the property tests hit valid ids often. */
const idLike = fc.string({
  unit: fc.constantFrom(...'aZ09:-_.@/ é'.split('')),
  minLength: 0,
  maxLength: 70,
});

describe('AppInstanceUserId and ChannelId', () => {
  test('accept exactly what the API reference accepts', () => {
    fc.assert(
      fc.property(fc.oneof(idLike, fc.string()), (s) => {
        expect(isAppInstanceUserId(s)).toBe(isReferenceId(s));
        expect(CHANNEL_ID_PATTERN.test(s)).toBe(isReferenceId(s));
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['a', true],
    ['4f6e2a51-8d2b-4c1e-9a57-0c1f3f0b7e21', true],
    ['user:1-2_3.4@x', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['-a', false],
    ['a.', false],
    ['a/b', false],
    ['a b', false],
  ])('%p is an id: %p', (id, valid) => {
    expect(isAppInstanceUserId(id)).toBe(valid);
  });

  test('non-strings are not ids', () => {
    expect(isAppInstanceUserId(42)).toBe(false);
    expect(isAppInstanceUserId(undefined)).toBe(false);
  });
});

describe('AppInstance ARN', () => {
  test.each([
    [APP_INSTANCE, true],
    ['arn:aws-cn:chime:cn-north-1:111122223333:app-instance/abc-123', true],
    ['arn:aws:chime:us-east-1:111122223333:app-instance/a_b', false],
    ['arn:aws:chime:us-east-1:111122223333:app-instance/', false],
    ['arn:aws:chime:us-east-1:1111:app-instance/abc', false],
    [`${APP_INSTANCE}/user/u-1`, false],
    ['arn:aws:s3:::bucket', false],
  ])('%p is an AppInstance ARN: %p', (arn, valid) => {
    expect(isAppInstanceArn(arn)).toBe(valid);
  });

  test('every accepted AppInstance ARN is an ARN the API accepts', () => {
    fc.assert(
      fc.property(fc.stringMatching(APP_INSTANCE_ARN_PATTERN), (arn) => {
        expect(isReferenceChimeArn(arn)).toBe(true);
      }),
    );
  });
});

describe('builders and parsers', () => {
  test('user and channel ARNs round-trip, and are the API reference ARN shape', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/);
    fc.assert(
      fc.property(id, (userId) => {
        const user = appInstanceUserArn(APP_INSTANCE, userId);
        const channel = channelArn(APP_INSTANCE, userId);
        expect(parseAppInstanceUserArn(user)).toEqual({ appInstanceArn: APP_INSTANCE, id: userId });
        expect(parseChannelArn(channel)).toEqual({ appInstanceArn: APP_INSTANCE, id: userId });
        expect(isReferenceChimeArn(user)).toBe(true);
        expect(isReferenceChimeArn(channel)).toBe(true);
      }),
    );
  });

  test('one kind of ARN is never parsed as another', () => {
    const user = appInstanceUserArn(APP_INSTANCE, 'u-1');
    expect(parseChannelArn(user)).toBeUndefined();
    expect(parseChannelFlowArn(user)).toBeUndefined();
    expect(parseAppInstanceUserArn(channelArn(APP_INSTANCE, 'c-1'))).toBeUndefined();
    expect(parseChannelFlowArn(`${APP_INSTANCE}/channel-flow/f-1`)).toEqual({
      appInstanceArn: APP_INSTANCE,
      id: 'f-1',
    });
    expect(parseAppInstanceUserArn(`${APP_INSTANCE}/user/bad/id`)).toBeUndefined();
  });

  test('IAM resources name every user and every channel of one AppInstance', () => {
    expect(appInstanceUsersArn(APP_INSTANCE)).toBe(`${APP_INSTANCE}/user/*`);
    expect(appInstanceChannelsArn(APP_INSTANCE)).toBe(`${APP_INSTANCE}/channel/*`);
  });

  test('builders pass tokens and policy variables through untouched', () => {
    expect(appInstanceUserArn('${Token[X.1]}', '${aws:PrincipalTag/k}')).toBe(
      '${Token[X.1]}/user/${aws:PrincipalTag/k}',
    );
  });
});

describe('assertions', () => {
  class ConfigError extends Error {}

  test('throw the caller error class, naming the value and showing it', () => {
    expect(() => assertAppInstanceArn('appInstanceArn', 'arn:aws:s3:::b', ConfigError)).toThrow(
      new ConfigError(`'appInstanceArn' is not an AppInstance ARN: "arn:aws:s3:::b"`),
    );
    expect(() => assertAppInstanceUserId('sub', 'a/b', ConfigError)).toThrow(ConfigError);
    expect(() => assertAppInstanceUserId('sub', 'a/b', ConfigError)).toThrow(
      /'sub' is not an AppInstanceUserId \(1-64 characters/,
    );
  });

  test('accept valid values and narrow them', () => {
    const value: unknown = APP_INSTANCE;
    assertAppInstanceArn('appInstanceArn', value, ConfigError);
    const narrowed: string = value;
    expect(narrowed).toBe(APP_INSTANCE);
  });
});
