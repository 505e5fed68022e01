/**
 * A federated person's AppInstanceUser across the trigger sources Cognito runs for them, in the
 * order the Cognito developer guide lists for federated users (docs/triggers.md): first sign-in
 * `PreSignUp_ExternalProvider`, `PostConfirmation_ConfirmSignUp`, `TokenGeneration_HostedAuth`;
 * later sign-ins `PreAuthentication_Authentication`, `PostAuthentication_Authentication`,
 * `TokenGeneration_HostedAuth`. Both deployed handlers, one fake AppInstance.
 */
import { TEST_APP_INSTANCE_ARN } from './support/trigger-env';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-chime-sdk-identity';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as postConfirmation } from '../../lambdas/post-confirmation';
import { handler as signInHeal } from '../../lambdas/sign-in-heal';
import { fakeChimeUsers } from './support/fake-chime';
import {
  FEDERATED_USER_ATTRIBUTES,
  USER_SUB,
  lambdaContext,
  postAuthenticationEvent,
  postConfirmationEvent,
  preTokenGenerationEvent,
} from '../../testing/lambdas/trigger-events';

const chime = mockClient(ChimeSDKIdentityClient);
const USER_ARN = `${TEST_APP_INSTANCE_ARN}/user/${USER_SUB}`;

async function firstFederatedSignIn() {
  await postConfirmation(
    postConfirmationEvent('PostConfirmation_ConfirmSignUp', FEDERATED_USER_ATTRIBUTES),
    lambdaContext(),
    () => undefined,
  );
  await signInHeal(
    preTokenGenerationEvent('TokenGeneration_HostedAuth', FEDERATED_USER_ATTRIBUTES),
    lambdaContext(),
  );
}

async function laterFederatedSignIn() {
  await signInHeal(postAuthenticationEvent(FEDERATED_USER_ATTRIBUTES), lambdaContext());
  await signInHeal(
    preTokenGenerationEvent('TokenGeneration_HostedAuth', FEDERATED_USER_ATTRIBUTES),
    lambdaContext(),
  );
}

beforeEach(() => chime.reset());

test('first sign-in creates exactly one AppInstanceUser, named from the mapped attributes', async () => {
  const users = fakeChimeUsers(chime);

  await firstFederatedSignIn();

  expect([...users.keys()]).toEqual([USER_ARN]);
  expect(users.get(USER_ARN)?.name).toBe('Fed User');
  // Post confirmation creates it; the token-generation heal finds it (ConflictException).
  expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 2);
});

test('later sign-ins: one Chime call each, nothing created', async () => {
  const users = fakeChimeUsers(chime);
  await firstFederatedSignIn();
  chime.resetHistory();

  await laterFederatedSignIn();
  await laterFederatedSignIn();

  expect(users.size).toBe(1);
  expect(chime).toHaveReceivedCommandTimes(CreateAppInstanceUserCommand, 2);
});

test('post confirmation failed at the first sign-in: the same sign-in heals it', async () => {
  chime
    .on(CreateAppInstanceUserCommand)
    .rejects(
      new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }),
    );
  // A short function timeout: post confirmation gives up (and logs) within ~300 ms.
  await postConfirmation(
    postConfirmationEvent('PostConfirmation_ConfirmSignUp', FEDERATED_USER_ATTRIBUTES),
    lambdaContext(700),
    () => undefined,
  );
  chime.reset();
  const users = fakeChimeUsers(chime);

  await signInHeal(
    preTokenGenerationEvent('TokenGeneration_HostedAuth', FEDERATED_USER_ATTRIBUTES),
    lambdaContext(),
  );

  expect(users.get(USER_ARN)?.name).toBe('Fed User');
});
