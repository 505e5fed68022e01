/**
 * "Sign in with hosted UI" in Chromium against the sandbox's real hosted UI (sandbox/hosted-ui/):
 * Amplify's signInWithRedirect goes to the sandbox's /oauth2/authorize over loopback HTTPS (its
 * self-signed certificate accepted, as a person accepts it once), the person signs in on the
 * sandbox's page, Amplify exchanges the code with PKCE at /oauth2/token, and the app opens with
 * identity pool credentials and the Chime WebSocket. Sign-out goes through the hosted UI /logout.
 * Screenshots: test-results/browser/hosted-ui/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type ClientConfig } from '../../contracts/client-config';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import {
  buildWebDemo,
  type DemoServer,
  launchChromium,
  sandboxCsp,
  screenshotter,
  serveWebDemo,
  watchErrors,
} from './support';

jest.setTimeout(120_000);

let sandbox: TestSandbox;
let buildDir: string;
let configDir: string;
let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const shot = screenshotter('hosted-ui');

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'hosted-ui-config-'));
  [sandbox, buildDir, browser] = await Promise.all([
    startTestSandbox(),
    buildWebDemo(),
    launchChromium(),
  ]);
  const hostedUi = sandbox.hostedUi!;
  const configFile = join(configDir, 'config.json');
  // The site's CSP with the sandbox's endpoints, the hosted UI's token endpoint included.
  demo = await serveWebDemo(buildDir, configFile, { contentSecurityPolicy: sandboxCsp(sandbox) });
  // This demo server's URL is a callback and sign-out URL, as `npm start`'s is.
  hostedUi.addAppUrls([demo.url]);
  const config: ClientConfig = {
    ...sandbox.config,
    hostedUi: { ...hostedUi.config(), redirectSignIn: [demo.url], redirectSignOut: [demo.url] },
  };
  writeFileSync(configFile, JSON.stringify(config));
  // The certificate is the sandbox's self-signed one: accepted, as a person accepts it once.
  context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchErrors(page, pageErrors);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await demo?.stop();
  await sandbox?.stop();
  for (const dir of [buildDir, configDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

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
    scope: 'openid email profile',
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
  await page.getByRole('heading', { name: 'Who am I' }).waitFor();
  await expect(page.getByTestId('user-id').textContent()).resolves.toBe(ivy.sub);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
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

  // Sign out goes through the hosted UI's /logout, then back to the app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(new URL(page.url()).origin).toBe(new URL(demo.url).origin);
  expect(seen.at(-1)).toBe('GET /logout');
  await shot(page, 'hosted-ui-signed-out');
  expect(pageErrors).toEqual([]);
});
