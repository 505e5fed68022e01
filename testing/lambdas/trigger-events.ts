import type {
  Context,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreTokenGenerationTriggerEvent,
} from 'aws-lambda';

export const USER_SUB = '7d2f0c1a-5b3e-4c6d-8e9f-0a1b2c3d4e5f';

const common = {
  version: '1',
  region: 'us-east-1',
  userPoolId: 'us-east-1_TestPool1',
  userName: USER_SUB,
  callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: 'testclientid' },
};

export function postConfirmationEvent(
  triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp',
  userAttributes: Record<string, string> = {
    sub: USER_SUB,
    email: 'ada@example.com',
    email_verified: 'true',
    'cognito:user_status': 'CONFIRMED',
    preferred_username: 'ada',
  },
): PostConfirmationTriggerEvent {
  return { ...common, triggerSource, request: { userAttributes }, response: {} };
}

/** Sign-in of a user an administrator created (first sign-in, after NEW_PASSWORD_REQUIRED). */
export function postAuthenticationEvent(
  userAttributes: Record<string, string> = {
    sub: USER_SUB,
    email: 'grace@example.com',
    email_verified: 'true',
    'cognito:user_status': 'CONFIRMED',
    name: 'Grace Hopper',
  },
): PostAuthenticationTriggerEvent {
  return {
    ...common,
    triggerSource: 'PostAuthentication_Authentication',
    request: { userAttributes, newDeviceUsed: false },
    response: {},
  };
}

/** Pre token generation (V1 event), e.g. a managed login sign-in or a token refresh. */
export function preTokenGenerationEvent(
  triggerSource: PreTokenGenerationTriggerEvent['triggerSource'],
  userAttributes: Record<string, string> = {
    sub: USER_SUB,
    email: 'grace@example.com',
    'cognito:user_status': 'CONFIRMED',
    name: 'Grace Hopper',
  },
): PreTokenGenerationTriggerEvent {
  return {
    ...common,
    triggerSource,
    request: { userAttributes, groupConfiguration: { groupsToOverride: [] } },
    response: { claimsOverrideDetails: {} },
  };
}

/** A federated user's attributes (an external IdP linked through managed login). */
export const FEDERATED_USER_ATTRIBUTES = {
  sub: USER_SUB,
  'cognito:user_status': 'EXTERNAL_PROVIDER',
  identities:
    '[{"providerName":"Google","providerType":"Google","userId":"1234","primary":"true"}]',
  name: 'Fed User',
};

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export function lambdaContext(timeoutMs = 4000): Context {
  const start = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-trigger',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-trigger',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/test-trigger',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - start)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
