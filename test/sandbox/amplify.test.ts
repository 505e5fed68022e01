/**
 * Amplify v6 (what the web demo uses) against the sandbox, configured only from the sandbox's
 * client config, with its default sign-in flow (USER_SRP_AUTH, as the deployed app client allows):
 * sign-up, confirm, sign-in, fetchAuthSession (GetId + GetCredentialsForIdentity at the custom
 * identity pool endpoint, with Amplify's own Logins key), and the answers a user can meet.
 * Amplify runs in its own Node process (clients/run-client.ts says why).
 */
import { type TestSandbox, TEST_TEMPORARY_PASSWORD, startTestSandbox } from '../../sandbox/testing';
import type { AmplifyInput, AmplifyStep } from './clients/amplify-client';
import { type StepResult, runClient } from './clients/run-client';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
}, 180_000);
afterAll(() => sandbox?.stop());

function amplify(steps: AmplifyStep[]): Promise<StepResult[]> {
  return runClient<AmplifyInput>('amplify-client.ts', {
    config: sandbox.config,
    url: sandbox.url,
    steps,
  });
}

it('signs up, signs in with SRP and gets credentials tagged with the user sub', async () => {
  expect(sandbox.config.signInFlow).toBe('USER_SRP_AUTH');
  const email = 'amplify@example.com';
  const password = 'Amplify-Passw0rd!';
  const [signedUp, confirmed, signedIn, session, attributes] = await amplify([
    { op: 'signUp', email, password, attributes: { name: 'Amy Plify' } },
    { op: 'confirmSignUp', email },
    { op: 'signIn', email, password },
    { op: 'session' },
    { op: 'attributes' },
  ]);
  expect(signedUp?.error).toBeUndefined();
  expect(confirmed?.error).toBeUndefined();
  expect(signedIn?.ok).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const { identityId, userSub, accessKeyId, idToken } = session?.ok as {
    identityId: string;
    userSub: string;
    accessKeyId: string;
    idToken: Record<string, unknown>;
  };
  expect(identityId).toMatch(/^us-east-1:/);
  const issued = sandbox.credentials.find(accessKeyId);
  expect(issued?.principalTags).toEqual({ [sandbox.config.principalTagKey]: userSub });
  // The pool auto-verifies email: confirming with the emailed code verified it.
  expect(idToken).toMatchObject({ email, email_verified: true, name: 'Amy Plify', sub: userSub });
  expect(attributes?.ok).toMatchObject({ email, email_verified: 'true', name: 'Amy Plify' });
}, 150_000);

it('gets Cognito answers for a wrong password and an unknown user', async () => {
  const user = await sandbox.signUpUser('amplify-wrong@example.com');
  const [wrong, unknown] = await amplify([
    { op: 'signIn', email: user.email, password: 'Not-The-Passw0rd!' },
    { op: 'signIn', email: 'nobody-amplify@example.com', password: 'Not-The-Passw0rd!' },
  ]);
  const answer = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };
  expect(wrong?.error).toEqual(answer);
  expect(unknown?.error).toEqual(answer);
}, 150_000);

it('has an administrator-created user choose a new password after SRP', async () => {
  const user = await sandbox.adminCreateUser('amplify-admin-made@example.com');
  const [signedIn, confirmed, session] = await amplify([
    { op: 'signIn', email: user.email, password: TEST_TEMPORARY_PASSWORD },
    { op: 'confirmSignIn', response: 'Chosen-Passw0rd!' },
    { op: 'session' },
  ]);
  expect(signedIn?.ok).toMatchObject({
    isSignedIn: false,
    nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED' },
  });
  expect(confirmed?.ok).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  expect((session?.ok as { userSub: string }).userSub).toBe(user.sub);
  await expect(
    sandbox.signIn({ email: user.email, password: 'Chosen-Passw0rd!' }),
  ).resolves.toMatchObject({ idToken: expect.any(String) });
}, 150_000);
