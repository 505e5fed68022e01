/**
 * API Gateway's JWT authorizer for HTTP APIs, as its developer guide describes it ("Control
 * access to HTTP APIs with JWT authorizers"): the token from the identity source (optionally
 * prefixed `Bearer `), an RSA signature by a key of the issuer's JWKS (matched by `kid`; the JWKS
 * found through the issuer's OpenID discovery document, `jwks_uri`), `iss`
 * equal to the issuer, `aud` (or `client_id` when there is no `aud`) one of the audience entries,
 * `exp` after now, `nbf` and `iat` before now, and one of the route's scopes in `scope`/`scp`.
 * Signature and the standard claims are checked by aws-jwt-verify's `JwtRsaVerifier`; the
 * audience and scope rules, which are API Gateway's own, are written here.
 *
 * Refusals: 401 `{"message":"Unauthorized"}` with a `www-authenticate` header (only the audience
 * description is AWS's published wording; the others are ours), and 403 `{"message":"Forbidden"}`
 * for a valid token without the scope (unverified on AWS: see docs/sandbox.md).
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import {
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { type JwkWithKid, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { JwtAuthorizerSpec } from './template';

export class AuthorizerRefusal extends Error {
  constructor(
    public readonly status: 401 | 403,
    /** For `www-authenticate`, never for the body. */
    public readonly description: string,
  ) {
    super(description);
    this.name = 'AuthorizerRefusal';
  }

  get body(): { message: string } {
    return { message: this.status === 401 ? 'Unauthorized' : 'Forbidden' };
  }

  get headers(): Record<string, string> {
    if (this.description === '') return {};
    const error = this.status === 401 ? 'invalid_token' : 'insufficient_scope';
    return {
      'www-authenticate': `Bearer scope="" error="${error}" error_description="${this.description}"`,
    };
  }
}

export interface Authorized {
  /** The claims as API Gateway passes them to the integration (every value a string). */
  readonly claims: Record<string, string>;
  /** The token's scopes when the route has scopes, else `null` (as in captured events). */
  readonly scopes: string[] | null;
}

class AuthorizerCheckError extends Error {
  constructor(public readonly description: string) {
    super(description);
    this.name = 'AuthorizerCheckError';
  }
}

/**
 * Claim values in `requestContext.authorizer.jwt.claims`: strings as they are, numbers and
 * booleans as text, arrays as `[a b]`, null dropped, objects as JSON (the format third parties
 * measured on API Gateway; AWS documents only that claims are passed).
 */
export function renderClaims(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) claims[name] = `[${value.map(String).join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

function tokenScopes(payload: JwtPayload): string[] {
  const raw = payload.scope ?? (payload as Record<string, unknown>).scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

/** Where an authorizer's keys come from. */
export type AuthorizerKeys =
  /** The sandbox user pool's own public key, known up front. */
  | { readonly jwk: JwkWithKid }
  /**
   * An external issuer's: `jwks_uri` of `<issuer>/.well-known/openid-configuration`, as API
   * Gateway finds them, fetched at the first token (and again after a failure).
   */
  | { readonly fetcher: Fetcher };

type Verify = (token: string) => Promise<JwtPayload>;

/** The issuer's `jwks_uri` from its discovery document, whose `issuer` must be the issuer itself. */
async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const document = JSON.parse(new TextDecoder().decode(await fetcher.fetch(url))) as unknown;
  const d = (document ?? {}) as Record<string, unknown>;
  if (d.issuer !== issuer) throw new Error(`discovery document of ${issuer} names another issuer`);
  if (typeof d.jwks_uri !== 'string')
    throw new Error(`discovery document of ${issuer} has no jwks_uri`);
  return d.jwks_uri;
}

export class JwtAuthorizer {
  private verify: Promise<Verify> | undefined;

  /**
   * @param spec the authorizer from the template
   * @param issuer the issuer as the tokens carry it (for the template's Cognito issuer URL, the
   *   sandbox's user pool; for another issuer, the template's URL itself)
   * @param keys the issuer's public key, or how to discover it
   */
  constructor(
    private readonly spec: JwtAuthorizerSpec,
    private readonly issuer: string,
    private readonly keys: AuthorizerKeys,
    private readonly now: () => number = Date.now,
  ) {
    if ('jwk' in keys)
      this.verify = Promise.resolve(this.verifierFor(`${issuer}/.well-known/jwks.json`));
  }

  private verifierFor(jwksUri: string, fetcher?: Fetcher): Verify {
    const { spec } = this;
    const verifier = JwtRsaVerifier.create(
      {
        issuer: this.issuer,
        audience: null,
        jwksUri,
        customJwtCheck: ({ payload }) => {
          // API Gateway evaluates `aud` when present, `client_id` only without it.
          const aud = payload.aud;
          const audiences = aud === undefined ? [payload.client_id] : [aud].flat();
          if (!audiences.some((a) => typeof a === 'string' && spec.audience.includes(a))) {
            throw new AuthorizerCheckError('the token does not have a valid audience');
          }
          if (typeof payload.iat === 'number' && payload.iat * 1000 > this.now()) {
            throw new AuthorizerCheckError('the token was issued in the future');
          }
        },
      },
      { jwksCache: new SimpleJwksCache(fetcher ? { fetcher } : {}) },
    );
    if ('jwk' in this.keys) verifier.cacheJwks({ keys: [this.keys.jwk] });
    return (token) => verifier.verify(token);
  }

  /** The verifier, after discovery for an external issuer (retried at the next token on failure). */
  private async verifier(): Promise<Verify> {
    if (!this.verify && 'fetcher' in this.keys) {
      const { fetcher } = this.keys;
      this.verify = discoverJwksUri(this.issuer, fetcher).then((uri) =>
        this.verifierFor(uri, fetcher),
      );
    }
    try {
      return await this.verify!;
    } catch (error) {
      this.verify = undefined;
      throw error;
    }
  }

  /** The token of a request (its identity-source header), `Bearer ` prefix optional. */
  tokenOf(headers: Record<string, string | string[] | undefined>): string | undefined {
    const header = /^\$request\.header\.(.+)$/.exec(this.spec.identitySource)?.[1];
    if (!header) return undefined;
    const raw = headers[header.toLowerCase()];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!value) return undefined;
    return value.startsWith('Bearer ') ? value.slice('Bearer '.length).trim() : value;
  }

  /** Authorizes a request for a route with `scopes`; throws {@link AuthorizerRefusal}. */
  async authorize(
    headers: Record<string, string | string[] | undefined>,
    scopes: readonly string[],
  ): Promise<Authorized> {
    const token = this.tokenOf(headers);
    if (token === undefined) throw new AuthorizerRefusal(401, '');
    // The issuer first, before any key is looked up: a token of another issuer must not make the
    // authorizer fetch keys (its kid is not the issuer's), and it is refused for what it is.
    let iss: unknown;
    try {
      iss = decomposeUnverifiedJwt(token).payload.iss;
    } catch {
      throw new AuthorizerRefusal(401, 'the token is not a JWT');
    }
    if (iss !== this.issuer) {
      throw new AuthorizerRefusal(401, 'the token does not have a valid issuer');
    }
    let verify: Verify;
    try {
      verify = await this.verifier();
    } catch {
      // What API Gateway answers when it cannot get the keys is not documented (docs/http-api.md).
      throw new AuthorizerRefusal(401, "the issuer's keys could not be fetched");
    }
    let payload: JwtPayload;
    try {
      payload = await verify(token);
    } catch (error) {
      throw new AuthorizerRefusal(401, refusalDescription(error));
    }
    const granted = tokenScopes(payload);
    if (scopes.length > 0 && !scopes.some((s) => granted.includes(s))) {
      throw new AuthorizerRefusal(403, `the token does not have the required scope`);
    }
    return { claims: renderClaims(payload), scopes: scopes.length > 0 ? granted : null };
  }
}

function refusalDescription(error: unknown): string {
  if (error instanceof AuthorizerCheckError) return error.description;
  if (error instanceof JwtExpiredError) return 'the token has expired';
  if (error instanceof JwtNotBeforeError) return 'the token is not valid yet';
  if (error instanceof JwtInvalidIssuerError) return 'the token does not have a valid issuer';
  if (error instanceof JwtInvalidSignatureError) return 'the token signature is invalid';
  if (error instanceof JwtInvalidSignatureAlgorithmError) {
    return 'the token is not signed with an RSA algorithm';
  }
  if (error instanceof JwtWithoutValidKidError || error instanceof KidNotFoundInJwksError) {
    return 'the token was not signed by a key of the issuer';
  }
  if (error instanceof JwtParseError) return 'the token is not a JWT';
  return 'the token is not valid';
}
