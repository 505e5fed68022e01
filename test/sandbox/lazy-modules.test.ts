/**
 * What a sandbox start does not load: cognito-local's KMS crypto (for the custom sender triggers,
 * which the sandbox does not run) pulls in AWS SDK v2 and the AWS Encryption SDK, about half a
 * second of every start; the user pool loads it only on first use.
 */
const mockLoaded = jest.fn<void, [string]>();
jest.mock('cognito-local/lib/services/crypto', () => {
  mockLoaded('cognito-local/lib/services/crypto');
  return jest.requireActual<object>('cognito-local/lib/services/crypto');
});
jest.mock('aws-sdk', () => {
  mockLoaded('aws-sdk');
  return jest.requireActual<object>('aws-sdk');
});

test('a start, a sign-up and a sign-in load neither AWS SDK v2 nor cognito-local KMS crypto', async () => {
  // Imported here, not above: jest.mock factories run on import and need mockLoaded to exist.
  const { startTestSandbox } = await import('../../sandbox/testing');
  const sandbox = await startTestSandbox();
  try {
    const user = await sandbox.signUpUser('lazy@example.com');
    const session = await sandbox.signIn(user);
    expect(session.idToken).toBeTruthy();
  } finally {
    await sandbox.stop();
  }
  expect(mockLoaded).not.toHaveBeenCalled();
}, 60_000);
