/**
 * Authorization codes (RFC 6749 4.1.2): issued after a sign-in with the tokens the token endpoint
 * will hand out, bound to the client, the redirect URI and the PKCE challenge, valid five minutes
 * (Cognito's) by the injected clock, and redeemed once.
 */
import type { AuthorizeRequest } from './authorize-request';
import { ExpiringMap } from './expiring-map';
import type { RefreshScopes } from './refresh-scopes';
import { randomId } from './secrets';
import { type SigningKey, type Tokens, withClaims } from './tokens';

/** Authorization codes are valid this long and once (Cognito: 5 minutes). */
export const CODE_LIFETIME_MS = 5 * 60_000;

export interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  readonly scopes: readonly string[];
  /** With the flow's claims: the access token's `scope`, the ID token's `nonce`. */
  readonly tokens: Tokens;
}

export class AuthorizationCodes {
  private readonly codes: ExpiringMap<IssuedCode>;

  /** @param now epoch milliseconds */
  constructor(
    private readonly signingKey: SigningKey,
    private readonly refreshScopes: RefreshScopes,
    now: () => number,
  ) {
    this.codes = new ExpiringMap(now);
  }

  /** A code for the pool's `tokens`; returns where to send the browser (the app, with the code). */
  issue(request: AuthorizeRequest, tokens: Tokens): string {
    const code = randomId();
    const scope = request.scopes.join(' ');
    this.codes.set(
      code,
      {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        ...(request.codeChallenge !== undefined && { codeChallenge: request.codeChallenge }),
        scopes: request.scopes,
        tokens: {
          ...tokens,
          IdToken: request.nonce
            ? withClaims(tokens.IdToken, { nonce: request.nonce }, this.signingKey)
            : tokens.IdToken,
          AccessToken: withClaims(tokens.AccessToken, { scope }, this.signingKey),
        },
      },
      CODE_LIFETIME_MS,
    );
    if (tokens.RefreshToken) this.refreshScopes.remember(tokens.RefreshToken, request.scopes);
    const back = new URL(request.redirectUri);
    back.searchParams.set('code', code);
    if (request.state !== undefined) back.searchParams.set('state', request.state);
    return back.toString();
  }

  /** The code's grant while it lasts; one redemption attempt per code, right or wrong. */
  redeem(code: string): IssuedCode | undefined {
    return this.codes.take(code);
  }
}
