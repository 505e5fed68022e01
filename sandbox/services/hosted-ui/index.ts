/**
 * The sandbox's hosted UI (Cognito managed login): the OAuth 2.0 authorization code flow with
 * PKCE that Amplify's `signInWithRedirect` drives, over loopback HTTPS on its own port.
 *
 *   GET  /oauth2/authorize   validates the request, then -> /login (as Cognito does)
 *   GET  /login              the sign-in page;  POST /login  signs in, redirects with a code
 *   POST /oauth2/token       authorization_code (+ PKCE S256) and refresh_token grants; CORS
 *   GET  /logout             ends the hosted UI session, redirects to a registered logout URL
 *   GET  /oauth2/idpresponse an external provider's answer (federation.ts): the person is signed in
 *
 * Sign-in goes through the sandbox's own user pool API (`InitiateAuth` USER_SRP_AUTH and the
 * PASSWORD_VERIFIER answer, as the app client allows SRP only; then `RespondToAuthChallenge`
 * NEW_PASSWORD_REQUIRED for administrator-created users), so the password
 * policy, the triggers (PostAuthentication, the healing of administrator-created users) and the
 * sign-out checks apply exactly as for any other sign-in, and the tokens are the pool's tokens,
 * signed with the sandbox's key. The hosted UI only rewrites the claims the OAuth flow decides
 * (the access token's `scope`, the ID token's `nonce`) and signs them again with that same key.
 *
 * A sign-in starts a hosted UI session (an HttpOnly cookie, one hour, as Cognito's): authorize
 * requests within it skip the page (`prompt=login` forces it, `prompt=none` never shows it) and
 * get tokens refreshed from the session's refresh token; /logout ends it.
 *
 * External identity providers (federation.ts): `identity_provider=<name>` on authorize, or the
 * sign-in page's "Continue with <label>", goes to the provider; OIDC providers are played by the
 * local OpenID provider (local-federation.ts).
 *
 * Not modelled: sign-up and forgot-password pages, SAML and social providers (listed, refused
 * with an error), `/oauth2/userInfo`, client secrets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HostedUiConfig } from '../../../contracts/client-config';
import {
  type WebOrigins,
  corsHeaders,
  hostRefusal,
  loopbackUrls,
  originRefusal,
  preflightHeaders,
} from '../../core/browser-access';
import { readLimitedBody } from '../../core/body';
import type { JsonStore, SandboxState } from '../../core/state';
import { type SigningKey, resign } from '../../user-pool/signing-key';
import { SrpClient } from '../../user-pool/srp';
import { type HostedUiCertificate, loadOrCreateCertificate } from './certificate';
import {
  FEDERATION_COOKIE,
  FederationError,
  type FederationOptions,
  HostedUiFederation,
} from './federation';
import { type Page, errorPage, homePage, newPasswordPage, signInPage } from './pages';

/** Authorization codes are valid this long and once (Cognito: 5 minutes). */
export const CODE_LIFETIME_MS = 5 * 60_000;
const CHALLENGE_LIFETIME_MS = 3 * 60_000;
const REFRESH_SCOPES_KEPT = 1000;
const SESSION_COOKIE = 'sandbox-hosted-ui-session';
/** The hosted UI session (Cognito: one hour). */
const SESSION_LIFETIME_MS = 60 * 60_000;
const BODY_LIMIT = 64 * 1024;
const IDP_TARGET = 'AWSCognitoIdentityProviderService.';
const BAD_CREDENTIALS = 'Incorrect username or password.';

export interface StartHostedUiOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Keeps the certificate (`cert.pem`, `key.pem`) and the refresh-token scopes. */
  readonly state: SandboxState;
  /** The sandbox endpoint that serves the user pool API (`http://127.0.0.1:<port>`). */
  readonly userPoolEndpoint: string;
  /** The pool's id (SRP hashes the part after the region). */
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The resolved `Properties` of the template's `AWS::Cognito::UserPoolClient`. */
  readonly client: Record<string, unknown>;
  /** The resolved `Properties` of the template's `AWS::Cognito::UserPool` (username label). */
  readonly pool: Record<string, unknown>;
  /**
   * URLs of the local web demo, added to the client's callback and logout URLs (as the sandbox
   * serves them). @default - none
   */
  readonly localAppUrls?: readonly string[];
  /**
   * The web origins allowed to call the token endpoint from a browser (shared with the services
   * port; `addAppUrls` adds to it). Every page of the hosted UI also refuses a `Host` that is not
   * a loopback name with its port.
   */
  readonly webOrigins: WebOrigins;
  /** The user pool's signing key (the OAuth claims are signed again with it). */
  readonly signingKey: SigningKey;
  /**
   * Sign-in through the user pool's external identity providers (federation.ts).
   * @default - password sign-in only
   */
  readonly federation?: FederationOptions;
  readonly log?: (line: string) => void;
}

export interface RunningHostedUi {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`: what `hostedUi.domain` in the client config says. */
  readonly domain: string;
  readonly port: number;
  readonly certificate: HostedUiCertificate;
  /** The callback URLs accepted now (template + local app URLs + added ones). */
  callbackUrls(): string[];
  logoutUrls(): string[];
  /**
   * Registers more app URLs as callback and logout URLs (e.g. a web demo on a free port), and
   * allows their origins to call the token endpoint and the services.
   */
  addAppUrls(urls: readonly string[]): void;
  /** The `hostedUi` part of the client config. */
  config(): HostedUiConfig;
  stop(): Promise<void>;
}

/** An OAuth 2.0 error (RFC 6749 4.1.2.1 / 5.2): `error` code and description. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: string[];
  readonly state?: string;
  readonly codeChallenge?: string;
  readonly nonce?: string;
  /** `/login?<query>`: where the form posts. */
  readonly action: string;
  /** `identity_provider`, when it names one of the pool's external providers. */
  readonly identityProvider?: string;
}

interface Tokens {
  readonly IdToken: string;
  readonly AccessToken: string;
  readonly RefreshToken?: string;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  readonly scopes: string[];
  readonly tokens: Tokens;
  readonly expires: number;
}

interface PendingChallenge {
  readonly username: string;
  readonly session: string;
  readonly request: AuthorizeRequest;
  readonly expires: number;
}

/** Thrown by {@link callUserPool}: the user pool's error name and message. */
class UserPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserPoolError';
  }
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `'${name}' is repeated`);
  return values[0] === '' ? undefined : values[0];
}

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** Rewrites claims of a token the pool issued and signs it again with the pool's key. */
function withClaims(token: string, patch: Record<string, unknown>, key: SigningKey): string {
  const [header, payload] = token.split('.');
  if (!header || !payload) throw new Error('not a JWT');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object;
  const body = Buffer.from(JSON.stringify({ ...claims, ...patch })).toString('base64url');
  return resign(`${header}.${body}.`, key);
}

/** Seconds until the token's `exp`. */
function expiresIn(token: string): number {
  const claims = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { exp?: number };
  return Math.max(0, (claims.exp ?? 0) - Math.floor(Date.now() / 1000));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const body = await readLimitedBody(req, BODY_LIMIT);
  if (body === undefined) throw new OAuthError('invalid_request', 'request body too large', 413);
  return body.toString('utf8');
}

function sendPage(res: ServerResponse, page: Page): void {
  res.writeHead(page.status, page.headers);
  res.end(page.body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}) {
  res.writeHead(302, { ...headers, location, 'cache-control': 'no-store' });
  res.end();
}

function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  cors: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...cors,
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  res.end(JSON.stringify(body));
}

export async function startHostedUi(options: StartHostedUiOptions): Promise<RunningHostedUi> {
  const log = options.log ?? (() => {});
  const certificate = await loadOrCreateCertificate(options.state.subdir('hosted-ui'));
  const client = options.client;
  const clientId = options.userPoolClientId;
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const allowedScopes = strings(client.AllowedOAuthScopes);
  const oauthEnabled =
    client.AllowedOAuthFlowsUserPoolClient === true &&
    strings(client.AllowedOAuthFlows).includes('code');
  const callbackUrls = new Set([...strings(client.CallbackURLs), ...(options.localAppUrls ?? [])]);
  const logoutUrls = new Set([...strings(client.LogoutURLs), ...(options.localAppUrls ?? [])]);
  const usernameLabel = strings(options.pool.UsernameAttributes).includes('email')
    ? 'Email'
    : 'Username';
  // The scopes granted with each refresh token (hashed), so refreshed access tokens keep them.
  const refreshScopes: JsonStore<Record<string, string>> = options.state.store(
    'hosted-ui-refresh-scopes',
    () => ({}),
  );
  const federation =
    options.federation && new HostedUiFederation<AuthorizeRequest>(options.federation);
  const codes = new Map<string, IssuedCode>();
  const challenges = new Map<string, PendingChallenge>();
  const sessions = new Map<string, { refreshToken: string; expires: number }>();
  let origin = '';
  let port = 0;
  const selfOrigins = () => [origin, origin.replace('//127.0.0.1:', '//localhost:')];

  const prune = () => {
    const now = Date.now();
    for (const [code, issued] of codes) if (issued.expires <= now) codes.delete(code);
    for (const [id, pending] of challenges) if (pending.expires <= now) challenges.delete(id);
    for (const [id, session] of sessions) if (session.expires <= now) sessions.delete(id);
  };

  async function callUserPool(operation: string, body: object): Promise<Record<string, unknown>> {
    const response = await fetch(`${options.userPoolEndpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${IDP_TARGET}${operation}`,
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const type =
        response.headers.get('x-amzn-errortype') ??
        (typeof json.__type === 'string' ? json.__type : '');
      const code = type.split(':')[0]?.split('#').at(-1) || `HTTP ${response.status}`;
      const message = [json.message, json.Message].find((m) => typeof m === 'string');
      throw new UserPoolError(code, typeof message === 'string' ? message : '');
    }
    return json;
  }

  /** USER_SRP_AUTH then the PASSWORD_VERIFIER answer, as Amplify signs in (srp.ts, client half). */
  async function signInWithSrp(
    client: string,
    username: string,
    password: string,
  ): Promise<Record<string, unknown>> {
    const srp = new SrpClient(options.userPoolId);
    const started = await callUserPool('InitiateAuth', {
      ClientId: client,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: srp.A },
    });
    if (started.ChallengeName !== 'PASSWORD_VERIFIER') return started;
    return callUserPool('RespondToAuthChallenge', {
      ClientId: client,
      ChallengeName: 'PASSWORD_VERIFIER',
      Session: started.Session,
      ChallengeResponses: srp.respond(
        started.ChallengeParameters as Record<string, string | undefined>,
        password,
      ),
    });
  }

  /** RFC 6749 4.1.1 + PKCE (RFC 7636), with Cognito's rules. */
  function parseAuthorize(search: string): AuthorizeRequest {
    const q = new URLSearchParams(search);
    const requestedClient = single(q, 'client_id');
    if (!requestedClient) throw new OAuthError('invalid_request', "'client_id' is required");
    if (requestedClient !== clientId) {
      throw new OAuthError('invalid_client', `no app client '${requestedClient}' in this pool`);
    }
    const redirectUri = single(q, 'redirect_uri');
    if (!redirectUri) throw new OAuthError('invalid_request', "'redirect_uri' is required");
    if (!callbackUrls.has(redirectUri)) {
      throw new OAuthError(
        'redirect_mismatch',
        `'${redirectUri}' is not a callback URL of the app client`,
      );
    }
    return { clientId: requestedClient, redirectUri, scopes: [], action: `/login?${q.toString()}` };
  }

  /** The checks whose failure goes back to the app (redirect with `error`). */
  function checkAuthorize(search: string, base: AuthorizeRequest): AuthorizeRequest {
    const q = new URLSearchParams(search);
    const state = single(q, 'state');
    const fail = (error: string, description: string) => {
      const back = new URL(base.redirectUri);
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (state !== undefined) back.searchParams.set('state', state);
      return Object.assign(new OAuthError(error, description), { redirectTo: back.toString() });
    };
    const responseType = single(q, 'response_type');
    if (!responseType) throw fail('invalid_request', "'response_type' is required");
    if (responseType !== 'code' && responseType !== 'token') {
      throw fail('unsupported_response_type', `response_type '${responseType}' is not supported`);
    }
    if (!oauthEnabled || responseType !== 'code') {
      throw fail('unauthorized_client', `the app client is not allowed the '${responseType}' flow`);
    }
    const scope = single(q, 'scope');
    const scopes = scope ? [...new Set(scope.split(' ').filter(Boolean))] : allowedScopes;
    const unknown = scopes.filter((s) => !allowedScopes.includes(s));
    if (unknown.length > 0 || scopes.length === 0) {
      throw fail('invalid_scope', `scope not allowed for the app client: ${unknown.join(' ')}`);
    }
    const provider = single(q, 'identity_provider');
    if (provider !== undefined && provider !== 'COGNITO') {
      const external = federation?.provider(provider);
      if (!external) {
        throw fail('invalid_request', `identity provider '${provider}' is not configured`);
      }
      if (!external.emulated) {
        throw fail(
          'invalid_request',
          `identity provider '${provider}' (${external.type}) is not emulated by the sandbox`,
        );
      }
    }
    const codeChallenge = single(q, 'code_challenge');
    const method = single(q, 'code_challenge_method');
    if (codeChallenge !== undefined || method !== undefined) {
      if (method !== 'S256') {
        throw fail('invalid_request', "code_challenge_method must be 'S256'");
      }
      if (!codeChallenge || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
        throw fail('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
      }
    }
    const nonce = single(q, 'nonce');
    return {
      ...base,
      scopes,
      ...(provider !== undefined && provider !== 'COGNITO' && { identityProvider: provider }),
      ...(state !== undefined && { state }),
      ...(codeChallenge !== undefined && { codeChallenge }),
      ...(nonce !== undefined && { nonce }),
    };
  }

  /** Validates an authorize query; on failure answers (error page or redirect) and returns. */
  function authorizeOrAnswer(res: ServerResponse, search: string): AuthorizeRequest | undefined {
    let base: AuthorizeRequest;
    try {
      base = parseAuthorize(search);
    } catch (error) {
      const e = error as OAuthError;
      // Never redirect to an unverified URL: show the error here (Cognito: /error page).
      sendPage(res, errorPage(400, e.error, e.message));
      return undefined;
    }
    try {
      return checkAuthorize(search, base);
    } catch (error) {
      const e = error as OAuthError & { redirectTo?: string };
      if (e.redirectTo) redirect(res, e.redirectTo);
      else sendPage(res, errorPage(400, e.error, e.message));
      return undefined;
    }
  }

  function issueCode(
    res: ServerResponse,
    request: AuthorizeRequest,
    tokens: Tokens,
    headers: Record<string, string> = {},
  ): void {
    prune();
    const code = randomId();
    codes.set(code, {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      ...(request.codeChallenge !== undefined && { codeChallenge: request.codeChallenge }),
      scopes: request.scopes,
      tokens: {
        ...tokens,
        IdToken: request.nonce
          ? withClaims(tokens.IdToken, { nonce: request.nonce }, options.signingKey)
          : tokens.IdToken,
        AccessToken: withClaims(
          tokens.AccessToken,
          { scope: request.scopes.join(' ') },
          options.signingKey,
        ),
      },
      expires: Date.now() + CODE_LIFETIME_MS,
    });
    if (tokens.RefreshToken) {
      const hash = sha256(tokens.RefreshToken).toString('base64url');
      refreshScopes.update((s) => {
        s[hash] = request.scopes.join(' ');
        // Oldest first (insertion order): keep the newest REFRESH_SCOPES_KEPT.
        const keys = Object.keys(s);
        for (const old of keys.slice(0, Math.max(0, keys.length - REFRESH_SCOPES_KEPT))) {
          delete s[old];
        }
      });
    }
    const back = new URL(request.redirectUri);
    back.searchParams.set('code', code);
    if (request.state !== undefined) back.searchParams.set('state', request.state);
    redirect(res, back.toString(), headers);
  }

  /** Authorize within a hosted UI session: fresh tokens from its refresh token, no page. */
  async function fromSession(
    req: IncomingMessage,
    res: ServerResponse,
    request: AuthorizeRequest,
  ): Promise<boolean> {
    const id = cookieOf(req, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.get(id);
    if (!id || !session || session.expires <= Date.now()) return false;
    try {
      const result = await callUserPool('InitiateAuth', {
        ClientId: request.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      });
      const tokens = result.AuthenticationResult as Tokens | undefined;
      if (!tokens?.IdToken || !tokens.AccessToken) throw new UserPoolError('NoTokens', '');
      issueCode(res, request, { ...tokens, RefreshToken: session.refreshToken });
      return true;
    } catch (error) {
      if (!(error instanceof UserPoolError)) throw error;
      // Signed out globally, disabled or deleted: the session is over.
      sessions.delete(id);
      return false;
    }
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, search: string) {
    const request = authorizeOrAnswer(res, search);
    if (!request) return;
    const prompt = new URLSearchParams(search).get('prompt');
    if (prompt !== 'login' && (await fromSession(req, res, request))) return;
    if (prompt === 'none') {
      const back = new URL(request.redirectUri);
      back.searchParams.set('error', 'login_required');
      back.searchParams.set('error_description', 'no hosted UI session');
      if (request.state !== undefined) back.searchParams.set('state', request.state);
      redirect(res, back.toString());
      return;
    }
    if (request.identityProvider && federation) {
      const provider = federation.provider(request.identityProvider)!;
      const { location, cookie } = await federation.start(request, provider, idpResponseUrl());
      redirect(res, location, { 'set-cookie': cookie });
      return;
    }
    redirect(res, `/login?${search}`);
  }

  /** Where providers send people back (Cognito: `https://<domain>/oauth2/idpresponse`). */
  const idpResponseUrl = () => `${origin}/oauth2/idpresponse`;

  /** The provider's answer: the user pool signs the person in, the app gets a code. */
  async function idpResponse(req: IncomingMessage, res: ServerResponse, search: string) {
    if (!federation) {
      sendPage(res, errorPage(404, 'not_found', 'No identity provider is configured.'));
      return;
    }
    const clearCookie = {
      'set-cookie': `${FEDERATION_COOKIE}=; Path=/oauth2/idpresponse; Max-Age=0; Secure; HttpOnly; SameSite=Lax`,
    };
    let outcome;
    try {
      outcome = await federation.finish(req, search, idpResponseUrl());
    } catch (error) {
      const pending = (error as { request?: AuthorizeRequest }).request;
      if (!(error instanceof FederationError)) throw error;
      if (!pending) {
        sendPage(res, errorPage(400, error.error, error.message));
        return;
      }
      const [code, message] = [error.error, error.message];
      const back = new URL(pending.redirectUri);
      back.searchParams.set('error', code);
      back.searchParams.set('error_description', message);
      if (pending.state !== undefined) back.searchParams.set('state', pending.state);
      redirect(res, back.toString(), clearCookie);
      return;
    }
    const { request, result } = outcome;
    prune();
    const id = randomId();
    sessions.set(id, {
      refreshToken: result.tokens.RefreshToken ?? '',
      expires: Date.now() + SESSION_LIFETIME_MS,
    });
    issueCode(res, request, result.tokens, {
      'set-cookie': sessionCookie(id, SESSION_LIFETIME_MS / 1000),
    });
  }

  /** Sign-in result -> code redirect, new-password page, or the sign-in page with an error. */
  function afterAuth(
    res: ServerResponse,
    request: AuthorizeRequest,
    username: string,
    result: Record<string, unknown>,
  ): void {
    const tokens = result.AuthenticationResult as Tokens | undefined;
    if (tokens?.IdToken && tokens.AccessToken) {
      const headers: Record<string, string> = {};
      if (tokens.RefreshToken) {
        prune();
        const id = randomId();
        sessions.set(id, {
          refreshToken: tokens.RefreshToken,
          expires: Date.now() + SESSION_LIFETIME_MS,
        });
        headers['set-cookie'] = sessionCookie(id, SESSION_LIFETIME_MS / 1000);
      }
      issueCode(res, request, tokens, headers);
      return;
    }
    if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED' && typeof result.Session === 'string') {
      prune();
      const id = randomId();
      challenges.set(id, {
        username,
        session: result.Session,
        request,
        expires: Date.now() + CHALLENGE_LIFETIME_MS,
      });
      sendPage(
        res,
        newPasswordPage({
          action: request.action.replace('/login?', '/login/new-password?'),
          challengeId: id,
          appOrigin: originOf(request.redirectUri),
        }),
      );
      return;
    }
    log(`hosted UI: sign-in needs ${String(result.ChallengeName)}, which the hosted UI lacks`);
    sendPage(
      res,
      signInPage({
        action: request.action,
        usernameLabel,
        username,
        error: 'This account needs a sign-in step the sandbox hosted UI does not support.',
        appOrigin: originOf(request.redirectUri),
      }),
    );
  }

  /** "Continue with <label>": the same authorize request, through that provider. */
  function providerLinks(request: AuthorizeRequest) {
    return (federation?.offered() ?? []).map(({ name, label }) => {
      const q = new URLSearchParams(request.action.slice('/login?'.length));
      q.set('identity_provider', name);
      return { label, href: `/oauth2/authorize?${q.toString()}` };
    });
  }

  /** A form post must come from the hosted UI's own pages (login CSRF). */
  function fromOwnPage(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return false;
    const from = req.headers.origin;
    return from === undefined || selfOrigins().includes(from);
  }

  async function login(req: IncomingMessage, res: ServerResponse, search: string) {
    const request = authorizeOrAnswer(res, search);
    if (!request) return;
    const appOrigin = originOf(request.redirectUri);
    const providers = providerLinks(request);
    if (req.method === 'GET') {
      sendPage(res, signInPage({ action: request.action, usernameLabel, appOrigin, providers }));
      return;
    }
    if (!fromOwnPage(req)) {
      sendPage(res, errorPage(403, 'invalid_request', 'The form was posted from another site.'));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const again = (error: string) =>
      sendPage(
        res,
        signInPage({
          action: request.action,
          usernameLabel,
          username,
          error,
          appOrigin,
          providers,
        }),
      );
    if (!username || !password) {
      again(`Enter your ${usernameLabel.toLowerCase()} and password.`);
      return;
    }
    let result: Record<string, unknown>;
    try {
      result = await signInWithSrp(request.clientId, username, password);
    } catch (error) {
      if (!(error instanceof UserPoolError)) throw error;
      // One message for an unknown user and a wrong password (no user enumeration).
      again(
        error.code === 'UserNotConfirmedException'
          ? 'Your account is not confirmed yet: confirm it with the code you were sent, then sign in.'
          : error.message === 'User is disabled.'
            ? 'User is disabled.'
            : BAD_CREDENTIALS,
      );
      return;
    }
    afterAuth(res, request, username, result);
  }

  async function newPassword(req: IncomingMessage, res: ServerResponse, search: string) {
    const request = authorizeOrAnswer(res, search);
    if (!request) return;
    if (req.method !== 'POST' || !fromOwnPage(req)) {
      redirect(res, request.action);
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const id = form.get('challenge') ?? '';
    const pending = challenges.get(id);
    challenges.delete(id);
    if (!pending || pending.expires <= Date.now() || pending.request.action !== request.action) {
      sendPage(
        res,
        signInPage({
          action: request.action,
          usernameLabel,
          error: 'That sign-in took too long. Sign in again.',
          appOrigin: originOf(request.redirectUri),
        }),
      );
      return;
    }
    try {
      const result = await callUserPool('RespondToAuthChallenge', {
        ClientId: request.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: pending.session,
        ChallengeResponses: {
          USERNAME: pending.username,
          NEW_PASSWORD: form.get('newPassword') ?? '',
        },
      });
      afterAuth(res, pending.request, pending.username, result);
    } catch (error) {
      if (!(error instanceof UserPoolError)) throw error;
      const retry = randomId();
      challenges.set(retry, { ...pending, expires: Date.now() + CHALLENGE_LIFETIME_MS });
      sendPage(
        res,
        newPasswordPage({
          action: request.action.replace('/login?', '/login/new-password?'),
          challengeId: retry,
          error:
            error.code === 'InvalidPasswordException'
              ? error.message || 'The password does not meet the requirements.'
              : 'The new password was not accepted. Try again.',
          appOrigin: originOf(request.redirectUri),
        }),
      );
    }
  }

  /** Client authentication (RFC 6749 2.3): the client id, from the body or Basic credentials. */
  function tokenClient(req: IncomingMessage, form: URLSearchParams): string {
    let id = single(form, 'client_id');
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [user = ''] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      const basicId = decodeURIComponent(user);
      if (id !== undefined && id !== basicId) {
        throw new OAuthError('invalid_request', 'client_id differs from the Authorization header');
      }
      id = basicId;
    }
    if (!id) throw new OAuthError('invalid_request', "'client_id' is required");
    // The template's client has no secret (GenerateSecret: false): none is checked.
    if (id !== clientId) throw new OAuthError('invalid_client', 'client does not exist');
    return id;
  }

  async function token(req: IncomingMessage): Promise<Record<string, unknown>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await readBody(req));
    const grantType = single(form, 'grant_type');
    if (!grantType) throw new OAuthError('invalid_request', "'grant_type' is required");
    const id = tokenClient(req, form);
    if (grantType === 'authorization_code') {
      const code = single(form, 'code');
      if (!code) throw new OAuthError('invalid_request', "'code' is required");
      const issued = codes.get(code);
      // One redemption attempt per code, right or wrong (a guessed verifier gets one try).
      codes.delete(code);
      if (!issued || issued.expires <= Date.now()) {
        throw new OAuthError('invalid_grant', 'the code is invalid, expired or already used');
      }
      if (issued.clientId !== id) {
        throw new OAuthError('invalid_grant', 'the code was issued to another client');
      }
      if (single(form, 'redirect_uri') !== issued.redirectUri) {
        throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorize request');
      }
      const verifier = single(form, 'code_verifier');
      if (issued.codeChallenge !== undefined) {
        if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
          throw new OAuthError('invalid_grant', 'a code_verifier (43-128 characters) is required');
        }
        const challenge = sha256(verifier).toString('base64url');
        if (!sameSecret(challenge, issued.codeChallenge)) {
          throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
        }
      } else if (verifier !== undefined) {
        throw new OAuthError('invalid_grant', 'no code_challenge was sent for this code');
      }
      const { tokens } = issued;
      return {
        ...(issued.scopes.includes('openid') && { id_token: tokens.IdToken }),
        access_token: tokens.AccessToken,
        ...(tokens.RefreshToken && { refresh_token: tokens.RefreshToken }),
        expires_in: expiresIn(tokens.AccessToken),
        token_type: 'Bearer',
      };
    }
    if (grantType === 'refresh_token') {
      const refreshToken = single(form, 'refresh_token');
      if (!refreshToken) throw new OAuthError('invalid_request', "'refresh_token' is required");
      let result: Record<string, unknown>;
      try {
        result = await callUserPool('InitiateAuth', {
          ClientId: id,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        });
      } catch (error) {
        if (!(error instanceof UserPoolError)) throw error;
        throw new OAuthError('invalid_grant', 'the refresh token is invalid or revoked');
      }
      const tokens = result.AuthenticationResult as Tokens | undefined;
      if (!tokens?.AccessToken || !tokens.IdToken) {
        throw new OAuthError('invalid_grant', 'the refresh token is invalid or revoked');
      }
      const scope =
        refreshScopes.get()[sha256(refreshToken).toString('base64url')] ?? allowedScopes.join(' ');
      return {
        ...(scope.split(' ').includes('openid') && { id_token: tokens.IdToken }),
        access_token: withClaims(tokens.AccessToken, { scope }, options.signingKey),
        expires_in: expiresIn(tokens.AccessToken),
        token_type: 'Bearer',
      };
    }
    if (grantType === 'client_credentials') {
      throw new OAuthError('unauthorized_client', 'the app client has no client_credentials grant');
    }
    throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
  }

  function logout(req: IncomingMessage, res: ServerResponse, search: string): void {
    const q = new URLSearchParams(search);
    const id = cookieOf(req, SESSION_COOKIE);
    const endSession = () => {
      if (id !== undefined) sessions.delete(id);
      return { 'set-cookie': sessionCookie('', 0) };
    };
    let logoutUri: string | undefined;
    try {
      const requested = single(q, 'client_id');
      if (!requested) throw new OAuthError('invalid_request', "'client_id' is required");
      if (requested !== clientId) throw new OAuthError('invalid_client', 'client does not exist');
      logoutUri = single(q, 'logout_uri');
      if (logoutUri === undefined && single(q, 'redirect_uri') !== undefined) {
        // Cognito: without logout_uri, sign out and sign in again (the authorize parameters).
        redirect(res, `/oauth2/authorize?${q.toString()}`, endSession());
        return;
      }
      if (!logoutUri) throw new OAuthError('invalid_request', "'logout_uri' is required");
      if (!logoutUrls.has(logoutUri)) {
        throw new OAuthError(
          'redirect_mismatch',
          `'${logoutUri}' is not a sign-out URL of the app client`,
        );
      }
    } catch (error) {
      const e = error as OAuthError;
      sendPage(res, errorPage(400, e.error, e.message));
      return;
    }
    redirect(res, logoutUri, endSession());
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const misdirected = hostRefusal(req, port);
    if (misdirected) {
      req.resume();
      sendPage(res, errorPage(misdirected.status, 'misdirected_request', misdirected.message));
      return;
    }
    const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const method = req.method ?? 'GET';
    if (path === '/oauth2/token') {
      const refusal = originRefusal(req, options.webOrigins);
      if (refusal) {
        req.resume();
        sendJson(res, refusal.status, {
          error: 'invalid_request',
          error_description: refusal.message,
        });
        return;
      }
      if (method === 'OPTIONS') {
        res.writeHead(
          204,
          preflightHeaders(req.headers.origin, options.webOrigins, 'POST, OPTIONS'),
        );
        res.end();
        return;
      }
      const cors = corsHeaders(req.headers.origin, options.webOrigins);
      if (method !== 'POST') {
        sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' }, cors);
        return;
      }
      try {
        sendJson(res, 200, await token(req), cors);
      } catch (error) {
        if (!(error instanceof OAuthError)) {
          log(
            `hosted UI: token endpoint: ${error instanceof Error ? error.message : String(error)}`,
          );
          sendJson(res, 500, { error: 'server_error', error_description: 'internal error' }, cors);
          return;
        }
        const status = error.error === 'invalid_client' ? 401 : error.status;
        sendJson(res, status, { error: error.error, error_description: error.message }, cors);
      }
      return;
    }
    if (method === 'GET' && path === '/oauth2/authorize') {
      await authorize(req, res, search);
      return;
    }
    if (method === 'GET' && path === '/oauth2/idpresponse') {
      await idpResponse(req, res, search);
      return;
    }
    if ((method === 'GET' || method === 'POST') && path === '/login') {
      await login(req, res, search);
      return;
    }
    if ((method === 'GET' || method === 'POST') && path === '/login/new-password') {
      await newPassword(req, res, search);
      return;
    }
    if (method === 'GET' && path === '/logout') {
      logout(req, res, search);
      return;
    }
    if (method === 'GET' && path === '/') {
      sendPage(
        res,
        homePage({ origin, certFile: certificate.certFile, fingerprint: certificate.fingerprint }),
      );
      return;
    }
    sendPage(res, errorPage(404, 'not_found', `No hosted UI page at ${path}.`));
  }

  const server: Server = createServer(
    { cert: certificate.cert, key: certificate.key },
    (req, res) => {
      void handle(req, res).catch((error: unknown) => {
        log(`hosted UI: internal error: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) sendPage(res, errorPage(500, 'server_error', 'Internal error.'));
        else res.end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const domain = `127.0.0.1:${port}`;
  origin = `https://${domain}`;

  return {
    url: origin,
    domain,
    port,
    certificate,
    callbackUrls: () => [...callbackUrls],
    logoutUrls: () => [...logoutUrls],
    addAppUrls(urls) {
      for (const url of urls) {
        callbackUrls.add(url);
        logoutUrls.add(url);
      }
      // A local app that signs in here also calls the token endpoint and the services.
      options.webOrigins.add(loopbackUrls(urls));
    },
    config: () => ({
      domain,
      redirectSignIn: [...callbackUrls],
      redirectSignOut: [...logoutUrls],
      scopes: allowedScopes,
      ...(federation && { identityProviders: federation.offered() }),
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
