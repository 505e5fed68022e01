/**
 * "Sign in with hosted UI" end to end through the sandbox's own hosted UI (loopback HTTPS with its
 * self-signed certificate, code + PKCE, sign-in through the pool API): a third user signs in on
 * the hosted UI's page and reaches the chat; sign-out goes through its /logout.
 * Screenshots: test-results/browser/hosted-ui-sandbox/.
 */
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestSandbox, TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  buildWebDemo,
  type DemoServer,
  freePort,
  launchChromium,
  sandboxCsp,
  screenshotter,
  serveWebDemo,
  watchErrors,
} from './support';

jest.setTimeout(120_000);

let sandbox: TestSandbox;
let buildDir: string;
let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const shot = screenshotter('hosted-ui-sandbox');

beforeAll(async () => {
  // The demo's URL must be a registered callback URL: pick its port before the sandbox starts.
  const demoPort = await freePort();
  const demoUrl = `http://127.0.0.1:${demoPort}/`;
  [sandbox, buildDir, browser] = await Promise.all([
    startTestSandbox({ hostedUi: { port: 0, localAppUrls: [demoUrl] } }),
    buildWebDemo(),
    launchChromium(),
  ]);
  demo = await serveWebDemo(buildDir, sandbox.configFile, {
    port: demoPort,
    contentSecurityPolicy: sandboxCsp(sandbox),
  });
  expect(demo.url).toBe(demoUrl);
  // The hosted UI's certificate is self-signed: accepted here as a person accepts it once.
  context = await browser.newContext({
    viewport: { width: 1200, height: 900 },
    ignoreHTTPSErrors: true,
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
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

test('a third user signs in on the sandbox hosted UI and reaches the chat', async () => {
  const hostedUi = sandbox.config.hostedUi;
  expect(hostedUi?.domain).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(hostedUi?.redirectSignIn).toContain(demo.url);
  const judy = await sandbox.signUpUser('judy@example.com');

  await page.goto(demo.url);
  await page.getByRole('button', { name: 'Sign in with hosted UI' }).click();
  // On the hosted UI (another origin, HTTPS).
  await page.waitForURL((url) => url.host === hostedUi?.domain);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(page, 'hosted-ui-page');
  await page.getByLabel(/email|username/i).fill(judy.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Back in the app with a code; Amplify exchanges it (PKCE) at the hosted UI's token endpoint.
  await page.waitForURL((url) => url.origin + '/' === demo.url);
  await page.getByRole('heading', { name: 'Who am I' }).waitFor();
  await expect(page.getByTestId('user-id').textContent()).resolves.toBe(judy.sub);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
  await page.getByTestId('no-channels').waitFor();
  expect(new URL(page.url()).search).toBe('');
  await shot(page, 'hosted-ui-signed-in');

  // Sign-out ends the hosted UI session too (/logout), and lands back in the app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name: 'Sign in with hosted UI' }).waitFor();
  expect(new URL(page.url()).origin + '/').toBe(demo.url);
  expect(pageErrors).toEqual([]);
});
