/**
 * The hosted UI as a relying party of an OpenID provider, as Cognito is for a user pool's OIDC
 * identity provider: discovery, the redirect to the provider's authorization endpoint (state and
 * nonce), and at `/oauth2/idpresponse` the code exchange (client secret, `client_secret_basic`),
 * the ID token check (aws-jwt-verify: signature, issuer, audience, expiry, nonce) and the userInfo
 * call, whose claims the attribute mapping turns into user pool attributes.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { LoopbackHttpFetcher } from '../../core/loopback-fetcher';

export interface UpstreamOidcClient {
  /** The user pool's name for the provider (`identity_provider`). */
  readonly providerName: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly userinfo_endpoint?: string;
  readonly jwks_uri: string;
}

/** The provider refused or failed: shown to the person, never with provider details. */
export class UpstreamSignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamSignInError';
  }
}

const TIMEOUT_MS = 5000;

async function getJson(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await response.json().catch(() => undefined)) as
    Record<string, unknown> | undefined;
  if (!response.ok || !body) {
    throw new UpstreamSignInError(`the identity provider answered ${response.status}`);
  }
  return body;
}

export class UpstreamOidc {
  private discovery?: Promise<Discovery>;
  private readonly jwksCache = new SimpleJwksCache({ fetcher: new LoopbackHttpFetcher() });

  constructor(public readonly client: UpstreamOidcClient) {}

  private discover(): Promise<Discovery> {
    this.discovery ??= getJson(`${this.client.issuer}/.well-known/openid-configuration`).then(
      (d) => {
        if (d.issuer !== this.client.issuer) {
          throw new UpstreamSignInError('the discovery document names another issuer');
        }
        return d as unknown as Discovery;
      },
    );
    this.discovery.catch(() => (this.discovery = undefined));
    return this.discovery;
  }

  /** Where to send the person: the provider's authorization endpoint. */
  async authorizeUrl(input: {
    redirectUri: string;
    state: string;
    nonce: string;
  }): Promise<string> {
    const { authorization_endpoint } = await this.discover();
    const url = new URL(authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.client.clientId,
      redirect_uri: input.redirectUri,
      response_type: 'code',
      scope: this.client.scopes.join(' '),
      state: input.state,
      nonce: input.nonce,
    }).toString();
    return url.toString();
  }

  /** Exchanges the code; resolves to the person's `sub` and claims (ID token, then userInfo). */
  async complete(input: {
    code: string;
    redirectUri: string;
    nonce: string;
  }): Promise<{ subject: string; claims: Record<string, unknown> }> {
    const discovery = await this.discover();
    const basic = Buffer.from(
      `${encodeURIComponent(this.client.clientId)}:${encodeURIComponent(this.client.clientSecret)}`,
    ).toString('base64');
    const tokens = await getJson(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
      }).toString(),
    });
    if (typeof tokens.id_token !== 'string' || typeof tokens.access_token !== 'string') {
      throw new UpstreamSignInError('the identity provider returned no ID token');
    }
    let idClaims: Record<string, unknown>;
    try {
      idClaims = await JwtRsaVerifier.create(
        { issuer: this.client.issuer, audience: this.client.clientId, jwksUri: discovery.jwks_uri },
        { jwksCache: this.jwksCache },
      ).verify(tokens.id_token);
    } catch {
      throw new UpstreamSignInError('the identity provider returned an invalid ID token');
    }
    if (idClaims.nonce !== input.nonce) {
      throw new UpstreamSignInError('the ID token is not for this sign-in (nonce)');
    }
    const subject = idClaims.sub;
    if (typeof subject !== 'string' || subject.length === 0) {
      throw new UpstreamSignInError('the ID token has no sub');
    }
    let userInfo: Record<string, unknown> = {};
    if (discovery.userinfo_endpoint) {
      userInfo = await getJson(discovery.userinfo_endpoint, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      // OIDC Core 5.3.2: a userInfo answer about someone else must not be used.
      if (userInfo.sub !== subject) userInfo = {};
    }
    return { subject, claims: { ...idClaims, ...userInfo } };
  }
}

/**
 * User pool attributes from provider claims through the provider's `AttributeMapping` (user pool
 * attribute -> provider attribute), as Cognito writes them: strings, booleans as `true`/`false`;
 * a claim the provider did not send is left out.
 */
export function mapAttributes(
  claims: Readonly<Record<string, unknown>>,
  mapping: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [poolAttribute, providerAttribute] of Object.entries(mapping)) {
    const value = claims[providerAttribute];
    if (typeof value === 'string') out[poolAttribute] = value;
    else if (typeof value === 'boolean' || typeof value === 'number')
      out[poolAttribute] = String(value);
  }
  return out;
}
