/**
 * The web demo in a real browser (Debian's Chromium through playwright-core) against a sandbox
 * this test starts: two people sign up, confirm and sign in; they chat in real time; edits and
 * redactions reach the other side; the identity panel shows the isolation guarantee refusing; the
 * connection survives drops without losing or repeating a message. Screenshots of each step go to
 * test-results/browser/chat/. (The numbered bugs of issue 17: bugs.test.ts; every screen in light,
 * dark and on a phone with axe-core: screens.test.ts.)
 */
import type { Page, WebSocketRoute } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  addMember,
  channelLink,
  chimeAs,
  createChannelAs,
  connection,
  createChannel,
  message,
  messageAction,
  openChannel,
  openIdentity,
  send,
  sendMany,
  signUpAndSignIn,
  storedCopies,
} from './chat-helpers';
import {
  type DemoServer,
  type DemoStack,
  PHONE,
  focusedId,
  horizontalOverflow,
  screenshotter,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(120_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
const pageErrors: string[] = [];
const shot = screenshotter('chat');

interface Person {
  readonly email: string;
  readonly page: Page;
  sub: string;
  /** The messaging WebSocket, proxied so a test can drop it. */
  socket?: { page: WebSocketRoute; server: WebSocketRoute };
  /** While set, new WebSocket connections wait for it (the network is "down"). */
  outage?: Promise<void>;
}

async function openDemo(email: string): Promise<Person> {
  const page = await stack.newPage(pageErrors);
  const person: Person = { email, page, sub: '' };
  // A transparent proxy of the messaging WebSocket, so a test can cut it like a network drop.
  await page.context().routeWebSocket(/\/connect\?/, async (ws) => {
    await person.outage;
    person.socket = { page: ws, server: ws.connectToServer() };
  });
  const response = await page.goto(demo.url);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  return person;
}

async function userIdOf(page: Page): Promise<string> {
  const panel = await openIdentity(page);
  const sub = (await panel.getByTestId('user-id').textContent()) ?? '';
  await panel.getByRole('button', { name: 'Close Your identity' }).click();
  return sub;
}

beforeAll(async () => {
  stack = await startDemoStack();
  ({ sandbox, demo } = stack);
}, 180_000);

afterAll(() => stack?.stop());

describe('web demo in Chromium against the sandbox', () => {
  let alice: Person;
  let bob: Person;

  test('alice and bob sign up, confirm with the emailed code and sign in', async () => {
    alice = await openDemo('alice@example.com');
    bob = await openDemo('bob@example.com');
    await shot(alice.page, 'sign-in-screen');
    for (const person of [alice, bob]) {
      await signUpAndSignIn(person.page, sandbox, person.email);
      person.sub = await userIdOf(person.page);
    }
    await shot(alice.page, 'alice-signed-in');
    // The identity panel: sub, identity id, AppInstanceUser ARN, tag, expiry; never a secret.
    const panel = await openIdentity(alice.page);
    expect(alice.sub).toMatch(/^[0-9a-f-]{36}$/);
    await expect(panel.getByTestId('user-arn').textContent()).resolves.toBe(
      `${sandbox.config.appInstanceArn}/user/${alice.sub}`,
    );
    await expect(panel.getByTestId('principal-tag').textContent()).resolves.toBe(
      `${sandbox.config.principalTagKey} = ${alice.sub}`,
    );
    await expect(panel.getByTestId('identity-id').textContent()).resolves.toMatch(/^us-east-1:/);
    await expect(panel.getByTestId('expiry').textContent()).resolves.toMatch(/^\d+:\d\d/);
    await shot(alice.page, 'alice-identity');
    const text = (await alice.page.content()).toLowerCase();
    expect(text).not.toContain('secretaccesskey');
    expect(text).not.toContain('sessiontoken');
    expect(bob.sub).not.toBe(alice.sub);
    await panel.getByRole('button', { name: 'Close Your identity' }).click();
  });

  test('alice creates a channel, adds bob by user id and sends; bob sees it live, by name', async () => {
    await createChannel(alice.page, sandbox, 'lunch');
    await addMember(alice.page, bob.sub);
    // Members by their AppInstanceUser Name, never by id.
    const members = alice.page.getByRole('list', { name: 'Members' });
    await expect(members.locator('.member-name').allTextContents()).resolves.toEqual([
      'alice (you)',
      'bob',
    ]);
    await expect(members.getByText('moderator').count()).resolves.toBe(1);
    await alice.page.getByRole('button', { name: 'Close Members' }).click();
    // Bob's channel list updates from the membership event.
    await channelLink(bob.page, /lunch/).waitFor();
    await openChannel(bob.page, 'lunch');
    await send(alice.page, 'Hi Bob, lunch at noon? Menu: https://example.com/menu');
    const received = message(bob.page, 'Hi Bob, lunch at noon?');
    await received.waitFor();
    await expect(received.locator('.sender').textContent()).resolves.toBe('alice');
    // The link is an anchor to that URL only, opening without the app's window or referrer.
    const link = received.getByRole('link', { name: 'https://example.com/menu' });
    await expect(link.getAttribute('href')).resolves.toBe('https://example.com/menu');
    await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer');
    await shot(bob.page, 'bob-receives');
  });

  test('bob replies and alice sees it live', async () => {
    await send(bob.page, 'Noon works!');
    await message(alice.page, 'Noon works!').waitFor();
    await shot(alice.page, 'alice-receives-reply');
  });

  test('alice edits, then redacts (after confirming), and bob sees both', async () => {
    await messageAction(alice.page, 'Hi Bob, lunch at noon?', 'Edit');
    const field = alice.page.getByLabel('Edit message');
    await expect(focusedId(alice.page)).resolves.toBe('edit-field');
    await field.fill('Hi Bob, lunch at 12:30?');
    await alice.page.getByRole('button', { name: 'Save' }).click();
    await message(bob.page, 'Hi Bob, lunch at 12:30?').filter({ hasText: '(edited)' }).waitFor();
    await shot(bob.page, 'bob-sees-edit');
    await messageAction(alice.page, 'Hi Bob, lunch at 12:30?', 'Redact…');
    const confirm = alice.page.getByRole('dialog', { name: 'Redact this message?' });
    await shot(alice.page, 'alice-confirms-redact');
    await confirm.getByRole('button', { name: 'Redact' }).click();
    await bob.page.getByText('Message redacted').waitFor();
    await expect(message(bob.page, 'lunch at 12:30').count()).resolves.toBe(0);
    await shot(bob.page, 'bob-sees-redaction');
  });

  test('"act as another user" is refused by IAM, with bob\'s id pre-filled for alice', async () => {
    const panel = await openIdentity(alice.page);
    await expect(panel.getByLabel('Their user id').inputValue()).resolves.toBe(bob.sub);
    await panel.getByRole('button', { name: 'Try to act as bob' }).click();
    const result = panel.getByTestId('act-as-result');
    await expect(result.textContent()).resolves.toMatch(/Refused by AWS \(HTTP 403\)/);
    await expect(result.textContent()).resolves.toContain(bob.sub);
    await shot(alice.page, 'alice-act-as-refused');
    await panel.getByRole('button', { name: 'Close Your identity' }).click();
  });

  test('no message is lost across a network drop: bob catches up, once each', async () => {
    // The network drops: bob's socket closes (1011, retried) and reconnects are held back.
    let restore = () => {};
    bob.outage = new Promise<void>((done) => (restore = done));
    const socket = bob.socket;
    expect(socket).toBeDefined();
    await socket?.server.close({ code: 1011, reason: 'test outage' });
    await socket?.page.close({ code: 1011, reason: 'test outage' });
    await connection(bob.page).filter({ hasText: 'Reconnecting' }).waitFor();
    for (const text of ['Sent while bob was offline (1)', 'Sent while bob was offline (2)']) {
      await send(alice.page, text);
    }
    await expect(message(bob.page, 'Sent while bob was offline').count()).resolves.toBe(0);
    await shot(bob.page, 'bob-reconnecting');
    // The network is back: the session reconnects by itself, and bob catches up.
    bob.outage = undefined;
    restore();
    await connection(bob.page).filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    await message(bob.page, 'Sent while bob was offline (2)').waitFor();
    await expect(message(bob.page, 'Sent while bob was offline (1)').count()).resolves.toBe(1);
    await expect(message(bob.page, 'Sent while bob was offline (2)').count()).resolves.toBe(1);
    await shot(bob.page, 'bob-caught-up');
  });

  test('a socket closed for good says so in words and offers "Reconnect", which catches up', async () => {
    const socket = bob.socket;
    // 4003 ("kicked") is one of the close codes that are not retried.
    await socket?.server.close({ code: 4003, reason: 'test kick' });
    await socket?.page.close({ code: 4003, reason: 'test kick' });
    await connection(bob.page).filter({ hasText: 'Disconnected' }).waitFor();
    await bob.page.getByText('The server ended this session.').waitFor();
    await expect(bob.page.getByText(/4003|code/).count()).resolves.toBe(0);
    await send(alice.page, 'Sent while bob was kicked');
    await shot(bob.page, 'bob-disconnected');
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await connection(bob.page).filter({ hasText: 'Live' }).waitFor();
    await message(bob.page, 'Sent while bob was kicked').waitFor();
  });

  test('paging: 50 messages first, "Load older messages" brings the rest', async () => {
    // 55 messages sent by alice with her own credentials, straight through the SDK.
    const aliceChime = await chimeAs(sandbox, alice);
    await sendMany(aliceChime, await createChannelAs(aliceChime, 'busy'), 'busy', 55);
    aliceChime.client.destroy();
    const { page } = alice;
    await openChannel(page, 'busy');
    await message(page, 'busy 55').waitFor();
    const items = page.getByTestId('messages').locator('li.msg');
    await expect(items.count()).resolves.toBe(50);
    const exact = (t: string) => page.getByTestId('messages').getByText(t, { exact: true });
    await expect(exact('busy 5').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Load older messages' }).click();
    await exact('busy 1').waitFor();
    await expect(items.count()).resolves.toBe(55);
    await expect(page.getByRole('button', { name: 'Load older messages' }).count()).resolves.toBe(
      0,
    );
  });

  test('a reload keeps the session and the open channel; sign out says so', async () => {
    await openChannel(alice.page, 'lunch');
    await alice.page.reload();
    await alice.page.getByTestId('channel-title').filter({ hasText: 'lunch' }).waitFor();
    await message(alice.page, 'Noon works!').waitFor();
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByText('You are signed out.').waitFor();
    expect(new URL(alice.page.url()).hash).toBe('');
    await shot(alice.page, 'alice-signed-out');
  });

  test('keyboard only: sign in with Tab and Enter, then reach the conversation; fits a phone', async () => {
    const { page } = alice;
    await page.setViewportSize(PHONE);
    // The sign-in screen focuses the email field.
    await page.keyboard.type(alice.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await connection(page).filter({ hasText: 'Live' }).waitFor();
    // Focus starts at the channel list, not on "Sign out".
    await expect(focusedId(page)).resolves.toBe('channels-heading');
    await channelLink(page, /lunch/).focus();
    await page.keyboard.press('Enter');
    await message(page, 'Noon works!').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'alice-phone-width');
    // Back to the list: the phone shows one view at a time.
    await page.getByRole('link', { name: 'Back to channels' }).click();
    await channelLink(page, /lunch/).waitFor();
    await expect(page.getByRole('region', { name: 'lunch' }).isVisible()).resolves.toBe(false);
  });

  test('bob leaves the channel after confirming; alice, its moderator, deletes another', async () => {
    await openChannel(bob.page, 'lunch');
    await bob.page.getByRole('button', { name: 'Channel actions' }).click();
    await bob.page.getByRole('button', { name: 'Leave channel…' }).click();
    await bob.page
      .getByRole('dialog', { name: 'Leave lunch?' })
      .getByRole('button', { name: 'Leave' })
      .click();
    await bob.page.getByText('You left lunch.').waitFor();
    await expect(channelLink(bob.page, /lunch/).count()).resolves.toBe(0);

    const { page } = alice;
    await page.setViewportSize({ width: 1200, height: 900 });
    await openChannel(page, 'busy');
    await page.getByRole('button', { name: 'Channel actions' }).click();
    await page.getByRole('button', { name: 'Delete channel…' }).click();
    await page
      .getByRole('dialog', { name: 'Delete busy?' })
      .getByRole('button', { name: 'Delete channel' })
      .click();
    await page.getByText('busy was deleted.').waitFor();
    await expect(channelLink(page, /busy/).count()).resolves.toBe(0);
    await shot(page, 'alice-deleted-channel');
    // What bob saw in lunch is still there for alice, who stayed.
    const lunch = (await channelLink(page, /lunch/).getAttribute('href'))?.split('/').pop();
    const aliceChime = await chimeAs(sandbox, alice);
    const arn = `${sandbox.config.appInstanceArn}/channel/${lunch}`;
    expect(await storedCopies(aliceChime, arn, 'Noon works!')).toBe(1);
    aliceChime.client.destroy();
  });

  test('no console errors in either browser (beyond the refusal provoked on purpose)', () => {
    // Chromium logs every 4xx response as a console error; the act-as refusal causes one.
    const provoked = /^console: Failed to load resource: the server responded with a status of 403/;
    expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
    expect(pageErrors.filter((e) => provoked.test(e)).length).toBeLessThanOrEqual(1);
  });
});
