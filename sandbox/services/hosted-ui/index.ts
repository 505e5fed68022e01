/**
 * The sandbox's hosted UI (Cognito managed login): the OAuth 2.0 authorization code flow with
 * PKCE that Amplify's `signInWithRedirect` drives, over loopback HTTPS on its own port. This file
 * wires the parts; routes.ts lists the endpoints, one module each:
 *
 *   authorize.ts         GET  /oauth2/authorize (checks in authorize-request.ts, client-policy.ts)
 *   login.ts             GET  /login the sign-in page;  POST /login  signs in, redirects with a code
 *   new-password.ts      POST /login/new-password  an administrator-created user's new password
 *   token-endpoint.ts    POST /oauth2/token  authorization_code (+ PKCE S256), refresh_token; CORS
 *   logout.ts            GET  /logout  ends the hosted UI session (sessions.ts)
 *   idp-response.ts      GET  /oauth2/idpresponse  an external provider's answer (federation.ts)
 *
 * Sign-in goes through the sandbox's own user pool API (user-pool-client.ts: `InitiateAuth`
 * USER_SRP_AUTH and the PASSWORD_VERIFIER answer, as the app client allows SRP only; then
 * `RespondToAuthChallenge` NEW_PASSWORD_REQUIRED for administrator-created users), so the password
 * policy, the triggers (PostAuthentication, the healing of administrator-created users) and the
 * sign-out checks apply exactly as for any other sign-in, and the tokens are the pool's tokens,
 * signed with the sandbox's key. The hosted UI only rewrites the claims the OAuth flow decides
 * (the access token's `scope`, the ID token's `nonce`) and signs them again with that same key.
 *
 * A sign-in starts a hosted UI session (an HttpOnly cookie, one hour, as Cognito's): authorize
 * requests within it skip the page (`prompt=login` forces it, `prompt=none` never shows it) and
 * get tokens refreshed from the session's refresh token; /logout ends it. Codes, sessions and
 * pending challenges expire by one injected clock (`now`).
 *
 * External identity providers (federation.ts): `identity_provider=<name>` on authorize, or the
 * sign-in page's "Continue with <label>", goes to the provider; OIDC providers are played by the
 * local OpenID provider (local-federation.ts).
 *
 * Not modelled: sign-up and forgot-password pages, SAML and social providers (listed, refused
 * with an error), `/oauth2/userInfo`, client secrets.
 */
import { type Server, createServer } from 'node:https';
import type { HostedUiConfig } from '../../../contracts/client-config';
import { type WebOrigins, loopbackUrls } from '../../core/browser-access';
import { listenOnLoopback } from '../../core/listen';
import type { SandboxState } from '../../core/state';
import { AuthorizationCodes } from './authorization-codes';
import type { AuthorizeRequest } from './authorize-request';
import { type HostedUiCertificate, loadOrCreateCertificate } from './certificate';
import { ClientPolicy } from './client-policy';
import { ExpiringMap } from './expiring-map';
import { type FederationOptions, HostedUiFederation } from './federation';
import { sendPage } from './http';
import { errorPage } from './pages';
import { RefreshScopes } from './refresh-scopes';
import { hostedUiRoutes, router } from './routes';
import type { HostedUiServices, PendingChallenge } from './services';
import { HostedUiSessions } from './sessions';
import type { SigningKey } from './tokens';
import { UserPoolClient } from './user-pool-client';

export { CODE_LIFETIME_MS } from './authorization-codes';
export { OAuthError } from './oauth';

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
  /**
   * The clock (epoch milliseconds) by which codes, hosted UI sessions, pending challenges and
   * federation round trips expire. @default Date.now
   */
  readonly now?: () => number;
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

/** How the sign-in page names the username: 'Email' when the pool signs in by email. */
function usernameLabelOf(pool: Record<string, unknown>): string {
  const attributes = pool.UsernameAttributes;
  return Array.isArray(attributes) && attributes.includes('email') ? 'Email' : 'Username';
}

export async function startHostedUi(options: StartHostedUiOptions): Promise<RunningHostedUi> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const certificate = await loadOrCreateCertificate(options.state.subdir('hosted-ui'));
  const policy = new ClientPolicy(
    options.userPoolClientId,
    options.client,
    options.localAppUrls ?? [],
  );
  const refreshScopes = new RefreshScopes(options.state);
  const federation =
    options.federation && new HostedUiFederation<AuthorizeRequest>(options.federation, now);
  let port = 0;
  const services: HostedUiServices = {
    policy,
    userPool: new UserPoolClient(options.userPoolEndpoint, options.userPoolId),
    codes: new AuthorizationCodes(options.signingKey, refreshScopes, now),
    refreshScopes,
    sessions: new HostedUiSessions(now),
    challenges: new ExpiringMap<PendingChallenge>(now),
    federation,
    signingKey: options.signingKey,
    webOrigins: options.webOrigins,
    usernameLabel: usernameLabelOf(options.pool),
    origin: () => `https://127.0.0.1:${port}`,
    now,
    log,
  };
  const handle = router(hostedUiRoutes(services, certificate), () => port);

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
  port = await listenOnLoopback(server, options.port);
  const domain = `127.0.0.1:${port}`;

  return {
    url: services.origin(),
    domain,
    port,
    certificate,
    callbackUrls: () => policy.listCallbackUrls(),
    logoutUrls: () => policy.listLogoutUrls(),
    addAppUrls(urls) {
      policy.addAppUrls(urls);
      // A local app that signs in here also calls the token endpoint and the services.
      options.webOrigins.add(loopbackUrls(urls));
    },
    config: () => ({
      domain,
      redirectSignIn: policy.listCallbackUrls(),
      redirectSignOut: policy.listLogoutUrls(),
      scopes: [...policy.allowedScopes],
      ...(federation && { identityProviders: federation.offered() }),
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
