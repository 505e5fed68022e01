/**
 * A federated sign-in through the sandbox hosted UI, driven as a browser would: authorize with
 * `identity_provider`, the local OpenID provider's page, back to `/oauth2/idpresponse` with the
 * state cookie, the code exchanged at `/oauth2/token`. And which trigger sources ran meanwhile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import type { TestSandbox } from '../../sandbox/testing';
import { signInAtProvider } from './oidc-code-flow';
import { type RawReply, rawRequest } from './raw-request';

/** Where the test app says it lives (a callback URL of the template's client). */
export const TEST_APP_URL = 'http://localhost:5173/';

export function jwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** HTTPS to the sandbox hosted UI, trusting only its certificate. */
export function hostedUiCall(
  sandbox: TestSandbox,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  const url = path.startsWith('https://') ? path : `${sandbox.hostedUi!.url}${path}`;
  return rawRequest(url, { ...options, tls: { ca: sandbox.hostedUi!.certificate.cert } });
}

export interface FederatedRedirect {
  /** The hosted UI's answer at /oauth2/idpresponse (a redirect to the app, or an error). */
  readonly back: RawReply;
  /** The PKCE verifier of the app's authorize request. */
  readonly verifier: string;
  /** The hosted UI's state cookie (`name=value`). */
  readonly cookie: string;
  /** Where the provider sent the browser back to. */
  readonly callback: URL;
}

/** Authorize through `provider`, sign `username` in at the local provider, come back. */
export async function federatedRedirect(
  sandbox: TestSandbox,
  provider: string,
  username: string,
  options: { followBack?: boolean } = {},
): Promise<FederatedRedirect> {
  const verifier = randomBytes(48).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.config.userPoolClientId,
    redirect_uri: TEST_APP_URL,
    scope: 'openid email profile',
    state: 'app-state-1',
    code_challenge_method: 'S256',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    identity_provider: provider,
  });
  const out = await hostedUiCall(sandbox, `/oauth2/authorize?${query.toString()}`);
  if (out.status !== 302) throw new Error(`authorize answered ${out.status}`);
  const cookie = String(out.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const person = LOCAL_OIDC_PEOPLE.find((p) => p.username === username);
  const { callback } = await signInAtProvider({
    authorizeUrl: String(out.headers.location),
    redirectUri: `${sandbox.hostedUi!.url}/oauth2/idpresponse`,
    username,
    password: person?.password ?? '',
  });
  const back =
    options.followBack === false
      ? ({ status: 0, headers: {}, body: '' } as RawReply)
      : await hostedUiCall(sandbox, callback.toString(), { headers: { cookie } });
  return { back, verifier, cookie, callback };
}

/** A whole federated sign-in: the app's tokens. */
export async function federatedTokens(
  sandbox: TestSandbox,
  provider: string,
  username: string,
): Promise<{ id_token: string; access_token: string; refresh_token: string }> {
  const { back, verifier } = await federatedRedirect(sandbox, provider, username);
  const location = new URL(String(back.headers.location));
  const code = location.searchParams.get('code');
  if (back.status !== 302 || !code) throw new Error(`no code: ${location.search || back.status}`);
  const token = await hostedUiCall(sandbox, '/oauth2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: sandbox.config.userPoolClientId,
      code,
      redirect_uri: TEST_APP_URL,
      code_verifier: verifier,
    }).toString(),
  });
  if (token.status !== 200) throw new Error(`token answered ${token.status}: ${token.body}`);
  return JSON.parse(token.body) as {
    id_token: string;
    access_token: string;
    refresh_token: string;
  };
}

/** The trigger sources the sandbox invoked while `run` ran, in order. */
export async function triggerSourcesDuring(
  sandbox: TestSandbox,
  run: () => Promise<unknown>,
): Promise<string[]> {
  const spy = jest.spyOn(sandbox.lambda, 'invoke');
  try {
    await run();
    return spy.mock.calls.map(
      ([, payload]) => (JSON.parse(String(payload)) as { triggerSource: string }).triggerSource,
    );
  } finally {
    spy.mockRestore();
  }
}
