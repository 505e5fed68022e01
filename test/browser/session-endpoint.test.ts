/**
 * The remembered messaging session endpoint (web-demo/src/session-endpoint.ts, issue 17's request
 * budget): a later sign-in connects on the remembered endpoint without asking
 * GetMessagingSessionEndpoint; a stale one (the sandbox answers a new host every run) is dropped,
 * the service asked, and the session opens on its answer.
 */
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
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

beforeAll(async () => {
  stack = await startDemoStack();
  user = await stack.sandbox.signUpUser('returning@example.com');
}, 180_000);

afterAll(() => stack?.stop());

test('the first sign-in asks for the endpoint and remembers it; the next one uses it', async () => {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
  const calls = endpointCalls(page);
  const agents: (string | null)[] = [];
  page.on('websocket', (ws) =>
    agents.push(new URL(ws.url()).searchParams.get('X-Amzn-User-Agent')),
  );
  await page.goto(stack.demo.url);
  await signIn(page, user.email);
  expect(calls).toHaveLength(1);
  // The SDK names the browser in the signed URL through the slim stand-in for
  // DefaultBrowserBehavior (vite.config.ts, chime-sdk-browser-name.ts).
  expect(agents).toEqual([expect.stringMatching(/^chrome-\d+$/)]);
  const remembered = await page.evaluate((key) => localStorage.getItem(key), endpointKey());
  expect(remembered).toBe(new URL(stack.sandbox.url).host);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, user.email);
  expect(calls).toHaveLength(1);
  await page.close();
});

test('a stale remembered endpoint falls back to GetMessagingSessionEndpoint and connects', async () => {
  const page = await stack.newPage(pageErrors, { viewport: DESKTOP });
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

test('no console errors beyond the stale endpoint refused', () => {
  // The site's CSP names the sandbox's own origin only: the stale host is refused by it.
  const provoked =
    /^console: Connecting to 'ws:\/\/127\.0\.0\.1:\d+\/connect\?.* violates the following Content Security Policy directive: "connect-src /;
  expect(pageErrors.filter((e) => !provoked.test(e))).toEqual([]);
});
