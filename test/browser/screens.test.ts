/**
 * Every screen of the web demo, as a person meets it, in light and dark, on a desktop and on a
 * phone: a screenshot of each (test-results/browser/screens/<screen>-<variant>.png, for people
 * to look at) and axe-core on each, which must find nothing.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox, type TestUser } from '../../sandbox/testing';
import {
  addMember,
  chimeAs,
  composer,
  connection,
  createChannel,
  message,
  messagingSocketControl,
  type MessagingSocketControl,
  newChannelButton,
  openChannel,
  openIdentity,
  send,
  sendAs,
  signIn,
} from './chat-helpers';
import {
  ARTIFACTS_DIR,
  type DemoStack,
  DESKTOP,
  captureScreen,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(180_000);

const DIR = join(ARTIFACTS_DIR, 'screens');
let stack: DemoStack;
let sandbox: TestSandbox;
const pageErrors: string[] = [];
let alice: TestUser;
let bob: TestUser;
let lunch = '';

async function screen(page: Page, name: string): Promise<void> {
  expect(await captureScreen(page, DIR, name)).toEqual([]);
}

async function freshPage(): Promise<Page> {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  await page.goto(stack.demo.url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  return page;
}

beforeAll(async () => {
  stack = await startDemoStack();
  sandbox = stack.sandbox;
  alice = await sandbox.signUpUser('alice@example.com');
  bob = await sandbox.signUpUser('bob@example.com');
}, 240_000);

afterAll(() => stack?.stop());

describe('before sign-in', () => {
  let page: Page;
  beforeAll(async () => {
    page = await freshPage();
  });

  test('sign in, and a wrong password', async () => {
    await screen(page, 'sign-in');
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill('Wrong-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Incorrect email or password.').waitFor();
    await screen(page, 'sign-in-error');
  });

  test('create an account, with the password rules and a mismatch', async () => {
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('dana@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Sandbox-pass');
    await page.getByLabel('Repeat password').fill('Sandbox-pass');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('The password does not meet all the rules below.').waitFor();
    await screen(page, 'sign-up');
  });

  test('confirm the account, with where the code is', async () => {
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel('Repeat password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
    await screen(page, 'confirm');
  });

  test('forgot and reset password', async () => {
    await page.getByRole('button', { name: 'Back to sign in' }).click();
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(alice.email);
    await screen(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send a code' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await screen(page, 'reset-password');
  });

  test('an administrator-created account chooses its password', async () => {
    const eve = await sandbox.adminCreateUser('eve@example.com');
    const other = await freshPage();
    await other.getByLabel('Email').fill(eve.email);
    await other.getByLabel('Password', { exact: true }).fill(eve.password);
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await screen(other, 'new-password');
    await other.close();
  });

  test('cannot start (no config)', async () => {
    const other = await stack.newPage(pageErrors, { viewport: DESKTOP });
    await other.route('**/config.json', (route) => route.fulfill({ status: 404, body: '' }));
    await other.goto(stack.demo.url);
    await other.getByRole('heading', { name: 'Cannot start' }).waitFor();
    await screen(other, 'config-error');
    await other.close();
  });
});

describe('signed in', () => {
  let a: Page;
  let b: Page;
  let socket: MessagingSocketControl;

  beforeAll(async () => {
    a = await stack.newPage(pageErrors, { viewport: DESKTOP });
    socket = await messagingSocketControl(a, sandbox.url);
    await a.goto(stack.demo.url);
    await signIn(a, alice.email);
    b = await stack.newPage(pageErrors, { viewport: DESKTOP });
    await b.goto(stack.demo.url);
    await signIn(b, bob.email);
  });

  test('no channels yet', async () => {
    await a.getByTestId('no-channels').waitFor();
    await screen(a, 'no-channels');
  });

  test('new channel', async () => {
    await newChannelButton(a).click();
    await a.getByRole('dialog', { name: 'New channel' }).getByLabel('Name').fill('Lunch crew');
    await screen(a, 'new-channel');
    await a.getByRole('button', { name: 'Cancel' }).click();
  });

  test('a conversation', async () => {
    lunch = await createChannel(a, sandbox, 'Lunch crew');
    await addMember(a, bob.sub);
    await a.getByRole('button', { name: 'Close Members' }).click();
    await createChannel(a, sandbox, 'Design reviews');
    await openChannel(a, 'Lunch crew');
    const bobChime = await chimeAs(sandbox, bob);
    await send(a, 'Hi Bob! Lunch at noon?');
    await send(a, 'The usual place: https://example.com/menu');
    await sendAs(bobChime, lunch, 'Noon works. I will bring the tickets, see you at the door');
    await send(a, 'Perfect, see you there');
    bobChime.client.destroy();
    await message(a, 'I will bring the tickets').waitFor();
    await screen(a, 'conversation');
  });

  test('the members panel', async () => {
    await a.getByRole('button', { name: 'Members' }).click();
    await a.getByRole('complementary', { name: 'Members' }).getByText('bob').waitFor();
    await screen(a, 'members');
    await a.getByRole('button', { name: 'Close Members' }).click();
  });

  test('the identity panel, with the refused impersonation', async () => {
    const panel = await openIdentity(a);
    await panel.getByRole('button', { name: 'Try to act as bob' }).click();
    await panel.getByText(/Refused by AWS/).waitFor();
    await screen(a, 'identity');
    await panel.getByRole('button', { name: 'Close Your identity' }).click();
  });

  test('message actions, editing, and the redact confirmation', async () => {
    const item = message(a, 'Hi Bob! Lunch at noon?');
    await item.hover();
    await item.getByRole('button', { name: /^Actions for/ }).click();
    await item.getByRole('button', { name: 'Edit' }).waitFor();
    await screen(a, 'message-actions');
    await item.getByRole('button', { name: 'Edit' }).click();
    await a.getByLabel('Edit message').fill('Hi Bob! Lunch at 12:30?');
    await screen(a, 'editing');
    await a.keyboard.press('Escape');
    await item.hover();
    await item.getByRole('button', { name: /^Actions for/ }).click();
    await item.getByRole('button', { name: 'Redact…' }).click();
    await a.getByRole('dialog', { name: 'Redact this message?' }).waitFor();
    await screen(a, 'confirm-redact');
    await a.getByRole('button', { name: 'Cancel' }).click();
  });

  test('open by ARN, refused', async () => {
    await a.getByRole('button', { name: 'Open a channel by ARN' }).click();
    const dialog = a.getByRole('dialog', { name: 'Open a channel by ARN' });
    await dialog.getByLabel('Channel ARN').fill('not-an-arn');
    await dialog.getByRole('button', { name: 'Open' }).click();
    await dialog.getByText('That is not a channel ARN of this app.').waitFor();
    await screen(a, 'open-by-arn');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('a message that could not be sent, while reconnecting', async () => {
    await socket.outage();
    await socket.close(1011, 'outage');
    await connection(a).filter({ hasText: 'Reconnecting…' }).waitFor();
    await composer(a).fill('Are you there?');
    await a.getByRole('button', { name: 'Send' }).click();
    await a.getByText('Not sent: cannot reach the server.').waitFor();
    await screen(a, 'reconnecting');
    await socket.restore();
    await connection(a).filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    await a.getByRole('button', { name: 'Retry' }).click();
  });

  test('disconnected for good', async () => {
    await socket.close(4003, 'kicked');
    await connection(a).filter({ hasText: 'Disconnected' }).waitFor();
    await screen(a, 'disconnected');
    await a.getByRole('button', { name: 'Reconnect' }).click();
    await connection(a).filter({ hasText: 'Live' }).waitFor();
  });

  test("bob's list, with unread messages", async () => {
    await send(a, 'Tickets are on me next time');
    await b.getByRole('navigation', { name: 'Channels' }).getByText('Lunch crew').waitFor();
    await b.getByLabel(/Lunch crew, \d+ unread message/).waitFor();
    await screen(b, 'channel-list');
  });

  test('a channel the person may not open', async () => {
    const secret = lunch.replace(/[^/]+$/, 'no-such-channel');
    await b.goto(`${stack.demo.url}#/channel/${secret.split('/').pop()}`);
    await b.getByRole('heading', { name: 'Cannot open this channel' }).waitFor();
    await screen(b, 'cannot-open');
  });

  test('a conversation loading', async () => {
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    await b.route('**/channels/*/messages*', async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    await b.goto(`${stack.demo.url}#/channel/${lunch.split('/').pop()}`);
    await b.locator('.messages.skeleton').waitFor();
    await screen(b, 'loading');
    release();
    await b.unroute('**/channels/*/messages*');
  });

  test('no console errors beyond the refusals and the outage provoked on purpose', () => {
    const provoked =
      /^console: Failed to load resource: (the server responded with a status of 40[034]|net::ERR_CONNECTION_REFUSED)/;
    expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
  });
});
