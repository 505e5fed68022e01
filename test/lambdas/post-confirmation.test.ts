import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { TEST_APP_INSTANCE_ARN } from './support/trigger-env';
import {
  ChimeSDKIdentityClient,
  ConflictException,
  CreateAppInstanceUserCommand,
  ForbiddenException,
  ServiceUnavailableException,
  ThrottledClientException,
} from '@aws-sdk/client-chime-sdk-identity';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lambdas/post-confirmation';
import { logger } from '../../lambdas/lib/logger';
import { metrics } from '../../lambdas/lib/metrics';
import { fakeChimeUsers } from './support/fake-chime';
import { onFakeClock } from './support/fake-clock';
import {
  USER_SUB,
  lambdaContext,
  postConfirmationEvent,
} from '../../testing/lambdas/trigger-events';

const chime = mockClient(ChimeSDKIdentityClient);
const USER_ARN = `${TEST_APP_INSTANCE_ARN}/user/${USER_SUB}`;
/** The handler's result (the aws-lambda `Handler` type says `void | Promise<any>`). */
const invoke = async (event = postConfirmationEvent(), context = lambdaContext()) =>
  (await handler(event, context, () => undefined)) as PostConfirmationTriggerEvent;

let errorLog: jest.SpyInstance;
let addMetric: jest.SpyInstance;
beforeEach(() => {
  chime.reset();
  errorLog = jest.spyOn(logger, 'error');
  addMetric = jest.spyOn(metrics, 'addMetric');
});
afterEach(() => jest.restoreAllMocks());

test('confirmed sign-up: creates the AppInstanceUser and returns the event unchanged', async () => {
  // GIVEN
  const users = fakeChimeUsers(chime);
  const event = postConfirmationEvent();
  const before = structuredClone(event);

  // WHEN
  const result = await invoke(event);

  // THEN
  expect(result).toEqual(before);
  expect([...users.keys()]).toEqual([USER_ARN]);
  expect(users.get(USER_ARN)?.name).toBe('ada');
  expect(addMetric).toHaveBeenCalledWith('AppInstanceUserCreated', 'Count', 1);
  expect(errorLog).not.toHaveBeenCalled();
});

test('three retried invocations of the same confirmation create exactly one user, counted once', async () => {
  const users = fakeChimeUsers(chime);
  const event = postConfirmationEvent();
  const info = jest.spyOn(logger, 'info');
  const debug = jest.spyOn(logger, 'debug');

  for (let i = 0; i < 3; i += 1) await invoke(structuredClone(event));

  expect(users.size).toBe(1);
  expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 3);
  // Each invocation its own token: the retries see Conflict, not the idempotent success.
  const tokens = chime
    .commandCalls(CreateAppInstanceUserCommand)
    .map((call) => call.args[0].input.ClientRequestToken);
  expect(new Set(tokens).size).toBe(3);
  const created = addMetric.mock.calls.filter(([name]) => name === 'AppInstanceUserCreated');
  expect(created).toHaveLength(1);
  expect(info.mock.calls.filter(([msg]) => msg === 'AppInstanceUser created')).toHaveLength(1);
  expect(debug.mock.calls.filter(([msg]) => msg === 'AppInstanceUser already exists')).toHaveLength(
    2,
  );
  expect(errorLog).not.toHaveBeenCalled();
});

test('created but the response was lost: the retry sees Conflict, still one user', async () => {
  const users = fakeChimeUsers(chime);
  let calls = 0;
  chime
    .on(CreateAppInstanceUserCommand)
    .callsFake((input: CreateAppInstanceUserCommand['input']) => {
      calls += 1;
      const arn = `${input.AppInstanceArn}/user/${input.AppInstanceUserId}`;
      if (users.has(arn)) throw new ConflictException({ message: 'exists', $metadata: {} });
      users.set(arn, { arn, name: input.Name ?? '', token: input.ClientRequestToken });
      // Created, but the answer never reaches the function.
      throw new ServiceUnavailableException({
        message: 'lost',
        $metadata: { httpStatusCode: 503 },
      });
    });

  await invoke();

  expect(calls).toBe(2);
  expect(users.size).toBe(1);
  expect(errorLog).not.toHaveBeenCalled();
});

test('forgot-password confirmation: no Chime call at all', async () => {
  const result = await invoke(postConfirmationEvent('PostConfirmation_ConfirmForgotPassword'));

  expect(result.triggerSource).toBe('PostConfirmation_ConfirmForgotPassword');
  expect(chime).not.toHaveReceivedAnyCommand();
});

test('throttled twice, then success', async () => {
  chime
    .on(CreateAppInstanceUserCommand)
    .rejectsOnce(
      new ThrottledClientException({ message: 'slow', $metadata: { httpStatusCode: 429 } }),
    )
    .rejectsOnce(
      new ThrottledClientException({ message: 'slow', $metadata: { httpStatusCode: 429 } }),
    )
    .resolves({ AppInstanceUserArn: USER_ARN });

  const { result } = await onFakeClock(() => invoke());

  expect(result.request.userAttributes.sub).toBe(USER_SUB);
  expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 3);
  expect(errorLog).not.toHaveBeenCalled();
});

test('permanent failure: the event is returned, the error logged with the sub, a metric emitted', async () => {
  chime
    .on(CreateAppInstanceUserCommand)
    .rejects(
      new ForbiddenException({ message: 'not allowed', $metadata: { httpStatusCode: 403 } }),
    );

  const result = await invoke();

  expect(result.triggerSource).toBe('PostConfirmation_ConfirmSignUp');
  expect(errorLog).toHaveBeenCalledTimes(1);
  expect(errorLog).toHaveBeenCalledWith(
    expect.stringContaining('could not be created'),
    expect.objectContaining({
      trigger: 'PostConfirmation',
      appInstanceUserId: USER_SUB,
      errorName: 'ForbiddenException',
    }),
  );
  // No email and no whole event in the log line.
  expect(JSON.stringify(errorLog.mock.calls)).not.toContain('ada@example.com');
  expect(addMetric).toHaveBeenCalledWith('AppInstanceUserSyncFailed', 'Count', 1);
});

test('Chime throttling for longer than the budget: answers Cognito in time anyway', async () => {
  chime
    .on(CreateAppInstanceUserCommand)
    .rejects(new ThrottledClientException({ message: 'slow', $metadata: { httpStatusCode: 429 } }));
  const { result, elapsedMs } = await onFakeClock(() =>
    invoke(postConfirmationEvent(), lambdaContext(1500)),
  );

  expect(result.triggerSource).toBe('PostConfirmation_ConfirmSignUp');
  expect(elapsedMs).toBeLessThan(1500);
  expect(errorLog).toHaveBeenCalledWith(
    expect.any(String),
    expect.objectContaining({ errorName: 'ThrottledClientException' }),
  );
});

test.each([
  ['missing', {}],
  ['malformed', { sub: 'not a valid id!' }],
])(
  '%s sub: fails with a clear error naming the attribute, no Chime call',
  async (_, attributes) => {
    await expect(
      invoke(postConfirmationEvent('PostConfirmation_ConfirmSignUp', attributes)),
    ).rejects.toThrow(/user attribute 'sub' must be/);
    expect(chime).not.toHaveReceivedAnyCommand();
  },
);
