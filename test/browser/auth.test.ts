/**
 * The web demo's auth screens in Chromium against a sandbox: the messages a person sees for the
 * mistakes they can make, resending a code, an unconfirmed sign-in, and a forgotten password.
 * Screenshots: test-results/browser/auth/.
 */
import type { Page } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  type DemoServer,
  type DemoStack,
  screenshotter,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(120_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
let page: Page;
const pageErrors: string[] = [];
const shot = screenshotter('auth');

beforeAll(async () => {
  stack = await startDemoStack();
  ({ sandbox, demo } = stack);
  page = await stack.newPage(pageErrors, { viewport: { width: 1000, height: 800 } });
}, 180_000);

afterAll(() => stack?.stop());

// Every test starts on a freshly loaded sign-in screen.
beforeEach(async () => {
  await page.goto(demo.url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});

async function signIn(email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function expectAlert(text: RegExp): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).waitFor();
}

test('wrong password and unknown user get the same message', async () => {
  await sandbox.signUpUser('erin@example.com');
  await signIn('erin@example.com', 'Wrong-Passw0rd!');
  await expectAlert(/Incorrect email or password\./);
  await shot(page, 'wrong-password');
  await signIn('nobody@example.com', TEST_PASSWORD);
  await expectAlert(/Incorrect email or password\./);
});

test('sign-up mistakes: a weak password, an existing account, a wrong code', async () => {
  await page.getByRole('button', { name: 'Create an account' }).click();
  const signUp = async (email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
  };
  await signUp('frank@example.com', 'short');
  await expectAlert(/[Pp]assword/);
  await shot(page, 'weak-password');
  await signUp('erin@example.com', TEST_PASSWORD);
  await expectAlert(/already exists/);

  await signUp('frank@example.com', TEST_PASSWORD);
  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
  const code = sandbox.latestCode('frank@example.com');
  await page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expectAlert(/code is not right/);
  await shot(page, 'wrong-code');
  await page.getByLabel('Code').fill(code ?? '');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Account confirmed. Sign in.').waitFor();
});

test('an unconfirmed account is sent to the confirmation screen and can get a new code', async () => {
  const { SignUpCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  await sandbox.userPoolClient.send(
    new SignUpCommand({
      ClientId: sandbox.config.userPoolClientId,
      Username: 'gina@example.com',
      Password: TEST_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'gina@example.com' }],
    }),
  );
  const firstCode = sandbox.latestCode('gina@example.com');
  await signIn('gina@example.com', TEST_PASSWORD);
  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
  // The first code is "lost": ask for a new one, which replaces it.
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await page.getByText('We sent a new code.').waitFor();
  await shot(page, 'code-resent');
  const newCode = sandbox.latestCode('gina@example.com');
  expect(newCode).toMatch(/^\d{6}$/);
  expect(newCode).not.toBe(firstCode);
  await page.getByLabel('Code').fill(newCode ?? '');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Account confirmed. Sign in.').waitFor();
  await signIn('gina@example.com', TEST_PASSWORD);
  await page.getByRole('heading', { name: 'Who am I' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
});

test('forgot password: reset with the emailed code, then sign in with the new one', async () => {
  const newPassword = 'Another-Passw0rd!';
  await sandbox.signUpUser('hank@example.com');
  await page.getByRole('button', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill('hank@example.com');
  await page.getByRole('button', { name: 'Send a code' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await shot(page, 'reset-password');
  await page.getByLabel('Code').fill(sandbox.latestCode('hank@example.com') ?? '');
  await page.getByRole('textbox', { name: 'New password' }).fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed. Sign in with the new one.').waitFor();
  await shot(page, 'password-changed');
  await signIn('hank@example.com', newPassword);
  await page.getByRole('heading', { name: 'Who am I' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
});

test('no console errors beyond the 4xx responses of the provoked mistakes', () => {
  const provoked = /^console: Failed to load resource: the server responded with a status of 400/;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
