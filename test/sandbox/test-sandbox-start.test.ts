/**
 * What a test sandbox's start does not spend time on (sandbox/testing.ts): modules only some paths
 * need (cognito-local's KMS crypto, for the custom sender triggers the sandbox does not run, pulls
 * in AWS SDK v2 and the AWS Encryption SDK; selfsigned only makes certificates; dynalite and the
 * DynamoDB client only serve the rate-limited routes, from their first call), and RSA key
 * generation (a temporary state directory starts with the shared test keys).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestSandbox } from '../../sandbox/testing';

const mockLoaded = jest.fn<void, [string]>();
jest.mock('cognito-local/lib/services/crypto', () => {
  mockLoaded('cognito-local/lib/services/crypto');
  return jest.requireActual<object>('cognito-local/lib/services/crypto');
});
jest.mock('aws-sdk', () => {
  mockLoaded('aws-sdk');
  return jest.requireActual<object>('aws-sdk');
});
jest.mock('selfsigned', () => {
  mockLoaded('selfsigned');
  return jest.requireActual<object>('selfsigned');
});
jest.mock('dynalite', () => {
  mockLoaded('dynalite');
  return jest.requireActual<object>('dynalite');
});
jest.mock('@aws-sdk/client-dynamodb', () => {
  mockLoaded('@aws-sdk/client-dynamodb');
  return jest.requireActual<object>('@aws-sdk/client-dynamodb');
});

let sandbox: TestSandbox;
let keys: string;

beforeAll(async () => {
  // Imported here, not above: jest.mock factories run on import and need mockLoaded to exist.
  const { startTestSandbox, TEST_ASSEMBLY_CACHE } = await import('../../sandbox/testing');
  keys = join(TEST_ASSEMBLY_CACHE, 'test-state-keys');
  if (!['signing-key.json', 'hosted-ui/cert.pem'].every((file) => existsSync(join(keys, file)))) {
    // The first test sandbox on this machine makes the shared keys (and loads selfsigned for
    // that): let it, in a process of its own, so what is checked is the start of every later one,
    // whichever test file runs first.
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `require('./sandbox/testing').startTestSandbox().then((s) => s.stop())`,
      ],
      { cwd: join(__dirname, '..', '..') },
    );
  }
  sandbox = await startTestSandbox();
}, 120_000);

afterAll(() => sandbox?.stop());

test('a start, a sign-up and a sign-in load neither AWS SDK v2, cognito-local KMS crypto, selfsigned nor DynamoDB', async () => {
  const user = await sandbox.signUpUser('lazy@example.com');
  const session = await sandbox.signIn(user);
  expect(session.idToken).toBeTruthy();
  expect(mockLoaded).not.toHaveBeenCalled();
});

test('its temporary state starts with the shared test keys: none generated', async () => {
  const seeded = JSON.parse(readFileSync(join(keys, 'signing-key.json'), 'utf8')) as {
    kid: string;
  };
  const jwks = (await (
    await fetch(`${sandbox.url}/${sandbox.config.userPoolId}/.well-known/jwks.json`)
  ).json()) as { keys: { kid: string }[] };
  expect(jwks.keys.map((k) => k.kid)).toEqual([seeded.kid]);
  expect(sandbox.hostedUi!.certificate).toMatchObject({
    created: false,
    cert: readFileSync(join(keys, 'hosted-ui', 'cert.pem'), 'utf8'),
  });
});
