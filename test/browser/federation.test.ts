/**
 * A person signs in with the local OpenID provider in Chromium and chats with a password user:
 * the web demo's own "Continue with Local OIDC" (from the client config) goes through the sandbox
 * hosted UI straight to the local provider's sign-in page, back through /oauth2/idpresponse to the
 * app, identity pool credentials for their user pool `sub`, then a channel with a password user,
 * both ways, live. A second person takes the other road: the hosted UI's own page and its
 * "Continue with Local OIDC" link. axe-core checks the demo's sign-in screen with its provider
 * button and the provider's page (light, dark, phone), and the hosted UI page.
 * Screenshots: test-results/browser/federation/.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Page } from 'playwright-core';
import { LOCAL_OIDC_PROVIDER_NAME } from '../../sandbox/services/hosted-ui/identity-providers';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  type DemoServer,
  type DemoStack,
  accessibilityViolations,
  hostedUiAtDemo,
  screenshotter,
  settled,
  startDemoStack,
} from '../../testing/browser/support';
import {
  addMember,
  connection,
  createChannel,
  message,
  openChannel,
  openIdentity,
  send,
  signIn,
} from './chat-helpers';

jest.setTimeout(180_000);

let stack: DemoStack;
let sandbox: TestSandbox;
let demo: DemoServer;
const pageErrors: string[] = [];
const shot = screenshotter('federation');
const ada = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'ada')!;
const grace = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'grace')!;

/** Screenshots and axe-core findings of a page in light, dark and phone size; back to light, wide. */
async function lightDarkPhoneViolations(page: Page, step: string): Promise<string[]> {
  const found: string[] = [];
  const check = async (variant: string) => {
    await settled(page);
    await shot(page, `${step}-${variant}`);
    found.push(...(await accessibilityViolations(page)).map((v) => `${variant}: ${v}`));
  };
  await check('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await check('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  await check('phone');
  await page.setViewportSize({ width: 1200, height: 900 });
  return found;
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

  // Ada: the app's own "Continue with Local OIDC" (from the client config), in light, dark and
  // on a phone; it goes through the hosted UI straight to the provider, without the hosted UI page.
  await adaPage.goto(demo.url);
  const continueWith = adaPage.getByRole('button', { name: 'Continue with Local OIDC' });
  await continueWith.waitFor();
  await expect(
    adaPage.getByRole('list', { name: 'Sign in with another account' }).getByRole('button').count(),
  ).resolves.toBe(1);
  await expect(lightDarkPhoneViolations(adaPage, 'demo-sign-in-with-provider')).resolves.toEqual(
    [],
  );
  const hostedUiPages: string[] = [];
  adaPage.on('framenavigated', (frame) => {
    if (frame === adaPage.mainFrame() && frame.url().startsWith(`${sandbox.hostedUi!.url}/login`)) {
      hostedUiPages.push(frame.url());
    }
  });
  await continueWith.click();

  // The local OpenID provider's own page, in light, dark and on a phone.
  await adaPage.getByRole('heading', { name: 'Local OpenID provider' }).waitFor();
  expect(new URL(adaPage.url()).pathname).toMatch(/^\/interaction\//);
  await expect(lightDarkPhoneViolations(adaPage, 'provider-sign-in')).resolves.toEqual([]);
  await adaPage.getByLabel('Username').fill('ada');
  await adaPage.getByLabel('Password').fill('wrong');
  await adaPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(adaPage.getByRole('alert').textContent()).resolves.toBe(
    'Wrong username or password.',
  );
  await adaPage.getByLabel('Password').fill(ada.password);
  await adaPage.getByRole('button', { name: 'Sign in' }).click();
  expect(hostedUiPages).toEqual([]);

  // Back in the app: signed in as her user pool sub, with live credentials.
  await connection(adaPage).filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
  const adaIdentity = await openIdentity(adaPage);
  const adaSub = (await adaIdentity.getByTestId('user-id').textContent()) ?? '';
  expect(adaSub).toMatch(/^[0-9a-f-]{36}$/);
  await expect(adaIdentity.getByTestId('principal-tag').textContent()).resolves.toBe(
    `${sandbox.config.principalTagKey} = ${adaSub}`,
  );
  await shot(adaPage, 'ada-signed-in');

  // Bob: the password sign-in of the same app.
  await bobPage.goto(demo.url);
  await signIn(bobPage, bobAccount.email, TEST_PASSWORD);

  // Ada opens a channel with Bob; they write both ways, live.
  await createChannel(adaPage, sandbox, 'federated');
  await addMember(adaPage, bobAccount.sub);
  await openChannel(bobPage, 'federated');
  await send(adaPage, 'Hello Bob, from Local OIDC');
  await message(bobPage, 'Hello Bob, from Local OIDC').waitFor();
  await send(bobPage, 'Hi Ada!');
  await message(adaPage, 'Hi Ada!').waitFor();
  await shot(adaPage, 'ada-chats-with-bob');
  await shot(bobPage, 'bob-chats-with-ada');
  expect(pageErrors).toEqual([]);
});

test("Grace picks Local OIDC on the hosted UI's own page and is signed in", async () => {
  const gracePage = await stack.newPage(pageErrors, { ignoreHTTPSErrors: true });
  await gracePage.goto(demo.url);
  await gracePage.getByRole('button', { name: 'Sign in with hosted UI' }).click();
  await gracePage.waitForURL(`${sandbox.hostedUi!.url}/login?**`);
  const continueWith = gracePage.getByRole('link', { name: 'Continue with Local OIDC' });
  await continueWith.waitFor();
  await shot(gracePage, 'hosted-ui-with-provider');
  expect(await accessibilityViolations(gracePage)).toEqual([]);
  await continueWith.click();
  await gracePage.getByRole('heading', { name: 'Local OpenID provider' }).waitFor();
  await gracePage.getByLabel('Username').fill(grace.username);
  await gracePage.getByLabel('Password').fill(grace.password);
  await gracePage.getByRole('button', { name: 'Sign in' }).click();
  await connection(gracePage).filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
  const graceIdentity = await openIdentity(gracePage);
  const graceSub = (await graceIdentity.getByTestId('user-id').textContent()) ?? '';
  expect(graceSub).toMatch(/^[0-9a-f-]{36}$/);
  // The federated user Cognito names <ProviderName>_<sub>, whose sub the app shows.
  const user = await sandbox.adminUserPoolClient.send(
    new AdminGetUserCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: `${LOCAL_OIDC_PROVIDER_NAME}_${grace.sub}`,
    }),
  );
  expect(user.UserAttributes).toContainEqual({ Name: 'sub', Value: graceSub });
  expect(pageErrors).toEqual([]);
});
