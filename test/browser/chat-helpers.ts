/**
 * What a person does in the web demo, as the browser tests do it: by labels, roles and visible
 * text, the way a person (or a screen reader) finds things.
 */
import type { Locator, Page } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';

export function connection(page: Page): Locator {
  return page.getByRole('status', { name: 'Connection' });
}

/** A message of the open conversation (stored, being sent or failed), by its text. */
export function message(page: Page, text: string): Locator {
  return page.getByTestId('messages').locator('li.msg', { hasText: text });
}

/** A message the service has stored (not one still being sent). */
export function storedMessage(page: Page, text: string): Locator {
  return page.getByTestId('messages').locator('li.msg[data-message-id]', { hasText: text });
}

export function composer(page: Page): Locator {
  return page.getByLabel('Message', { exact: true });
}

/** Signs in on the sign-in screen and waits for the chat to be live. */
export async function signIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await connection(page).filter({ hasText: 'Live' }).waitFor();
}

/** Signs up through the screens, confirms with the code the sandbox "emailed", and signs in. */
export async function signUpAndSignIn(
  page: Page,
  sandbox: TestSandbox,
  email: string,
): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByLabel('Repeat password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
  await page.getByLabel('Code').fill(sandbox.latestCode(email) ?? '');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Account confirmed. Sign in.').waitFor();
  await signIn(page, email);
}

/** Creates a channel through the dialog; returns its ARN (from the URL, which names it). */
export async function createChannel(
  page: Page,
  sandbox: TestSandbox,
  name: string,
  options: {
    privacy?: 'Private' | 'Public';
    whoAdds?: 'Any member' | 'Only moderators (you)';
  } = {},
): Promise<string> {
  await page.getByRole('button', { name: 'New channel' }).click();
  const dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name').fill(name);
  if (options.privacy) await dialog.getByLabel(options.privacy).check();
  if (options.whoAdds) await dialog.getByLabel(options.whoAdds).check();
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await page.waitForURL(/#\/channel\//);
  return channelArnOf(page, sandbox);
}

export function channelArnOf(page: Page, sandbox: TestSandbox): string {
  const id = new URL(page.url()).hash.replace('#/channel/', '');
  return `${sandbox.config.appInstanceArn}/channel/${id}`;
}

export function channelLink(page: Page, name: string | RegExp): Locator {
  return page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name });
}

export async function openChannel(page: Page, name: string | RegExp): Promise<void> {
  await channelLink(page, name).click();
  await page.getByTestId('channel-title').filter({ hasText: name }).waitFor();
  await page.getByRole('button', { name: 'Members' }).waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await storedMessage(page, text).waitFor();
}

export async function addMember(page: Page, userId: string): Promise<void> {
  const panel = page.getByRole('complementary', { name: 'Members' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Members' }).click();
  await panel.getByLabel('Add someone by user id').fill(userId);
  await panel.getByRole('button', { name: 'Add member' }).click();
  await page.getByText(/^Added /).waitFor();
}

/** Opens a message's actions menu and picks an action. */
export async function messageAction(page: Page, text: string, action: string): Promise<void> {
  const item = message(page, text);
  await item.hover();
  await item.getByRole('button', { name: /^Actions for/ }).click();
  await item.getByRole('button', { name: action }).click();
}

export function identityPanel(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Your identity' });
}

export async function openIdentity(page: Page): Promise<Locator> {
  const panel = identityPanel(page);
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Identity' }).click();
  await panel.waitFor();
  return panel;
}
