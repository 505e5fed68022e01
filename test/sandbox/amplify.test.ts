/**
 * Amplify v6 (what the web demo uses) against the sandbox, configured only from the sandbox's
 * client config: sign-up, confirm, USER_PASSWORD_AUTH sign-in, fetchAuthSession (GetId +
 * GetCredentialsForIdentity at the custom identity pool endpoint, with Amplify's own Logins key).
 */
import { Amplify } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, signIn, signUp } from 'aws-amplify/auth';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  // Amplify warns once per custom endpoint, which is the point here: keep other warnings.
  const warn = console.warn.bind(console);
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('custom Amazon')) warn(...args);
  });
}, 180_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await sandbox?.stop();
});

it('signs up, signs in and gets credentials tagged with the user sub', async () => {
  const { config } = sandbox;
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        identityPoolId: config.identityPoolId,
        userPoolEndpoint: config.endpoints?.userPool,
        identityPoolEndpoint: config.endpoints?.identityPool,
      },
    },
  });
  const email = 'amplify@example.com';
  const password = 'Amplify-Passw0rd!';
  await signUp({ username: email, password, options: { userAttributes: { email } } });
  await confirmSignUp({ username: email, confirmationCode: sandbox.latestCode(email) ?? '' });
  const result = await signIn({
    username: email,
    password,
    options: { authFlowType: config.signInFlow },
  });
  expect(result.isSignedIn).toBe(true);

  const session = await fetchAuthSession();
  expect(session.identityId).toMatch(/^us-east-1:/);
  const issued = sandbox.credentials.find(session.credentials?.accessKeyId ?? '');
  expect(issued?.principalTags).toEqual({ [config.principalTagKey]: session.userSub });
});
