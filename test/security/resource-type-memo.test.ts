/**
 * The memo of iam-utils' resource-type matchers (sandbox/iam/resource-type-memo.ts): it is in the
 * path iam-simulate takes, and it answers exactly what the library computes.
 */
import type * as IamUtilsModule from '@cloud-copilot/iam-utils';
import { evaluateIdentityRequest } from '../../sandbox/iam/evaluate';
import { resourceTypeMemoStats } from '../../sandbox/iam/resource-type-memo';

type IamUtils = typeof IamUtilsModule;

/** iam-utils as the library ships it: a copy of the module the memo has not touched. */
function unpatchedIamUtils(): IamUtils {
  let fresh: IamUtils | undefined;
  jest.isolateModules(() => {
    fresh = jest.requireActual<IamUtils>('@cloud-copilot/iam-utils');
  });
  return fresh!;
}

const ACCOUNT = '123456789012';
const INSTANCE = `arn:aws:chime:us-east-1:${ACCOUNT}:app-instance/0c9b1f1e-1111-4a4a-9b9b-222222222222`;

/** Resource-type patterns of the Service Authorization Reference, as iam-data lists them. */
const PATTERNS = [
  'arn:${Partition}:chime:${Region}:${AccountId}:app-instance/${AppInstanceId}',
  'arn:${Partition}:chime:${Region}:${AccountId}:app-instance/${AppInstanceId}/user/${AppInstanceUserId}',
  'arn:${Partition}:chime:${Region}:${AccountId}:app-instance/${AppInstanceId}/channel/${ChannelId}',
  'arn:${Partition}:chime:${Region}:${AccountId}:app-instance/${AppInstanceId}/bot/${AppInstanceBotId}',
  'arn:${Partition}:s3:::${BucketName}',
  'arn:${Partition}:s3:::${BucketName}/${ObjectName}',
  'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}',
  'arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}',
];

const RESOURCES = [
  '*',
  INSTANCE,
  `${INSTANCE}/user/alice`,
  `${INSTANCE}/user/*`,
  `${INSTANCE}/channel/abc`,
  `${INSTANCE}/channel/abc/extra`,
  `${INSTANCE}/bot/b?t`,
  'arn:aws:chime:*:*:app-instance/*',
  'arn:aws:s3:::bucket',
  'arn:aws:s3:::bucket/key/with/slashes',
  'arn:aws:s3:::*',
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/RateLimits`,
  `arn:aws:iam::${ACCOUNT}:role/path/to/Role`,
  `arn:aws:sts::${ACCOUNT}:assumed-role/Role/session`,
];

test('iam-simulate goes through the memo: a repeated request is answered from it', async () => {
  const request = {
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'chime:SendChannelMessage',
            Resource: `${INSTANCE}/channel/*`,
          },
        ],
      },
    ],
    action: 'chime:SendChannelMessage',
    resource: `${INSTANCE}/channel/memo-${Date.now()}`,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Role/session`,
  } as const;

  const first = await evaluateIdentityRequest(request);
  const afterFirst = resourceTypeMemoStats();
  const second = await evaluateIdentityRequest(request);
  const afterSecond = resourceTypeMemoStats();

  expect(afterFirst.installed).toBe(true);
  expect(first.decision).toBe('Allowed');
  expect(second).toEqual(first);
  expect(afterSecond.misses).toBe(afterFirst.misses);
  expect(afterSecond.hits).toBeGreaterThan(afterFirst.hits);
});

test('the memoized matchers answer what iam-utils computes, first time and from the memo', () => {
  const patched = jest.requireActual<IamUtils>('@cloud-copilot/iam-utils');
  const original = unpatchedIamUtils();
  expect(patched.mostSpecificMatchingResourceTypePatterns).not.toBe(
    original.mostSpecificMatchingResourceTypePatterns,
  );

  // Each answer beside its arguments, so that a difference names the case.
  const answers = (utils: IamUtils) =>
    RESOURCES.flatMap((resource) => [
      // The same resource against other candidate lists (other actions) has other answers.
      ...[PATTERNS, PATTERNS.slice(0, 2), PATTERNS.slice(1, 4).reverse()].map((patterns) => ({
        resource,
        patterns,
        mostSpecific: utils.mostSpecificMatchingResourceTypePatterns(resource, patterns),
      })),
      ...PATTERNS.map((pattern) => ({
        resource,
        pattern,
        matches: utils.resourceStringMatchesResourceTypePattern(resource, pattern),
      })),
    ]);
  const expected = answers(original);

  expect(answers(patched)).toEqual(expected); // computed
  expect(answers(patched)).toEqual(expected); // remembered
});

test('a remembered answer cannot be changed by the code that reads it', () => {
  const patched = jest.requireActual<IamUtils>('@cloud-copilot/iam-utils');
  const resource = `${INSTANCE}/user/frozen`;
  const answer = patched.mostSpecificMatchingResourceTypePatterns(resource, PATTERNS);

  expect(() => answer.push('arn:aws:s3:::injected')).toThrow(TypeError);
  expect(patched.mostSpecificMatchingResourceTypePatterns(resource, PATTERNS)).toEqual([
    PATTERNS[1],
  ]);
});
