/** Claims of a verified ID token; the core reads only `sub`. */
export interface VerifiedClaims {
  readonly sub?: unknown;
  readonly [claim: string]: unknown;
}

/**
 * The identity-provider seam: resolves to the claims of a valid ID token, rejects with
 * {@link InvalidTokenError} when the token must be refused, or with
 * {@link IdentityProviderUnavailableError} when it cannot be checked (JWKS unreachable or broken).
 */
export type IdTokenVerifier = (token: string) => Promise<VerifiedClaims>;

/** The caller's token is refused (HTTP 401). `reason` is short and safe to return. */
export class InvalidTokenError extends Error {
  constructor(public readonly reason: string) {
    super(`invalid ID token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/** Tokens cannot be verified right now: the issuer's keys are unavailable (HTTP 503). */
export class IdentityProviderUnavailableError extends Error {
  constructor(public readonly causeName: string) {
    super(`identity provider keys unavailable (${causeName})`);
    this.name = 'IdentityProviderUnavailableError';
  }
}

/** The verified token names no one this API can vend for (HTTP 403). `reason` is safe to return. */
export class UnsupportedIdentityError extends Error {
  constructor(public readonly reason: string) {
    super(`unsupported identity: ${reason}`);
    this.name = 'UnsupportedIdentityError';
  }
}
