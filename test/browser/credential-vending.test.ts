/**
 * The web demo's "Credentials from: identity pool / vending API" switch in Chromium, against a
 * sandbox whose template has the STS credential-vending API on (`-c credentialVending=true`):
 * vended credentials act as the signed-in user and, like identity pool credentials, are refused
 * as anyone else. Screenshots: test-results/browser/credential-vending/.
 */
import type { Page } from 'playwright-core';
import { TEST_PASSWORD, testAssembly, type TestSandbox } from '../../sandbox/testing';
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
const shot = screenshotter('credential-vending');

beforeAll(async () => {
  // `cdk synth -c credentialVending=true` (shared with the sandbox test; hosting stays out).
  const cdkOutDir = await testAssembly('credential-vending', { credentialVending: 'true' });
  stack = await startDemoStack({ sandbox: { cdkOutDir } });
  ({ sandbox, demo } = stack);
  page = await stack.newPage(pageErrors);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('the switch uses the vending API; its credentials act as me only', async () => {
  expect(sandbox.config.credentialVendingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  const carol = await sandbox.signUpUser('carol@example.com');
  const dave = await sandbox.signUpUser('dave@example.com');

  await page.goto(demo.url);
  await page.getByLabel('Email').fill(carol.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Who am I' });
  await panel.getByTestId('credentials').filter({ hasText: 'from the identity pool' }).waitFor();

  const vended = page.waitForResponse((r) => r.url() === sandbox.config.credentialVendingUrl);
  await panel.getByLabel('vending API (STS)').check();
  expect((await vended).status()).toBe(200);
  await panel.getByTestId('credentials').filter({ hasText: 'from the vending API' }).waitFor();
  await expect(panel.getByTestId('expiry').textContent()).resolves.toMatch(/^\d+:\d\d/);
  // The WebSocket is re-signed with the vended credentials.
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
  await shot(page, 'vending-credentials');

  // Allowed as myself: create a channel and send.
  await page.getByText('New channel').click();
  await page.getByLabel('Name', { exact: true }).fill('vended');
  await page.getByRole('button', { name: 'Create channel' }).click();
  await page.getByTestId('channel-title').filter({ hasText: 'vended' }).waitFor();
  await page.getByLabel('Message', { exact: true }).fill('sent with vended credentials');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByTestId('messages').getByText('sent with vended credentials').waitFor();

  // Refused as anyone else, exactly like identity pool credentials.
  await panel.getByLabel("Another user's id").fill(dave.sub);
  await panel.getByRole('button', { name: 'Try to act as this user' }).click();
  await expect(panel.getByTestId('act-as-result').textContent()).resolves.toMatch(
    /Refused by the service \(HTTP 403\)/,
  );
  await shot(page, 'vending-act-as-refused');

  // And back to the identity pool.
  await panel.getByLabel('identity pool').check();
  await panel.getByTestId('credentials').filter({ hasText: 'from the identity pool' }).waitFor();
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();

  const provoked = /^console: Failed to load resource: the server responded with a status of 403/;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
