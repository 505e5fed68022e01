/**
 * Sign-in through an external identity provider on the sandbox hosted UI, as Cognito's managed
 * login does it: `/oauth2/authorize?identity_provider=<name>` (or the sign-in page's "Continue
 * with <name>") sends the person to the provider's authorization endpoint; the provider sends them
 * back to `/oauth2/idpresponse` with a code, which is exchanged and checked (upstream-oidc.ts); the
 * user pool then signs the person in (../user-pool/operations/federated-sign-in.ts) and the
 * hosted UI hands the app a code as after a password sign-in.
 *
 * The round trip is bound to the browser that started it: the `state` sent to the provider is
 * random, single-use, 10 minutes, and must come back with the HttpOnly cookie set when it left
 * (otherwise someone could finish their own sign-in in another person's browser).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  FederatedIdentity,
  FederatedSignInResult,
} from '../user-pool/operations/federated-sign-in';
import { ExpiringMap } from './expiring-map';
import { cookieOf } from './http';
import type { SandboxIdentityProvider } from './identity-providers';
import { mapAttributes, type UpstreamOidc, UpstreamSignInError } from './upstream-oidc';

const PENDING_LIFETIME_MS = 10 * 60_000;
const PENDING_KEPT = 1000;
export const FEDERATION_COOKIE = 'sandbox-hosted-ui-federation';

export interface FederationOptions {
  /** The user pool's providers as the sandbox plays them (identity-providers.ts). */
  readonly providers: readonly SandboxIdentityProvider[];
  /** The relying party for an emulated provider (the local OpenID provider, started on demand). */
  upstream(provider: SandboxIdentityProvider): Promise<UpstreamOidc>;
  /** The user pool's side of the sign-in. */
  signIn(clientId: string, identity: FederatedIdentity): Promise<FederatedSignInResult>;
}

/** Why a federated sign-in ended; `error` is an OAuth error code for the app's redirect. */
export class FederationError extends Error {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(description);
    this.name = 'FederationError';
  }
}

interface Pending<R> {
  readonly request: R;
  readonly provider: SandboxIdentityProvider;
  readonly nonce: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `R` is the hosted UI's authorize request, carried through the round trip untouched. */
export class HostedUiFederation<R extends { readonly clientId: string }> {
  private readonly pending: ExpiringMap<Pending<R>>;

  /** @param now epoch milliseconds: the clock by which round trips expire */
  constructor(
    private readonly options: FederationOptions,
    now: () => number = Date.now,
  ) {
    this.pending = new ExpiringMap(now, PENDING_KEPT);
  }

  /** The providers the hosted UI offers (emulated ones), for its page and the client config. */
  offered(): { name: string; label: string }[] {
    return this.options.providers
      .filter((p) => p.emulated)
      .map((p) => ({ name: p.name, label: p.label }));
  }

  /** The provider named `name`, or undefined when the pool has none of that name. */
  provider(name: string): SandboxIdentityProvider | undefined {
    return this.options.providers.find((p) => p.name === name);
  }

  /** Where to send the browser, and the cookie that binds the round trip to it. */
  async start(
    request: R,
    provider: SandboxIdentityProvider,
    redirectUri: string,
  ): Promise<{ location: string; cookie: string }> {
    if (!provider.emulated) {
      throw new FederationError(
        'invalid_request',
        `identity provider '${provider.name}' (${provider.type}) is not emulated by the sandbox`,
      );
    }
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    this.pending.set(state, { request, provider, nonce }, PENDING_LIFETIME_MS);
    const upstream = await this.options.upstream(provider);
    return {
      location: await upstream.authorizeUrl({ redirectUri, state, nonce }),
      cookie: `${FEDERATION_COOKIE}=${state}; Path=/oauth2/idpresponse; Max-Age=${PENDING_LIFETIME_MS / 1000}; Secure; HttpOnly; SameSite=Lax`,
    };
  }

  /**
   * `/oauth2/idpresponse`: the pending request of its `state`, then (unless the provider said no)
   * the sign-in. Resolves to the request to answer and the user pool's result; throws
   * FederationError with the request when the app should get an error redirect, or without one
   * (the state is unknown) when only an error page is safe.
   */
  async finish(
    req: IncomingMessage,
    search: string,
    redirectUri: string,
  ): Promise<{ request: R; result: FederatedSignInResult }> {
    const q = new URLSearchParams(search);
    const state = q.get('state') ?? '';
    const pending = this.pending.take(state);
    const cookie = cookieOf(req, FEDERATION_COOKIE);
    if (!pending || !cookie || !same(cookie, state)) {
      throw new FederationError(
        'invalid_request',
        'this sign-in is unknown, expired or was started in another browser: start again from the app',
      );
    }
    const fail = (error: string, description: string) =>
      Object.assign(new FederationError(error, description), { request: pending.request });
    const providerError = q.get('error');
    if (providerError) {
      throw fail(
        providerError === 'access_denied' ? 'access_denied' : 'invalid_request',
        `the identity provider answered ${providerError}`,
      );
    }
    const code = q.get('code');
    if (!code) throw fail('invalid_request', 'the identity provider sent no code');
    const upstream = await this.options.upstream(pending.provider);
    let answer: { subject: string; claims: Record<string, unknown> };
    try {
      answer = await upstream.complete({ code, redirectUri, nonce: pending.nonce });
    } catch (error) {
      if (error instanceof UpstreamSignInError) throw fail('invalid_request', error.message);
      throw error;
    }
    let result: FederatedSignInResult;
    try {
      result = await this.options.signIn(pending.request.clientId, {
        providerName: pending.provider.name,
        providerType: pending.provider.type,
        subject: answer.subject,
        attributes: mapAttributes(answer.claims, pending.provider.attributeMapping),
      });
    } catch (error) {
      // The user pool's refusal (a disabled user, a missing required attribute, a trigger's
      // error) goes back to the app, as Cognito redirects with error and error_description.
      const name = (error as { code?: unknown; name?: unknown }).code ?? (error as Error).name;
      const message = error instanceof Error ? error.message : String(error);
      throw fail(
        message === 'User is disabled.'
          ? 'access_denied'
          : name === 'InvalidParameterException' || name === 'UserLambdaValidationException'
            ? 'invalid_request'
            : 'server_error',
        message,
      );
    }
    return { request: pending.request, result };
  }
}
