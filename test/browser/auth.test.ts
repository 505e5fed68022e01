/**
 * The web demo's auth screens in Chromium against a sandbox: the messages a person sees for the
 * mistakes they can make (next to the field, in plain words), the password rules, resending a
 * code, an unconfirmed sign-in, a forgotten password, and the local sandbox's hints.
 * Screenshots: test-results/browser/auth/.
 */
import type { Page } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import { connection } from './chat-helpers';
import {
  type DemoServer,
  type DemoStack,
  focusedId,
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

test('the screen says what the product is', async () => {
  await page.getByText('Chime chat').first().waitFor();
  await page.getByText(/Real-time chat where your AWS credentials.*can act only as you/).waitFor();
});

test('wrong password and unknown user get the same message, next to the password field', async () => {
  await sandbox.signUpUser('erin@example.com');
  await signIn('erin@example.com', 'Wrong-Passw0rd!');
  await expectAlert(/Incorrect email or password\./);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
  // The sentence is tied to the field (a screen reader reads it with the field).
  await expect(password.getAttribute('aria-describedby')).resolves.toBe('field-password-error');
  await expect(page.locator('#field-password-error').textContent()).resolves.toBe(
    'Incorrect email or password.',
  );
  await expect(page.getByText(/Exception/).count()).resolves.toBe(0);
  await shot(page, 'wrong-password');
  await signIn('nobody@example.com', TEST_PASSWORD);
  await expectAlert(/Incorrect email or password\./);
});

test('a malformed email is caught next to the email field before any request', async () => {
  const requests: string[] = [];
  const seen = (r: { url(): string }) => requests.push(r.url());
  page.on('request', seen);
  await signIn('not-an-email', TEST_PASSWORD);
  await expect(page.locator('#field-email-error').textContent()).resolves.toMatch(
    /email address like name@example.com/,
  );
  await expect(focusedId(page)).resolves.toBe('field-email');
  page.off('request', seen);
  expect(requests.filter((u) => u.startsWith(sandbox.url))).toEqual([]);
});

test('the password rules show before typing and tick as they are met', async () => {
  await page.getByRole('button', { name: 'Create an account' }).click();
  const list = page.getByRole('list', { name: 'Password rules' });
  const rules = async () =>
    (await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  await expect(rules()).resolves.toEqual([
    'At least 12 characters (not yet)',
    'A lower-case letter (not yet)',
    'An upper-case letter (not yet)',
    'A digit (not yet)',
    'A symbol such as ! or - (not yet)',
  ]);
  await page.getByLabel('Password', { exact: true }).fill('abcDEF123');
  await expect(rules()).resolves.toEqual([
    'At least 12 characters (not yet)',
    'A lower-case letter (done)',
    'An upper-case letter (done)',
    'A digit (done)',
    'A symbol such as ! or - (not yet)',
  ]);
  await shot(page, 'password-rules');
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
  // The email is known: the code field has the focus.
  await expect(focusedId(page)).resolves.toBe('field-code');
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
  await connection(page).filter({ hasText: 'Live' }).waitFor();
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
  await connection(page).filter({ hasText: 'Live' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
});

test('bug 18: against the sandbox, the confirm screen says where the code is, and links to it', async () => {
  const { SignUpCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  await sandbox.userPoolClient.send(
    new SignUpCommand({
      ClientId: sandbox.config.userPoolClientId,
      Username: 'kim@example.com',
      Password: TEST_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'kim@example.com' }],
    }),
  );
  await page.getByRole('button', { name: 'I have a confirmation code' }).click();
  await page.getByText(/Running on the local sandbox:.*no email is sent/).waitFor();
  const link = page.getByRole('link', { name: "sandbox's codes page" });
  await expect(link.getAttribute('href')).resolves.toBe(`${sandbox.url}/_sandbox/codes`);
  await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer');
  await shot(page, 'confirm-sandbox-hint');
  // The page it opens lists the code.
  const [codes] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await codes.getByRole('heading', { name: 'Confirmation codes' }).waitFor();
  await codes.getByText(sandbox.latestCode('kim@example.com') ?? 'missing').waitFor();
  await codes.close();
});

test('bug 18: against the sandbox, the sign-in screen says how to accept the hosted UI certificate', async () => {
  await shot(page, 'sign-in-hosted-ui-hint');
  const hint = page.getByText(/Local sandbox:[\s\S]*self-signed\s+certificate/);
  await hint.waitFor();
  const hostedUi = sandbox.config.localSandbox?.hostedUiUrl ?? 'missing';
  await expect(page.getByRole('link', { name: hostedUi }).getAttribute('href')).resolves.toBe(
    hostedUi,
  );
  await expect(hint.textContent()).resolves.toMatch(/accept the\s+browser's\s+warning/);
});

test('a missing config shows "Cannot start" with what to do', async () => {
  await page.route('**/config.json', (route) => route.fulfill({ status: 404, body: 'none' }));
  await page.goto(demo.url);
  await page.getByRole('heading', { name: 'Cannot start' }).waitFor();
  await page.getByText(/GET \/config.json answered HTTP 404/).waitFor();
  await shot(page, 'config-error');
  await page.unroute('**/config.json');
});

test('no console errors beyond the 4xx responses of the provoked mistakes', () => {
  const provoked =
    /^console: Failed to load resource: the server responded with a status of (400|404)/;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
