import {
  UnsupportedPatternError,
  assertSupportedPattern,
  matchesPattern,
} from '../../sandbox/services/eventbridge/pattern';

const event = {
  source: 'aws.cognito-idp',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventName: 'AdminDeleteUser',
    requestParameters: { userPoolId: 'pool-1' },
    tags: ['a', 'b'],
    count: 3,
    flag: false,
  },
};

describe('matchesPattern', () => {
  it.each([
    [{ source: ['aws.cognito-idp'] }, true],
    [{ source: ['aws.s3', 'aws.cognito-idp'] }, true],
    [{ source: ['aws.s3'] }, false],
    [
      { detail: { eventName: ['AdminDeleteUser'], requestParameters: { userPoolId: ['pool-1'] } } },
      true,
    ],
    [{ detail: { requestParameters: { userPoolId: ['pool-2'] } } }, false],
    [{ detail: { missing: { deeper: ['x'] } } }, false],
    [{ detail: { tags: ['b'] } }, true],
    [{ detail: { count: [3], flag: [false] } }, true],
    [{ detail: { count: ['3'] } }, false],
    [{ detail: { eventName: [{ prefix: 'Admin' }] } }, true],
    [{ detail: { eventName: [{ suffix: 'User' }] } }, true],
    [{ detail: { eventName: [{ 'equals-ignore-case': 'admindeleteuser' }] } }, true],
    [{ detail: { eventName: [{ 'anything-but': ['DeleteUser'] }] } }, true],
    [{ detail: { eventName: [{ 'anything-but': 'AdminDeleteUser' }] } }, false],
    [{ detail: { errorCode: [{ exists: false }] } }, true],
    [{ detail: { errorCode: [{ exists: true }] } }, false],
    [
      {
        detail: {
          $or: [
            { requestParameters: { userPoolId: ['other'] } },
            { eventName: ['AdminDeleteUser'] },
          ],
        },
      },
      true,
    ],
    [
      {
        detail: {
          $or: [{ requestParameters: { userPoolId: ['other'] } }, { eventName: ['DeleteUser'] }],
        },
      },
      false,
    ],
  ])('%j -> %s', (pattern, expected) => {
    assertSupportedPattern(pattern);
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('matches nothing against a non-object event', () => {
    expect(matchesPattern({ source: ['x'] }, 'x')).toBe(false);
  });
});

describe('assertSupportedPattern', () => {
  it.each([
    [{ detail: { n: [{ numeric: ['>', 0] }] } }, 'numeric'],
    [{ detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, 'cidr'],
    [{ detail: { $or: [] } }, '$or'],
    [{ detail: { x: [{ prefix: 'a', suffix: 'b' }] } }, 'prefix'],
  ])('refuses %j instead of mis-matching', (pattern, word) => {
    expect(() => assertSupportedPattern(pattern)).toThrow(UnsupportedPatternError);
    expect(() => assertSupportedPattern(pattern)).toThrow(word);
  });
});
