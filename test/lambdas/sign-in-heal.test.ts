import { TEST_APP_INSTANCE_ARN } from './support/trigger-env';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-chime-sdk-identity';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/sign-in-heal';
import { logger } from '../../lambdas/lib/logger';
import { metrics } from '../../lambdas/lib/metrics';
import { fakeChimeUsers } from './support/fake-chime';
import { onFakeClock } from './support/fake-clock';
import {
  FEDERATED_USER_ATTRIBUTES,
  USER_SUB,
  lambdaContext,
  postAuthenticationEvent,
  preTokenGenerationEvent,
} from '../../testing/lambdas/trigger-events';

const chime = mockClient(ChimeSDKIdentityClient);
const USER_ARN = `${TEST_APP_INSTANCE_ARN}/user/${USER_SUB}`;
const invoke = <E extends Parameters<typeof handler>[0]>(
  event: E = postAuthenticationEvent() as E,
  context = lambdaContext(),
) => handler(event, context);

let errorLog: jest.SpyInstance;
beforeEach(() => {
  chime.reset();
  errorLog = jest.spyOn(logger, 'error');
});
afterEach(() => jest.restoreAllMocks());

test('administrator-created user: healed on first sign-in', async () => {
  // GIVEN a user post-confirmation never saw (AdminCreateUser): no AppInstanceUser
  const users = fakeChimeUsers(chime);
  expect(users.size).toBe(0);

  // WHEN they sign in
  const event = postAuthenticationEvent();
  const result = await invoke(event);

  // THEN their AppInstanceUser exists, named from the profile, and the sign-in goes on
  expect(result).toBe(event);
  expect(users.get(USER_ARN)?.name).toBe('Grace Hopper');
  expect(errorLog).not.toHaveBeenCalled();
});

test('a user who already has one: exactly one Chime call per sign-in, nothing created', async () => {
  const users = fakeChimeUsers(chime);
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const info = jest.spyOn(logger, 'info');

  await invoke(); // the first sign-in heals (creates)
  await invoke(); // later sign-ins find the user
  await invoke();

  expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 3);
  expect(chime.calls()).toHaveLength(3);
  expect(users.size).toBe(1);
  // Created once: the metric and the INFO line, never for the sign-ins of an existing user.
  expect(addMetric.mock.calls.filter(([name]) => name === 'AppInstanceUserCreated')).toHaveLength(
    1,
  );
  expect(info.mock.calls.filter(([msg]) => msg === 'AppInstanceUser created')).toHaveLength(1);
});

test('Chime down: the sign-in still succeeds within the budget, the error is logged', async () => {
  chime
    .on(CreateAppInstanceUserCommand)
    .rejects(
      new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }),
    );
  const event = postAuthenticationEvent();
  const { result, elapsedMs } = await onFakeClock(() => invoke(event));

  expect(result).toBe(event);
  expect(elapsedMs).toBeLessThan(2000);
  expect(errorLog).toHaveBeenCalledWith(
    expect.stringContaining('could not be created'),
    expect.objectContaining({ trigger: 'PostAuthentication', appInstanceUserId: USER_SUB }),
  );
});

test('Chime hanging: the sign-in goes on at the budget, without waiting for an answer', async () => {
  chime.on(CreateAppInstanceUserCommand).callsFake(() => new Promise(() => undefined)); // never settles
  const event = postAuthenticationEvent();
  const { result, elapsedMs } = await onFakeClock(() => invoke(event));

  expect(result).toBe(event);
  expect(elapsedMs).toBeGreaterThanOrEqual(1400);
  expect(elapsedMs).toBeLessThan(2500);
  expect(errorLog).toHaveBeenCalledWith(
    expect.any(String),
    expect.objectContaining({ errorName: 'DeadlineExceeded' }),
  );
});

test('a federated user: post authentication makes no call (their sign-in reports TokenGeneration_HostedAuth)', async () => {
  fakeChimeUsers(chime);
  const event = postAuthenticationEvent(FEDERATED_USER_ATTRIBUTES);

  expect(await invoke(event)).toBe(event);
  expect(chime).not.toHaveReceivedAnyCommand();
});

test('a password user linked to a provider (status CONFIRMED) is still healed at an API sign-in', async () => {
  const users = fakeChimeUsers(chime);
  const linked = {
    sub: USER_SUB,
    email: 'grace@example.com',
    email_verified: 'true',
    'cognito:user_status': 'CONFIRMED',
    name: 'Grace Hopper',
    identities: FEDERATED_USER_ATTRIBUTES.identities,
  };

  await invoke(postAuthenticationEvent(linked));

  expect(users.get(USER_ARN)?.name).toBe('Grace Hopper');
});

test('malformed sub: logged, the sign-in is not blocked', async () => {
  const event = postAuthenticationEvent({ sub: '' });

  const result = await invoke(event);

  expect(result).toBe(event);
  expect(chime).not.toHaveReceivedAnyCommand();
  expect(errorLog).toHaveBeenCalledWith(
    'AppInstanceUser check skipped',
    expect.objectContaining({ errorName: 'InvalidUserSubError' }),
  );
});

describe('pre token generation', () => {
  test('a local user signing in on the managed login pages is healed', async () => {
    const users = fakeChimeUsers(chime);
    const event = preTokenGenerationEvent('TokenGeneration_HostedAuth');

    const result = await invoke(event);

    expect(result).toBe(event);
    expect(result.response).toEqual({ claimsOverrideDetails: {} });
    expect(users.get(USER_ARN)?.name).toBe('Grace Hopper');
  });

  test('a federated user signing in through their provider is healed, named from mapped attributes', async () => {
    const users = fakeChimeUsers(chime);
    const event = preTokenGenerationEvent('TokenGeneration_HostedAuth', FEDERATED_USER_ATTRIBUTES);

    const result = await invoke(event);

    expect(result).toBe(event);
    expect(result.response).toEqual({ claimsOverrideDetails: {} });
    expect(users.get(USER_ARN)?.name).toBe('Fed User');
  });

  test.each([
    'TokenGeneration_RefreshTokens',
    'TokenGeneration_Authentication',
    'TokenGeneration_NewPasswordChallenge',
    'TokenGeneration_AuthenticateDevice',
  ] as const)('%s: returns at once, no Chime call', async (source) => {
    fakeChimeUsers(chime);
    const event = preTokenGenerationEvent(source);

    expect(await invoke(event)).toBe(event);
    expect(chime).not.toHaveReceivedAnyCommand();
  });
});
