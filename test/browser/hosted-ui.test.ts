/**
 * "Sign in with hosted UI" in Chromium against the sandbox's real hosted UI (sandbox/services/hosted-ui/):
 * Amplify's signInWithRedirect goes to the sandbox's /oauth2/authorize over loopback HTTPS (its
 * self-signed certificate accepted, as a person accepts it once), the person signs in on the
 * sandbox's page, Amplify exchanges the code with PKCE at /oauth2/token, and the app opens with
 * identity pool credentials and the Chime WebSocket. Sign-out goes through the hosted UI /logout.
 * Screenshots: test-results/browser/hosted-ui/.
 */
import type { Page } from 'playwright-core';
import { type TestSandbox } from '../../sandbox/testing';
import { connection, openIdentity } from './chat-helpers';
import {
  type DemoServer,
  type DemoStack,
  hostedUiAtDemo,
  screenshotter,
  startDemoStack,
} from '../../testing/browser/support';

jest.setTimeout(120_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
let page: Page;
const pageErrors: string[] = [];
const shot = screenshotter('hosted-ui');

beforeAll(async () => {
  stack = await startDemoStack({ clientConfig: hostedUiAtDemo });
  ({ sandbox, demo } = stack);
  // The certificate is the sandbox's self-signed one: accepted, as a person accepts it once.
  page = await stack.newPage(pageErrors, { ignoreHTTPSErrors: true });
}, 180_000);

afterAll(() => stack?.stop());

test('a third user signs in through the sandbox hosted UI (code + PKCE) and reaches the chat', async () => {
  const ivy = await sandbox.signUpUser('ivy@example.com');
  const hostedOrigin = sandbox.hostedUi!.url;
  const seen: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === hostedOrigin) seen.push(`${request.method()} ${url.pathname}`);
  });

  await page.goto(demo.url);
  const button = page.getByRole('button', { name: 'Sign in with hosted UI' });
  await button.waitFor();
  await shot(page, 'sign-in-with-hosted-ui');
  await button.click();

  // The sandbox's sign-in page, reached through /oauth2/authorize with a PKCE challenge.
  await page.waitForURL(`${hostedOrigin}/login?**`);
  const query = new URL(page.url()).searchParams;
  expect(Object.fromEntries(query)).toMatchObject({
    client_id: sandbox.config.userPoolClientId,
    response_type: 'code',
    redirect_uri: demo.url,
    scope: 'openid email profile aws.cognito.signin.user.admin',
    code_challenge_method: 'S256',
  });
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(page, 'hosted-ui-sign-in-page');

  // A wrong password: the page says so, with no hint whether the account exists.
  await page.getByLabel('Email').fill(ivy.email);
  await page.getByLabel('Password').fill('Wrong-Passw0rd!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toBe(
    'Incorrect username or password.',
  );
  await shot(page, 'hosted-ui-wrong-password');

  await page.getByLabel('Password').fill(ivy.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back at the app with a code: Amplify exchanges it (PKCE) and the app opens.
  await connection(page).filter({ hasText: 'Live' }).waitFor();
  const panel = await openIdentity(page);
  await expect(panel.getByTestId('user-id').textContent()).resolves.toBe(ivy.sub);
  await panel.getByRole('button', { name: 'Close Your identity' }).click();
  await page.getByTestId('no-channels').waitFor();
  expect(new URL(page.url()).search).toBe('');
  await shot(page, 'hosted-ui-signed-in');
  expect(seen).toEqual([
    'GET /oauth2/authorize',
    'GET /login',
    'POST /login',
    'POST /login',
    'POST /oauth2/token',
  ]);

  // Sign out goes through the hosted UI's /logout, then back to the app, which says so (bug 16).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(new URL(page.url()).origin).toBe(new URL(demo.url).origin);
  expect(seen.at(-1)).toBe('GET /logout');
  await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
  await shot(page, 'hosted-ui-signed-out');
  expect(pageErrors).toEqual([]);
});
