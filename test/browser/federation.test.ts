/**
 * A person signs in with the local OpenID provider in Chromium and chats with a password user:
 * the web demo's hosted UI sign-in, the sandbox hosted UI's "Continue with Local OIDC", the local
 * provider's own sign-in page, back through /oauth2/idpresponse to the app, identity pool
 * credentials for their user pool `sub`, then a channel with a password user, both ways, live.
 * axe-core checks the hosted UI page with its provider links and the provider's page (light and
 * dark). Screenshots: test-results/browser/federation/.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  type DemoServer,
  type DemoStack,
  hostedUiAtDemo,
  screenshotter,
  startDemoStack,
} from './support';

jest.setTimeout(180_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
const pageErrors: string[] = [];
const shot = screenshotter('federation');
const ada = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'ada')!;

async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function message(page: Page, text: string) {
  return page.getByTestId('messages').locator('li', { hasText: text });
}

beforeAll(async () => {
  stack = await startDemoStack({ clientConfig: hostedUiAtDemo });
  ({ sandbox, demo } = stack);
}, 240_000);

afterAll(() => stack?.stop());

test('Ada signs in with Local OIDC and chats with Bob, a password user', async () => {
  const bobAccount = await sandbox.signUpUser('bob-federation@example.com', TEST_PASSWORD);
  const adaPage = await stack.newPage(pageErrors, { ignoreHTTPSErrors: true });
  const bobPage = await stack.newPage(pageErrors);

  // Ada: the app's hosted UI sign-in, then the provider link on the hosted UI's page.
  await adaPage.goto(demo.url);
  await adaPage.getByRole('button', { name: 'Sign in with hosted UI' }).click();
  await adaPage.waitForURL(`${sandbox.hostedUi!.url}/login?**`);
  const continueWith = adaPage.getByRole('link', { name: 'Continue with Local OIDC' });
  await continueWith.waitFor();
  await shot(adaPage, 'hosted-ui-with-provider');
  expect(await axeViolations(adaPage)).toEqual([]);
  await continueWith.click();

  // The local OpenID provider's own page, in light and dark.
  await adaPage.getByRole('heading', { name: 'Local OpenID provider' }).waitFor();
  expect(new URL(adaPage.url()).pathname).toMatch(/^\/interaction\//);
  await shot(adaPage, 'provider-sign-in-light');
  expect(await axeViolations(adaPage)).toEqual([]);
  await adaPage.emulateMedia({ colorScheme: 'dark' });
  await shot(adaPage, 'provider-sign-in-dark');
  expect(await axeViolations(adaPage)).toEqual([]);
  await adaPage.emulateMedia({ colorScheme: 'light' });
  await adaPage.setViewportSize({ width: 390, height: 844 });
  await shot(adaPage, 'provider-sign-in-phone');
  expect(await axeViolations(adaPage)).toEqual([]);
  await adaPage.setViewportSize({ width: 1200, height: 900 });
  await adaPage.getByLabel('Username').fill('ada');
  await adaPage.getByLabel('Password').fill('wrong');
  await adaPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(adaPage.getByRole('alert').textContent()).resolves.toBe(
    'Wrong username or password.',
  );
  await adaPage.getByLabel('Password').fill(ada.password);
  await adaPage.getByRole('button', { name: 'Sign in' }).click();

  // Back in the app: signed in as her user pool sub, with live credentials.
  await adaPage.getByRole('heading', { name: 'Who am I' }).waitFor({ timeout: 30_000 });
  await adaPage.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
  const adaSub = (await adaPage.getByTestId('user-id').textContent()) ?? '';
  expect(adaSub).toMatch(/^[0-9a-f-]{36}$/);
  await expect(adaPage.getByTestId('principal-tag').textContent()).resolves.toBe(
    `${sandbox.config.principalTagKey} = ${adaSub}`,
  );
  await shot(adaPage, 'ada-signed-in');

  // Bob: the password sign-in of the same app.
  await bobPage.goto(demo.url);
  await bobPage.getByLabel('Email').fill(bobAccount.email);
  await bobPage.getByLabel('Password').fill(TEST_PASSWORD);
  await bobPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await bobPage.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();

  // Ada opens a channel with Bob; they write both ways, live.
  await adaPage.getByText('New channel').click();
  await adaPage.getByLabel('Name').fill('federated');
  await adaPage.getByRole('button', { name: 'Create channel' }).click();
  await adaPage.getByTestId('channel-title').filter({ hasText: 'federated' }).waitFor();
  await adaPage.getByText(/^Members/).click();
  await adaPage.getByLabel('Add member by user id').fill(bobAccount.sub);
  await adaPage.getByRole('button', { name: 'Add member' }).click();
  await adaPage.getByText(`Added ${bobAccount.sub}.`).waitFor();
  await bobPage.getByRole('button', { name: 'federated' }).click();
  await adaPage.getByLabel('Message', { exact: true }).fill('Hello Bob, from Local OIDC');
  await adaPage.getByRole('button', { name: 'Send' }).click();
  await message(bobPage, 'Hello Bob, from Local OIDC').waitFor();
  await bobPage.getByLabel('Message', { exact: true }).fill('Hi Ada!');
  await bobPage.getByRole('button', { name: 'Send' }).click();
  await message(adaPage, 'Hi Ada!').waitFor();
  await shot(adaPage, 'ada-chats-with-bob');
  await shot(bobPage, 'bob-chats-with-ada');
  expect(pageErrors).toEqual([]);
});
