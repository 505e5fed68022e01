/**
 * A real browser (Chromium) on a page of another origin, as any web page the developer visits
 * while the sandbox runs: it can neither read the confirmation codes nor call the API (with or
 * without a preflight), nor open the messaging WebSocket. The same calls from an allowed web
 * origin work, so the refusals come from the origin, not from the calls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';
import { launchChromium } from '../../testing/browser/support';

let sandbox: TestSandbox;
let browser: Browser;
const servers: Server[] = [];

/** A page server on 127.0.0.1:<free port>: its own origin. */
async function pageServer(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>some page</title><p>hello</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [sandbox, browser] = await Promise.all([startTestSandbox(), launchChromium()]);
  await sandbox.signUpUser('victim@example.com');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  await sandbox?.stop();
});

interface Attempt {
  codes: string;
  forgotPassword: string;
  simplePost: string;
  webSocket: string;
}

/** What a page's script gets when it tries the sandbox. */
async function attemptFrom(origin: string): Promise<Attempt> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ({ url, clientId }) => {
        const outcome = async (run: () => Promise<string>) => {
          try {
            return await run();
          } catch (error) {
            return `blocked: ${(error as Error).name}`;
          }
        };
        const codes = await outcome(async () => (await fetch(`${url}/_sandbox/codes`)).text());
        const forgotPassword = await outcome(async () => {
          const response = await fetch(`${url}/`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              'x-amz-target': 'AWSCognitoIdentityProviderService.ForgotPassword',
            },
            body: JSON.stringify({ ClientId: clientId, Username: 'victim@example.com' }),
          });
          return `status ${response.status}`;
        });
        // A "simple" request (no preflight): sent, but its answer is opaque to the page.
        const simplePost = await outcome(async () => {
          const response = await fetch(`${url}/_sandbox/codes`, {
            method: 'POST',
            mode: 'no-cors',
            body: 'x',
          });
          return `opaque ${response.type}`;
        });
        const webSocket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`${url.replace('http', 'ws')}/connect?userArn=x&sessionId=y`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('error');
        });
        return { codes, forgotPassword, simplePost, webSocket };
      },
      { url: sandbox.url, clientId: sandbox.config.userPoolClientId },
    );
  } finally {
    await context.close();
  }
}

it('a page on another origin can neither read codes nor call the API', async () => {
  const before = sandbox.codes('victim@example.com').length;
  const attempt = await attemptFrom(await pageServer());
  expect(attempt.codes).toBe('blocked: TypeError');
  expect(attempt.forgotPassword).toBe('blocked: TypeError');
  expect(attempt.simplePost).toBe('opaque opaque');
  expect(attempt.webSocket).toBe('error');
  // No code was sent: the API call never ran.
  expect(sandbox.codes('victim@example.com').length).toBe(before);
}, 60_000);

it('the same page on an allowed web origin can', async () => {
  const origin = await pageServer();
  sandbox.allowWebOrigins([origin]);
  const before = sandbox.codes('victim@example.com').length;
  const attempt = await attemptFrom(origin);
  expect(JSON.parse(attempt.codes)).toMatchObject({ codes: expect.any(Array) });
  expect(attempt.forgotPassword).toBe('status 200');
  // The WebSocket opens (then the sandbox closes it: the URL is not signed).
  expect(attempt.webSocket).toBe('open');
  expect(sandbox.codes('victim@example.com').length).toBe(before + 1);
}, 60_000);
