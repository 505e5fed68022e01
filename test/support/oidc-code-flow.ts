/**
 * Drives the OAuth 2.0 authorization code flow against an OpenID provider the way a browser does
 * (redirects followed by hand, cookies kept, the provider's sign-in form posted), for tests that
 * need real tokens of the local OpenID provider without a browser.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CodeFlowInput {
  readonly issuer: string;
  readonly clientId: string;
  /** Confidential clients (client_secret_basic); public clients use PKCE instead. */
  readonly clientSecret?: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
  /** @default 'openid email profile' */
  readonly scope?: string;
}

export interface CodeFlowResult {
  readonly idToken: string;
  readonly accessToken: string;
  /** The sign-in page's HTML as the person saw it. */
  readonly loginPage: string;
}

/** A minimal cookie jar for one host (names are unique across the provider's paths). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function step(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });
  jar.take(response);
  return response;
}

function location(response: Response, base: string): string {
  const to = response.headers.get('location');
  if (!to || response.status < 300 || response.status >= 400) {
    throw new Error(`expected a redirect, got ${response.status}`);
  }
  return new URL(to, base).toString();
}

/**
 * Follows `authorizeUrl` as a browser would, signs `username` in on the provider's page, and
 * resolves to the URL the provider finally redirects to (`redirectUri?code=...&state=...`).
 */
export async function signInAtProvider(input: {
  readonly authorizeUrl: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
}): Promise<{ callback: URL; loginPage: string }> {
  const jar = new Jar();
  const base = new URL(input.authorizeUrl).origin;
  const interactionUrl = location(await step(jar, input.authorizeUrl), base);
  const page = await step(jar, interactionUrl);
  const loginPage = await page.text();
  const posted = await step(jar, `${interactionUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ username: input.username, password: input.password }).toString(),
  });
  if (posted.status === 200) {
    throw Object.assign(new Error('the provider refused the sign-in'), {
      page: await posted.text(),
    });
  }
  let next = location(posted, base);
  while (!next.startsWith(input.redirectUri)) next = location(await step(jar, next), base);
  return { callback: new URL(next), loginPage };
}

/** Signs `username` in at the provider and exchanges the code; throws on any unexpected step. */
export async function runCodeFlow(input: CodeFlowInput): Promise<CodeFlowResult> {
  const state = randomBytes(8).toString('hex');
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${input.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    response_type: 'code',
    scope: input.scope ?? 'openid email profile',
    state,
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const { callback, loginPage } = await signInAtProvider({
    authorizeUrl: authorize.toString(),
    redirectUri: input.redirectUri,
    username: input.username,
    password: input.password,
  });
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.searchParams.get('error') ?? ''}`);

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (input.clientSecret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(
      `${encodeURIComponent(input.clientId)}:${encodeURIComponent(input.clientSecret)}`,
    ).toString('base64')}`;
  }
  const token = await fetch(`${input.issuer}/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: input.redirectUri,
      code_verifier: verifier,
      ...(input.clientSecret === undefined && { client_id: input.clientId }),
    }).toString(),
  });
  const body = (await token.json()) as { id_token?: string; access_token?: string; error?: string };
  if (!token.ok || !body.id_token || !body.access_token) {
    throw new Error(`token request failed: ${token.status} ${body.error ?? ''}`);
  }
  return { idToken: body.id_token, accessToken: body.access_token, loginPage };
}
