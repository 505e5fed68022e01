/**
 * The messaging session endpoint without a request on sign-in (web-demo/src/session-endpoint.ts,
 * issue 17's budget of 6 requests): the client config carries it (the stack asks at deploy time,
 * the sandbox gives its own), so every sign-in, a browser's first included, connects without
 * asking GetMessagingSessionEndpoint. Without it in the config the endpoint is remembered after the
 * first sign-in; a stale configured or remembered one (the sandbox answers a new host every run)
 * falls back to asking the service, and the session opens on its answer.
 */
import { createServer } from 'node:net';
import type { Page, Request } from 'playwright-core';
import type { ClientConfig } from '../../contracts/client-config';
import type { TestUser } from '../../sandbox/testing';
import { connection, signIn } from './chat-helpers';
import { DESKTOP, type DemoStack, startDemoStack } from '../../testing/browser/support';

jest.setTimeout(120_000);

let stack: DemoStack;
let user: TestUser;
const pageErrors: string[] = [];

function endpointKey(): string {
  const { region, appInstanceArn } = stack.sandbox.config;
  return `chime-chat:session-endpoint:${region}:${appInstanceArn}`;
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** Counts the page's GetMessagingSessionEndpoint calls. */
function endpointCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/endpoints/messaging-session')
      calls.push(request.url());
  });
  return calls;
}

/** The sign-in walk with the endpoint known: the budget's 6 requests (order aside). */
const WALK = [
  'InitiateAuth',
  'RespondToAuthChallenge',
  'GetId',
  'GetCredentialsForIdentity',
  // ListChannelMembershipsForAppInstanceUser (?scope=app-instance-user-memberships).
  'GET /channels',
  'WebSocket /connect',
].sort();

/** Serves this page a changed copy of the sandbox's config.json. */
async function serveConfig(page: Page, edit: (config: ClientConfig) => ClientConfig) {
  const config = edit(stack.sandbox.config);
  await page.route('**/config.json', (route) => route.fulfill({ json: config }));
}

function withoutEndpoint(config: ClientConfig): ClientConfig {
  const { messagingSessionEndpoint: _omitted, ...rest } = config;
  return rest;
}

/**
 * Signs in and names every request to the sandbox (the AWS APIs: Amplify's x-amz-target, or the
 * REST path) and every WebSocket, from the click to channels listed and the session live.
 */
async function signInWalk(page: Page, email: string): Promise<string[]> {
  const walk: string[] = [];
  const sandboxOrigin = new URL(stack.sandbox.url).origin;
  const onRequest = (request: Request) => {
    const url = new URL(request.url());
    if (url.origin !== sandboxOrigin) return;
    const target = request.headers()['x-amz-target'];
    walk.push(target ? (target.split('.').pop() ?? target) : `${request.method()} ${url.pathname}`);
  };
  const onSocket = (ws: { url(): string }) => walk.push(`WebSocket ${new URL(ws.url()).pathname}`);
  page.on('request', onRequest);
  page.on('websocket', onSocket);
  try {
    await signIn(page, email);
    await page.getByTestId('no-channels').or(page.getByTestId('channel-list')).waitFor();
  } finally {
    page.off('request', onRequest);
    page.off('websocket', onSocket);
  }
  return walk;
}

/** Signs out and waits for Amplify's RevokeToken, so it is not counted in the next walk. */
async function signOut(page: Page): Promise<void> {
  const revoked = page
    .waitForRequest((r) => r.headers()['x-amz-target']?.endsWith('.RevokeToken') ?? false)
    .then((request) => request.response());
  await page.getByRole('button', { name: 'Sign out' }).click();
  await revoked;
}

beforeAll(async () => {
  stack = await startDemoStack();
  user = await stack.sandbox.signUpUser('returning@example.com');
}, 180_000);

afterAll(() => stack?.stop());

test("every sign-in, a browser's first included, is 6 requests: the endpoint comes with the config", async () => {
  expect(stack.sandbox.config.messagingSessionEndpoint).toBe(new URL(stack.sandbox.url).host);
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  const calls = endpointCalls(page);
  const agents: (string | null)[] = [];
  page.on('websocket', (ws) =>
    agents.push(new URL(ws.url()).searchParams.get('X-Amzn-User-Agent')),
  );
  const hosts: string[] = [];
  page.on('websocket', (ws) => hosts.push(new URL(ws.url()).host));
  await page.goto(stack.demo.url);
  const first = await signInWalk(page, user.email);
  expect([...first].sort()).toEqual(WALK);
  expect(calls).toHaveLength(0);
  expect(hosts).toEqual([stack.sandbox.config.messagingSessionEndpoint]);
  // The SDK names the browser in the signed URL through the slim stand-in for
  // DefaultBrowserBehavior (vite.config.ts, chime-sdk-browser-name.ts).
  expect(agents).toEqual([expect.stringMatching(/^chrome-\d+$/)]);
  // Nothing to remember: the config has it.
  await expect(page.evaluate((key) => localStorage.getItem(key), endpointKey())).resolves.toBe(
    null,
  );

  await signOut(page);
  const later = await signInWalk(page, user.email);
  expect([...later].sort()).toEqual(WALK);
  expect(calls).toHaveLength(0);
  await page.close();
});

test('a config without the endpoint: the first sign-in asks and remembers it, the next one uses it', async () => {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  await serveConfig(page, withoutEndpoint);
  const calls = endpointCalls(page);
  await page.goto(stack.demo.url);
  const first = await signInWalk(page, user.email);
  expect([...first].sort()).toEqual([...WALK, 'GET /endpoints/messaging-session'].sort());
  expect(calls).toHaveLength(1);
  const remembered = await page.evaluate((key) => localStorage.getItem(key), endpointKey());
  expect(remembered).toBe(new URL(stack.sandbox.url).host);

  await signOut(page);
  const later = await signInWalk(page, user.email);
  expect([...later].sort()).toEqual(WALK);
  expect(calls).toHaveLength(1);
  await page.close();
});

test('a stale remembered endpoint falls back to GetMessagingSessionEndpoint and connects', async () => {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  await serveConfig(page, withoutEndpoint);
  const calls = endpointCalls(page);
  await page.goto(stack.demo.url);
  const stale = `127.0.0.1:${await closedPort()}`;
  await page.evaluate(({ key, host }) => localStorage.setItem(key, host), {
    key: endpointKey(),
    host: stale,
  });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(new URL(ws.url()).host));

  await signIn(page, user.email);
  await expect(connection(page).textContent()).resolves.toContain('Live');
  expect(calls).toHaveLength(1);
  expect(sockets.at(-1)).toBe(new URL(stack.sandbox.url).host);
  const remembered = await page.evaluate((key) => localStorage.getItem(key), endpointKey());
  expect(remembered).toBe(new URL(stack.sandbox.url).host);
  await page.close();
});

test('a stale configured endpoint falls back to GetMessagingSessionEndpoint and connects', async () => {
  const stale = `127.0.0.1:${await closedPort()}`;
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  await serveConfig(page, (config) => ({ ...config, messagingSessionEndpoint: stale }));
  const calls = endpointCalls(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(new URL(ws.url()).host));
  await page.goto(stack.demo.url);

  await signIn(page, user.email);
  await expect(connection(page).textContent()).resolves.toContain('Live');
  expect(calls).toHaveLength(1);
  // The stale one was tried first: the site's CSP refused it (Playwright reports no socket then).
  expect(pageErrors.some((e) => e.includes(`ws://${stale}/connect`))).toBe(true);
  expect(sockets).toEqual([new URL(stack.sandbox.url).host]);
  const remembered = await page.evaluate((key) => localStorage.getItem(key), endpointKey());
  expect(remembered).toBe(new URL(stack.sandbox.url).host);
  await page.close();
});

test('no console errors beyond the stale endpoints refused', () => {
  // The site's CSP names the sandbox's own origin only: the stale host is refused by it.
  const provoked =
    /^console: Connecting to 'ws:\/\/127\.0\.0\.1:\d+\/connect\?.* violates the following Content Security Policy directive: "connect-src /;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
