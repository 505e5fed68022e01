/**
 * What a person does in the web demo, as the browser tests do it: by labels, roles and visible
 * text, the way a person (or a screen reader) finds things.
 */
import { randomUUID } from 'node:crypto';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { Locator, Page, Route, WebSocketRoute } from 'playwright-core';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';

/** A page's messaging WebSocket, routed through Playwright so that a test can end it. */
export interface MessagingSocketControl {
  /** Closes both sides of the page's current socket. */
  close(code: number, reason: string): Promise<void>;
  /**
   * The backend goes away: the sandbox's HTTP requests and new sockets are refused until
   * `restore()`. New sockets too: the demo reconnects with the endpoint it remembered and the
   * credentials it holds, so refusing HTTP alone let its socket come back within a second.
   */
  outage(): Promise<void>;
  restore(): Promise<void>;
}

export async function messagingSocketControl(
  page: Page,
  backendUrl: string,
): Promise<MessagingSocketControl> {
  let current: { page: WebSocketRoute; server: WebSocketRoute } | undefined;
  let down = false;
  await page.context().routeWebSocket(/\/connect\?/, (ws) => {
    if (down) {
      void ws.close({ code: 1011, reason: 'backend gone' });
      return;
    }
    current = { page: ws, server: ws.connectToServer() };
  });
  const refuse = (route: Route) => route.abort('connectionrefused');
  return {
    async close(code, reason) {
      await current?.server.close({ code, reason });
      await current?.page.close({ code, reason });
    },
    async outage() {
      down = true;
      await page.route(`${backendUrl}/**`, refuse);
    },
    async restore() {
      down = false;
      await page.unroute(`${backendUrl}/**`, refuse);
    },
  };
}

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

/** "New channel" in the channel list (the empty conversation area may offer one too). */
export function newChannelButton(page: Page): Locator {
  return page
    .getByRole('navigation', { name: 'Channels' })
    .getByRole('button', { name: 'New channel' });
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
  await newChannelButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name').fill(name);
  if (options.privacy) await dialog.getByLabel(options.privacy).check();
  if (options.whoAdds) await dialog.getByLabel(options.whoAdds).check();
  const before = page.url();
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  // The new channel's own URL (not the one that was open).
  await page.waitForURL((url) => url.hash.startsWith('#/channel/') && url.href !== before);
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

/** Adds a person by user id or email through the members panel; waits for "Added …". */
export async function addMember(page: Page, person: string): Promise<void> {
  const panel = page.getByRole('complementary', { name: 'Members' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Members' }).click();
  await panel.getByLabel('Add people by email or user id').fill(person);
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

/** A Chime messaging client signed with `email`'s own identity pool credentials, and its bearer. */
export async function chimeAs(
  sandbox: TestSandbox,
  user: { email: string; sub: string },
): Promise<{ client: ChimeSDKMessagingClient; bearer: string }> {
  const tokens = await sandbox.signIn({ email: user.email, password: TEST_PASSWORD });
  const { credentials } = await sandbox.credentialsFor(tokens.idToken);
  const client = new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
  });
  return { client, bearer: `${sandbox.config.appInstanceArn}/user/${user.sub}` };
}

/** Creates a channel as `owner` through the SDK, with these members (ARNs); returns its ARN. */
export async function createChannelAs(
  owner: { client: ChimeSDKMessagingClient; bearer: string },
  name: string,
  options: { privacy?: 'PUBLIC' | 'PRIVATE'; members?: readonly string[] } = {},
): Promise<string> {
  const { ChannelArn } = await owner.client.send(
    new CreateChannelCommand({
      AppInstanceArn: owner.bearer.replace(/\/user\/[^/]+$/, ''),
      Name: name,
      ...(options.privacy && { Privacy: options.privacy }),
      ClientRequestToken: randomUUID(),
      ChimeBearer: owner.bearer,
    }),
  );
  for (const member of options.members ?? []) {
    await owner.client.send(
      new CreateChannelMembershipCommand({
        ChannelArn,
        MemberArn: member,
        Type: 'DEFAULT',
        ChimeBearer: owner.bearer,
      }),
    );
  }
  return ChannelArn ?? '';
}

/** Sends one message as `from`, straight through the SDK (not through the page). */
export async function sendAs(
  from: { client: ChimeSDKMessagingClient; bearer: string },
  channelArn: string,
  content: string,
): Promise<void> {
  await from.client.send(
    new SendChannelMessageCommand({
      ChannelArn: channelArn,
      Content: content,
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ClientRequestToken: randomUUID(),
      ChimeBearer: from.bearer,
    }),
  );
}

/** Sends `count` messages "<prefix> 1" ... "<prefix> count" as `from`, straight through the SDK. */
export async function sendMany(
  from: { client: ChimeSDKMessagingClient; bearer: string },
  channelArn: string,
  prefix: string,
  count: number,
): Promise<void> {
  for (let i = 1; i <= count; i += 1) await sendAs(from, channelArn, `${prefix} ${i}`);
}

/** Every stored message of a channel with this content, as the service has it. */
export async function storedCopies(
  as: { client: ChimeSDKMessagingClient; bearer: string },
  channelArn: string,
  content: string,
): Promise<number> {
  const listed = await as.client.send(
    new ListChannelMessagesCommand({
      ChannelArn: channelArn,
      ChimeBearer: as.bearer,
      MaxResults: 50,
    }),
  );
  return (listed.ChannelMessages ?? []).filter((m) => m.Content === content).length;
}
