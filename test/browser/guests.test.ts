/**
 * Guests in a real browser against a sandbox this test starts: a moderator invites a guest from
 * the web demo, the guest opens the link in a fresh browser context (no account, no sign-in), they
 * exchange messages, the moderator cancels the invite and removes the guest, and the guest loses
 * access (live, and again on reload: the renewal is refused). axe-core checks both views; light,
 * dark and phone screenshots go to test-results/browser/guests/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestSandbox } from '../../sandbox/testing';
import {
  composer,
  createChannel,
  message,
  send,
  signUpAndSignIn,
  storedMessage,
} from './chat-helpers';
import {
  ARTIFACTS_DIR,
  type DemoServer,
  type DemoStack,
  accessibilityViolations,
  captureScreen,
  screenshotter,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(120_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
const pageErrors: string[] = [];
const shot = screenshotter('guests');

/** Light, dark and phone screenshots, each checked by axe-core (contrast differs per scheme). */
async function shotAllWays(page: Page, step: string): Promise<void> {
  await expect(captureScreen(page, join(ARTIFACTS_DIR, 'guests'), step)).resolves.toEqual([]);
}

beforeAll(async () => {
  stack = await startDemoStack();
  ({ sandbox, demo } = stack);
}, 180_000);

afterAll(() => stack?.stop());

describe('a guest invited from the web demo', () => {
  let moderator: Page;
  let guest: Page;
  let link = '';

  test('the sandbox config offers guests; a moderator creates an invite link', async () => {
    expect(sandbox.config.guests).toBe(true);
    moderator = await stack.newPage(pageErrors);
    await moderator.goto(demo.url);
    await signUpAndSignIn(moderator, sandbox, 'mod@example.com');
    await createChannel(moderator, sandbox, 'open-house');
    await moderator.getByRole('button', { name: 'Members' }).click();
    await moderator.getByLabel('Guest name (optional)').fill('Dana');
    await moderator.getByLabel('Access for (hours)').fill('2');
    await moderator.getByRole('button', { name: 'Create invite' }).click();
    link = await moderator.getByLabel('Invite link for Dana').inputValue();
    expect(link).toMatch(
      new RegExp(`^${new URL(demo.url).origin}/#invite=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`),
    );
    // The guest is a member, marked as a guest.
    await moderator
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem')
      .filter({ hasText: 'Dana' })
      .getByText('guest', { exact: true })
      .waitFor();
    await shotAllWays(moderator, 'moderator-invited');
  });

  test('the guest opens the link in a fresh context: the one channel, who, until when', async () => {
    guest = await stack.newPage(pageErrors);
    const requests: string[] = [];
    guest.on('request', (r) => requests.push(r.url()));
    await guest.goto(link);
    await guest.getByRole('heading', { name: 'open-house' }).waitFor();
    await guest.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
    await expect(guest.getByTestId('guest-name').textContent()).resolves.toBe('Dana');
    await expect(guest.getByTestId('guest-id').textContent()).resolves.toMatch(
      /^guest-[0-9a-f-]{36}$/,
    );
    const endsAt = Date.parse((await guest.getByTestId('access-ends').getAttribute('datetime'))!);
    expect(endsAt - Date.now()).toBeGreaterThan(110 * 60_000);
    expect(endsAt - Date.now()).toBeLessThanOrEqual(120 * 60_000);
    // The fragment never travels: no request carries the invite in its URL.
    const invite = link.split('#invite=')[1]!;
    expect(requests.filter((url) => url.includes(invite))).toEqual([]);
    // The session opened on the config's endpoint: no GetMessagingSessionEndpoint call.
    expect(sandbox.config.messagingSessionEndpoint).toBeDefined();
    expect(
      requests.filter((url) => new URL(url).pathname === '/endpoints/messaging-session'),
    ).toEqual([]);
    // No sign-in form, no other channel.
    await expect(guest.getByRole('button', { name: 'Sign in', exact: true }).count()).resolves.toBe(
      0,
    );
  });

  test('they exchange messages both ways; members see the guest marked', async () => {
    await send(moderator, 'Welcome, Dana!');
    await message(guest, 'Welcome, Dana!').waitFor();
    await composer(guest).fill('Thanks, glad to be here');
    await guest.getByRole('button', { name: 'Send' }).click();
    await storedMessage(moderator, 'Thanks, glad to be here')
      .filter({ hasText: 'Dana (guest)' })
      .waitFor();
    await shotAllWays(guest, 'guest-chatting');
    await shot(moderator, 'moderator-sees-guest-message');
  });

  test('the moderator cancels the invite and removes the guest: access ends, reload refused', async () => {
    await moderator.getByRole('button', { name: 'Cancel invite' }).click();
    await moderator.getByText('invite cancelled').waitFor();
    await moderator.getByRole('button', { name: 'Remove Dana' }).click();
    await moderator
      .getByRole('dialog', { name: 'Remove Dana?' })
      .getByRole('button', { name: 'Remove' })
      .click();
    const ended = guest.getByTestId('guest-ended');
    await ended.waitFor();
    await expect(ended.textContent()).resolves.toMatch(/removed|no longer have access/);
    await expect(guest.getByRole('button', { name: 'Send' }).count()).resolves.toBe(0);
    await shotAllWays(guest, 'guest-removed');
    // A new page load renews with the same invite: refused (cancelled), nothing of the channel.
    await guest.reload();
    await guest.getByTestId('guest-ended').waitFor();
    await expect(guest.getByTestId('guest-ended').textContent()).resolves.toMatch(/cancelled/);
    await expect(guest.getByTestId('messages').count()).resolves.toBe(0);
    await shot(guest, 'guest-reload-refused');
  });

  test('a tampered link shows why it does not work', async () => {
    const page = await stack.newPage(pageErrors);
    const [head, body, sig] = link.split('#invite=')[1]!.split('.');
    await page.goto(`${demo.url}/#invite=${head}.${body}.${sig!.slice(0, -4)}AAAA`);
    await page.getByTestId('guest-ended').waitFor();
    await expect(page.getByTestId('guest-ended').textContent()).resolves.toMatch(
      /expired or is not valid/,
    );
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
  });

  test('no page errors beyond the refusals the test provoked', () => {
    const provoked = /40[13]|Forbidden|Unauthorized|refused/i;
    expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
  });
});
