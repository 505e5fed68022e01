import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwkValidationError,
  JwksValidationError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  NonRetryableFetchError,
  NotSupportedError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import { type JwksCache, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  IdentityProviderUnavailableError,
  type IdTokenVerifier,
  InvalidTokenError,
  type VerifiedClaims,
} from './errors';

/** Which ID tokens the API accepts: a Cognito user pool's, or any OIDC issuer's (the seam). */
export type TokenIssuerConfig =
  | {
      readonly kind: 'cognito';
      readonly userPoolId: string;
      /** App client(s) whose ID tokens are accepted (`aud`). */
      readonly clientIds: readonly string[];
    }
  | {
      readonly kind: 'oidc';
      /** Expected `iss`, exactly. */
      readonly issuer: string;
      /** Accepted `aud` values (the relying party's client ids). */
      readonly audience: readonly string[];
      /** Where the issuer publishes its signing keys. */
      readonly jwksUri: string;
    };

/** The `iss` a configuration's tokens carry. */
export function issuerOf(config: TokenIssuerConfig): string {
  if (config.kind === 'oidc') return config.issuer;
  const region = config.userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${config.userPoolId}`;
}

/** ID tokens only: an access token must not buy credentials. */
class NotAnIdTokenError extends Error {
  constructor() {
    super('not an ID token');
    this.name = 'NotAnIdTokenError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * aws-jwt-verify's fetcher only speaks https (rightly). The local sandbox's user pool serves its
 * JWKS over plain http on loopback, so that one case is fetched here; everything else goes to the
 * library's fetcher.
 */
export class LoopbackHttpFetcher implements Fetcher {
  private readonly https: Fetcher;

  constructor(https: Fetcher = new SimpleFetcher()) {
    this.https = https;
  }

  async fetch(
    uri: string,
    requestOptions?: Record<string, unknown>,
    data?: ArrayBuffer,
  ): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      return this.https.fetch(uri, requestOptions, data);
    }
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (err) {
      throw new FetchError(uri, err instanceof Error ? err.message : String(err));
    }
    if (!response.ok) throw new NonRetryableFetchError(uri, `status ${response.status}`);
    return response.arrayBuffer();
  }
}

/** The short, client-safe reason a token is refused; undefined when the fault is not the token's. */
export function refusalReason(err: unknown): string | undefined {
  if (err instanceof NotAnIdTokenError || err instanceof CognitoJwtInvalidTokenUseError) {
    return 'not an ID token';
  }
  if (err instanceof JwtExpiredError) return 'token expired';
  if (err instanceof JwtNotBeforeError) return 'token not yet valid';
  if (err instanceof JwtInvalidIssuerError) return 'wrong issuer';
  // What the Cognito verifier throws for a token whose `iss` is not the configured pool.
  if (err instanceof ParameterValidationError && /issuer/i.test(err.message)) return 'wrong issuer';
  if (err instanceof JwtInvalidAudienceError || err instanceof CognitoJwtInvalidClientIdError) {
    return 'wrong audience';
  }
  if (err instanceof JwtInvalidSignatureAlgorithmError) return 'unsupported signature algorithm';
  if (err instanceof JwtInvalidSignatureError) return 'bad signature';
  if (err instanceof JwtParseError) return 'malformed token';
  if (
    err instanceof KidNotFoundInJwksError ||
    err instanceof JwtWithoutValidKidError ||
    err instanceof WaitPeriodNotYetEndedJwkError
  ) {
    return 'unknown signing key';
  }
  if (
    err instanceof FetchError ||
    err instanceof JwksValidationError ||
    err instanceof JwkValidationError ||
    err instanceof NotSupportedError
  ) {
    return undefined;
  }
  if (err instanceof JwtBaseError) return 'invalid token';
  return undefined;
}

/**
 * Builds the ID-token verifier for `config`. Pass `jwksCache` to control key fetching (tests hand
 * in a cache that never touches the network); by default keys are fetched once per container.
 */
export function createIdTokenVerifier(
  config: TokenIssuerConfig,
  options: { readonly jwksCache?: JwksCache; readonly fetcher?: Fetcher } = {},
): IdTokenVerifier {
  const jwksCache =
    options.jwksCache ??
    new SimpleJwksCache({ fetcher: options.fetcher ?? new LoopbackHttpFetcher() });
  let verify: (token: string) => Promise<VerifiedClaims>;
  if (config.kind === 'cognito') {
    if (config.clientIds.length === 0) throw new Error('at least one app client id is required');
    const verifier = CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, clientId: [...config.clientIds], tokenUse: 'id' },
      { jwksCache },
    );
    verify = (token) => verifier.verify(token);
  } else {
    if (config.audience.length === 0) throw new Error('at least one OIDC audience is required');
    const verifier = JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: [...config.audience],
        jwksUri: config.jwksUri,
        customJwtCheck: ({ payload }) => {
          // Cognito-style issuers say what a token is for; a plain OIDC ID token has no such claim.
          if (payload.token_use !== undefined && payload.token_use !== 'id') {
            throw new NotAnIdTokenError();
          }
        },
      },
      { jwksCache },
    );
    verify = (token) => verifier.verify(token);
  }

  return async (token) => {
    try {
      return await verify(token);
    } catch (err) {
      const reason = refusalReason(err);
      if (reason !== undefined) throw new InvalidTokenError(reason);
      throw new IdentityProviderUnavailableError(err instanceof Error ? err.name : typeof err);
    }
  };
}
