import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BundledTriggers,
  invokeBundled,
  synthBundledTriggers,
} from './support/bundled-trigger';
import {
  type ChimeIdentityServer,
  startChimeIdentityServer,
} from './support/chime-identity-server';
import {
  USER_SUB,
  postAuthenticationEvent,
  postConfirmationEvent,
} from '../../testing/lambdas/trigger-events';

/**
 * The handlers as CDK bundles them (esbuild, the AWS SDK included), each invocation in a
 * fresh `node` process, against a local HTTP endpoint speaking the Chime identity API. The endpoint
 * is reached only through the standard SDK variables, as the local sandbox does.
 */
const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/bundle-test';
const USER_ARN = `${APP_INSTANCE_ARN}/user/${USER_SUB}`;

let bundles: BundledTriggers;
let chime: ChimeIdentityServer;

beforeAll(() => {
  bundles = synthBundledTriggers(APP_INSTANCE_ARN);
});
afterAll(() => bundles?.dispose());

beforeEach(async () => {
  chime = await startChimeIdentityServer();
});
afterEach(async () => {
  await chime.close();
});

const credentials = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'role-session-token',
};
const endpoint = () => ({ ...credentials, AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY: chime.url });

test('the template carries the AppInstance ARN the bundle needs', () => {
  expect(bundles.postConfirmation.environment.APP_INSTANCE_ARN).toBe(APP_INSTANCE_ARN);
  expect(bundles.postConfirmation.handler).toBe('index.handler');
});

test('the bundles carry their own AWS SDK (nothing required from the runtime)', () => {
  for (const fn of [bundles.postConfirmation, bundles.signInHeal]) {
    const code = readFileSync(join(fn.assetDir, 'index.js'), 'utf8');
    // Only the optional SigV4a signers (loaded in a try/catch, never used here) stay outside.
    expect(code).not.toMatch(/require\(["']@aws-sdk\/(?!signature-v4-crt|signature-v4a)/);
    expect(code).toContain('CreateAppInstanceUser');
  }
});

test('post-confirmation creates the user once across Cognito retries, even when an answer is lost', async () => {
  // GIVEN Chime creates the user on the first call but its answer never arrives
  chime.script = (n) => (n === 1 ? 'create-then-hang' : undefined);
  const event = postConfirmationEvent();

  // WHEN Cognito invokes the trigger, then retries it twice (each time a cold container)
  const first = await invokeBundled(
    bundles.postConfirmation,
    bundles.runtimeNodePath,
    event,
    endpoint(),
    1500,
  );
  const second = await invokeBundled(
    bundles.postConfirmation,
    bundles.runtimeNodePath,
    event,
    endpoint(),
  );
  const third = await invokeBundled(
    bundles.postConfirmation,
    bundles.runtimeNodePath,
    event,
    endpoint(),
  );

  // THEN every invocation answered Cognito with the event, in time
  for (const run of [first, second, third]) {
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual(event);
  }
  expect(first.output).toContain('AppInstanceUserSyncFailed');
  // AND there is exactly one AppInstanceUser, id = sub, created by signed requests (a token per
  // invocation: the retries answer Conflict and count nothing as created)
  expect([...chime.users.keys()]).toEqual([USER_ARN]);
  expect(chime.users.get(USER_ARN)?.name).toBe('ada');
  expect(chime.creates).toHaveLength(3);
  expect(new Set(chime.creates.map((c) => c.ClientRequestToken)).size).toBe(3);
  for (const run of [second, third]) expect(run.output).not.toContain('AppInstanceUserCreated');
  expect(chime.creates.every((c) => c.signed)).toBe(true);
  // AND the logs never hold the email address
  for (const run of [first, second, third]) expect(run.output).not.toContain('ada@example.com');
});

test('throttled twice, then created, within one invocation', async () => {
  chime.script = (n) => (n <= 2 ? { status: 429, error: 'ThrottledClientException' } : undefined);

  const run = await invokeBundled(
    bundles.postConfirmation,
    bundles.runtimeNodePath,
    postConfirmationEvent(),
    endpoint(),
  );

  expect(run.error).toBeUndefined();
  expect(chime.creates).toHaveLength(3);
  expect(chime.users.size).toBe(1);
  const created = run.output.split('\n').find((l) => l.includes('"AppInstanceUser created"'));
  expect(JSON.parse(created ?? '{}')).toMatchObject({
    level: 'INFO',
    appInstanceUserId: USER_SUB,
    attempts: 3,
    trigger: 'PostConfirmation',
  });
});

test('sign-in healing (post authentication) creates a missing AppInstanceUser (generic AWS_ENDPOINT_URL)', async () => {
  const run = await invokeBundled(
    bundles.signInHeal,
    bundles.runtimeNodePath,
    postAuthenticationEvent(),
    { ...credentials, AWS_ENDPOINT_URL: chime.url },
  );

  expect(run.error).toBeUndefined();
  expect(chime.users.get(USER_ARN)?.name).toBe('Grace Hopper');
});

test('sign-in healing never blocks a sign-in when Chime hangs', async () => {
  chime.script = () => 'hang';

  const run = await invokeBundled(
    bundles.signInHeal,
    bundles.runtimeNodePath,
    postAuthenticationEvent(),
    endpoint(),
  );

  expect(run.error).toBeUndefined();
  expect(run.result).toMatchObject({ triggerSource: 'PostAuthentication_Authentication' });
  expect(run.output).toContain('DeadlineExceeded');
  // The handler answered at its 1.5 s Chime budget, whatever the endpoint does.
  expect(run.handlerMs).toBeGreaterThanOrEqual(1000);
  expect(run.handlerMs).toBeLessThan(2000);
});
