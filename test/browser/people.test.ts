/**
 * Issue 12, the web part: "Add people" takes an email (looked up by the project's people API,
 * `GET <apiUrl>/users?email=`, with the ID token) or a user id; suggestions come from people one
 * already shares a channel with (no lookup); the added person shows by name at once, for both
 * sides; not found, malformed, rate limited (a real 429 from the sandbox) and an unavailable API
 * read in plain words. Light, dark and phone screenshots with axe-core go to
 * test-results/browser/people/.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { type ApiError, lookUpUserByEmail } from '../../contracts/http-api';
import type { TestSandbox, TestUser } from '../../sandbox/testing';
import { addMember, createChannel, openChannel, signIn } from './chat-helpers';
import {
  ARTIFACTS_DIR,
  DESKTOP,
  type DemoStack,
  captureScreen,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(120_000);

const SHOTS = join(ARTIFACTS_DIR, 'people');
let stack: DemoStack;
let sandbox: TestSandbox;
const pageErrors: string[] = [];
let alice: TestUser;
let bob: TestUser;
let a: Page;
let b: Page;
/** Requests alice's page made to the people API. */
const lookups: string[] = [];

async function signedIn(user: TestUser): Promise<Page> {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  await page.goto(stack.demo.url);
  await signIn(page, user.email);
  return page;
}

function membersPanel(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Members' });
}

function member(page: Page, name: string): Locator {
  return membersPanel(page)
    .getByRole('list', { name: 'Members' })
    .getByRole('listitem')
    .filter({ hasText: name });
}

async function tryToAdd(page: Page, text: string): Promise<void> {
  await membersPanel(page).getByLabel('Add people by email or user id').fill(text);
  await membersPanel(page).getByRole('button', { name: 'Add member' }).click();
}

beforeAll(async () => {
  stack = await startDemoStack();
  sandbox = stack.sandbox;
  alice = await sandbox.signUpUser('alice@example.com');
  bob = await sandbox.signUpUser('bob@example.com');
  a = await signedIn(alice);
  a.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/users')) lookups.push(r.url());
  });
  b = await signedIn(bob);
}, 180_000);

afterAll(() => stack?.stop());

test('alice adds bob by email: bob shows by name at once, for alice and for bob', async () => {
  await createChannel(a, sandbox, 'book club');
  // Any case: the pool's usernames are case-insensitive, and so is the lookup.
  await addMember(a, 'Bob@Example.com');
  await a.getByText('Added bob to book club.').waitFor();
  await member(a, 'bob').waitFor();
  await expect(membersPanel(a).getByText('Unknown person').count()).resolves.toBe(0);
  // One lookup, the address only in the query string of the people API.
  expect(lookups).toHaveLength(1);
  expect(new URL(lookups[0]!).searchParams.get('email')).toBe('Bob@Example.com');
  await expect(captureScreen(a, SHOTS, 'added-by-email')).resolves.toEqual([]);

  // Bob: the channel arrives live; both are named.
  await openChannel(b, 'book club');
  await b.getByRole('button', { name: 'Members' }).click();
  await member(b, 'alice').waitFor();
  await member(b, 'bob').filter({ hasText: '(you)' }).waitFor();
  await expect(membersPanel(b).getByText('Unknown person').count()).resolves.toBe(0);
});

test('a user id still works, and my own email or id is refused before any lookup', async () => {
  await createChannel(a, sandbox, 'by id');
  await a.getByRole('button', { name: 'Members' }).click();
  const before = lookups.length;
  await tryToAdd(a, 'ALICE@example.com');
  await membersPanel(a).getByText('That is your own email: you are already a member.').waitFor();
  await tryToAdd(a, 'bob@');
  await membersPanel(a)
    .getByText(/That is not an email address/)
    .waitFor();
  expect(lookups).toHaveLength(before);
  await addMember(a, bob.sub);
  await member(a, 'bob').waitFor();
  expect(lookups).toHaveLength(before);
});

test('suggestions: people from my other channels, one click, no lookup', async () => {
  await createChannel(a, sandbox, 'suggested');
  await a.getByRole('button', { name: 'Members' }).click();
  const suggestions = membersPanel(a).getByRole('region', { name: 'From your other channels' });
  await suggestions.getByText('bob').waitFor();
  // Typing filters them; an email hides them (an address is only looked up on Add).
  await membersPanel(a).getByLabel('Add people by email or user id').fill('zz');
  await expect(suggestions.count()).resolves.toBe(0);
  await membersPanel(a).getByLabel('Add people by email or user id').fill('bo');
  await expect(captureScreen(a, SHOTS, 'suggestions')).resolves.toEqual([]);
  const before = lookups.length;
  await suggestions.getByRole('button', { name: 'Add bob' }).click();
  await a.getByText('Added bob to suggested.').waitFor();
  await member(a, 'bob').waitFor();
  expect(lookups).toHaveLength(before);
  // Bob is in the channel now: no longer suggested.
  await expect(suggestions.count()).resolves.toBe(0);
});

test('not found, API unavailable and rate limited read in plain words', async () => {
  await createChannel(a, sandbox, 'errors');
  await a.getByRole('button', { name: 'Members' }).click();
  const field = membersPanel(a).getByLabel('Add people by email or user id');

  await tryToAdd(a, 'nobody@example.com');
  await membersPanel(a)
    .getByText('No one here has that email address. Check it, or ask them for their user id.')
    .waitFor();
  await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(captureScreen(a, SHOTS, 'not-found')).resolves.toEqual([]);

  // The people API down (the request fails): the person is told to use a user id.
  await a.route('**/users?*', (route) => route.abort('connectionrefused'));
  await tryToAdd(a, 'bob@example.com');
  await membersPanel(a)
    .getByText(/Looking people up by email is unavailable right now/)
    .waitFor();
  await a.unroute('**/users?*');

  // A real 429: alice's 30 lookups of this minute spent outside the page, then one more in the
  // page. Until the per-caller limit answers (code too_many_requests), so neither the stage
  // throttle (10 a second, no code) nor a window boundary mid-loop can fool the test.
  const { idToken } = await sandbox.signIn(alice);
  const apiUrl = sandbox.config.apiUrl ?? '';
  let refusal: ApiError | undefined;
  for (let i = 0; i < 70 && refusal?.code !== 'too_many_requests'; i += 1) {
    refusal = await lookUpUserByEmail(apiUrl, idToken, `nobody${i}@example.com`).then(
      () => undefined,
      (error: ApiError) => error,
    );
    if (refusal?.status === 429 && !refusal.code) await a.waitForTimeout(200);
  }
  expect(refusal).toMatchObject({ status: 429, code: 'too_many_requests' });
  await tryToAdd(a, 'bob@example.com');
  await membersPanel(a)
    .getByText(/^Too many lookups\. Wait .+, then try again\.$/)
    .waitFor();
  await expect(captureScreen(a, SHOTS, 'rate-limited')).resolves.toEqual([]);
});

test('no page errors beyond the refusals the test provoked', () => {
  const provoked = /404|429|Too Many|ERR_CONNECTION_REFUSED|Failed to fetch|users\?email/i;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
