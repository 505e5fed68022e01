/**
 * Guests in a real browser against a sandbox this test starts: a moderator invites a guest from
 * the web demo, the guest opens the link in a fresh browser context (no account, no sign-in), they
 * exchange messages, the moderator cancels the invite and removes the guest, and the guest loses
 * access (live, and again on reload: the renewal is refused). axe-core checks both views; light,
 * dark and phone screenshots go to test-results/browser/guests/.
 */
import AxeBuilder from '@axe-core/playwright';
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
const pageErrors: string[] = [];
const shot = screenshotter('guests');

function message(page: Page, text: string) {
  return page.getByTestId('messages').locator('li', { hasText: text });
}

/** axe-core on the page as it is now: no violations of any impact. */
async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

/** Light, dark and phone screenshots, each checked by axe-core (contrast differs per scheme). */
async function shotAllWays(page: Page, step: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await expectAccessible(page);
  await shot(page, `${step}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page);
  await shot(page, `${step}-dark`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(page);
  await shot(page, `${step}-phone`);
  if (size) await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

async function signUpAndSignIn(page: Page, email: string): Promise<void> {
  await page.goto(demo.url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByLabel('Repeat password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
  await page.getByLabel('Code').fill(sandbox.latestCode(email) ?? '');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Account confirmed. Sign in.').waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
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
    await signUpAndSignIn(moderator, 'mod@example.com');
    await moderator.getByText('New channel').click();
    await moderator.getByLabel('Name', { exact: true }).fill('open-house');
    await moderator.getByRole('button', { name: 'Create channel' }).click();
    await moderator.getByTestId('channel-title').filter({ hasText: 'open-house' }).waitFor();
    await moderator.getByText(/^Members/).click();
    await moderator.getByLabel('Guest name (optional)').fill('Dana');
    await moderator.getByLabel('Access for (hours)').fill('2');
    await moderator.getByRole('button', { name: 'Create invite' }).click();
    link = await moderator.getByLabel('Invite link for Dana').inputValue();
    expect(link).toMatch(
      new RegExp(`^${new URL(demo.url).origin}/#invite=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`),
    );
    // The guest is a member, marked as a guest.
    await moderator
      .locator('.members li', { hasText: 'Dana' })
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
    // No sign-in form, no other channel.
    await expect(guest.getByRole('button', { name: 'Sign in', exact: true }).count()).resolves.toBe(
      0,
    );
  });

  test('they exchange messages both ways; members see the guest marked', async () => {
    await moderator.getByLabel('Message', { exact: true }).fill('Welcome, Dana!');
    await moderator.getByRole('button', { name: 'Send' }).click();
    await message(guest, 'Welcome, Dana!').waitFor();
    await guest.getByLabel('Message', { exact: true }).fill('Thanks, glad to be here');
    await guest.getByRole('button', { name: 'Send' }).click();
    await message(moderator, 'Thanks, glad to be here')
      .filter({ hasText: 'Dana (guest)' })
      .waitFor();
    await shotAllWays(guest, 'guest-chatting');
    await shot(moderator, 'moderator-sees-guest-message');
  });

  test('the moderator cancels the invite and removes the guest: access ends, reload refused', async () => {
    await moderator.getByRole('button', { name: 'Cancel invite' }).click();
    await moderator.getByText('invite cancelled').waitFor();
    await moderator.getByRole('button', { name: 'Remove Dana' }).click();
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
    await expectAccessible(page);
  });

  test('no page errors beyond the refusals the test provoked', () => {
    const provoked = /40[13]|Forbidden|Unauthorized|refused/i;
    expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
  });
});
