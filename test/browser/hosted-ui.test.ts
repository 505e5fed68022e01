/**
 * "Sign in with hosted UI" in Chromium: the app's side of the OAuth 2.0 authorization code flow
 * with PKCE (Amplify's signInWithRedirect), against a sandbox for everything after the tokens.
 *
 * The sandbox serves no hosted UI pages (docs/sandbox.md), so this test plays the hosted UI with
 * route interception: `/oauth2/authorize` checks the request and redirects back with a code,
 * `/oauth2/token` checks the code, the redirect URI and the PKCE verifier against the challenge,
 * and answers with real tokens the sandbox's user pool issued for the user. Everything after that
 * (identity pool credentials, Chime, the WebSocket) is the sandbox, as in the other tests.
 * Screenshots: test-results/browser/hosted-ui/.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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

// A name under the hosted UI wildcard the site's CSP allows; the test answers it, DNS never does.
const HOSTED_UI = 'chime-chat-test.auth.us-east-1.amazoncognito.com';
let sandbox: TestSandbox;
let buildDir: string;
let configDir: string;
let demo: DemoServer;
let browser: Browser;
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
  const configFile = join(configDir, 'config.json');
  demo = await serveWebDemo(buildDir, configFile, { contentSecurityPolicy: sandboxCsp(sandbox) });
  // The sandbox's config plus a hosted UI whose redirect URLs are this demo server.
  const config: ClientConfig = {
    ...sandbox.config,
    hostedUi: {
      domain: HOSTED_UI,
      redirectSignIn: [demo.url],
      redirectSignOut: [demo.url],
      scopes: ['openid', 'email', 'profile'],
    },
  };
  writeFileSync(configFile, JSON.stringify(config));
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(10_000);
  watchErrors(page, pageErrors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await sandbox?.stop();
  for (const dir of [buildDir, configDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a third user signs in through the hosted UI (code + PKCE) and reaches the chat', async () => {
  const ivy = await sandbox.signUpUser('ivy@example.com');
  const tokens = await sandbox.signIn(ivy);
  const issued = new Map<string, { challenge: string; redirectUri: string }>();
  const seen: string[] = [];
  const cors = { 'access-control-allow-origin': demo.url.replace(/\/$/, '') };

  await page.route(`https://${HOSTED_UI}/**`, async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    seen.push(`${request.method()} ${url.pathname}`);
    if (request.method() === 'OPTIONS') {
      await route.fulfill({
        status: 204,
        headers: {
          ...cors,
          'access-control-allow-headers': '*',
          'access-control-allow-methods': 'POST',
        },
      });
      return;
    }
    if (url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      expect(Object.fromEntries(q)).toMatchObject({
        client_id: sandbox.config.userPoolClientId,
        response_type: 'code',
        redirect_uri: demo.url,
        scope: 'openid email profile',
        code_challenge_method: 'S256',
      });
      const code = `code-${issued.size + 1}`;
      issued.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri: demo.url });
      const back = `${demo.url}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}`;
      await route.fulfill({ status: 302, headers: { location: back } });
      return;
    }
    if (url.pathname === '/oauth2/token') {
      const body = new URLSearchParams(request.postData() ?? '');
      const grant = issued.get(body.get('code') ?? '');
      const verifier = body.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const ok =
        body.get('grant_type') === 'authorization_code' &&
        body.get('client_id') === sandbox.config.userPoolClientId &&
        grant !== undefined &&
        body.get('redirect_uri') === grant.redirectUri &&
        challenge === grant.challenge;
      await route.fulfill({
        status: ok ? 200 : 400,
        headers: { ...cors, 'content-type': 'application/json' },
        body: JSON.stringify(
          ok
            ? {
                id_token: tokens.idToken,
                access_token: tokens.accessToken,
                refresh_token: tokens.refreshToken,
                token_type: 'Bearer',
                expires_in: 3600,
              }
            : { error: 'invalid_grant' },
        ),
      });
      return;
    }
    if (url.pathname === '/logout') {
      expect(url.searchParams.get('client_id')).toBe(sandbox.config.userPoolClientId);
      await route.fulfill({
        status: 302,
        headers: { location: url.searchParams.get('logout_uri') ?? demo.url },
      });
      return;
    }
    await route.fulfill({ status: 404, body: 'not a hosted UI route' });
  });

  await page.goto(demo.url);
  const button = page.getByRole('button', { name: 'Sign in with hosted UI' });
  await button.waitFor();
  await shot(page, 'sign-in-with-hosted-ui');
  await button.click();

  // Back from the hosted UI with a code: Amplify exchanges it (PKCE) and the app opens.
  await page.getByRole('heading', { name: 'Who am I' }).waitFor();
  await expect(page.getByTestId('user-id').textContent()).resolves.toBe(ivy.sub);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
  await page.getByTestId('no-channels').waitFor();
  expect(new URL(page.url()).search).toBe('');
  await shot(page, 'hosted-ui-signed-in');
  expect(seen).toEqual(['GET /oauth2/authorize', 'POST /oauth2/token']);

  // Sign out ends the hosted UI session too (its /logout), then back to the app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(seen.at(-1)).toBe('GET /logout');
  expect(pageErrors).toEqual([]);
});
