import { createHash } from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { type Fetcher } from 'aws-jwt-verify/https';
import { type JwksCache, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import {
  EXTERNAL_USER_ID_PATTERN,
  EXTERNAL_USER_ID_PREFIX,
} from '../../../contracts/app-instance-user-id';
import {
  IdentityProviderUnavailableError,
  type IdTokenVerifier,
  InvalidTokenError,
  UnsupportedIdentityError,
  type VerifiedClaims,
} from './errors';
import { type EnsureAppInstanceUserDeps, ensureAppInstanceUser } from '../app-instance-user';
import {
  createIdTokenVerifier,
  issuerOf,
  LoopbackHttpFetcher,
  refusalReason,
  type TokenIssuerConfig,
} from './verifier';

/**
 * The page's "custom credential-vending service" for another identity provider: the vending API
 * also (or only) accepts ID tokens of external OpenID Connect issuers (docs/federation.md). Their
 * people get an AppInstanceUserId derived from issuer and `sub` (never the raw `sub`, which another
 * issuer, or the user pool, could also hand out), and their AppInstanceUser is created before the
 * first credentials are vended.
 */

export interface ExternalIssuerConfig {
  /** Expected `iss`, exactly (no trailing slash added or removed). */
  readonly issuer: string;
  /** Accepted `aud` values: the client ids the issuer gives the app. */
  readonly audience: readonly string[];
  /**
   * Where the issuer publishes its keys.
   * @default - `jwks_uri` from `<issuer>/.well-known/openid-configuration` (OIDC Discovery)
   */
  readonly jwksUri?: string;
}

export class ExternalIssuerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExternalIssuerConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http on loopback only (the local sandbox's OpenID provider). */
function isAcceptableUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.search || url.hash || url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** Validates the `EXTERNAL_OIDC_ISSUERS` JSON (set by infra/constructs/credential-vending.ts). */
export function parseExternalIssuers(json: string, variable: string): ExternalIssuerConfig[] {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw new ExternalIssuerConfigError(`${variable} must be JSON, got '${json.slice(0, 80)}'`);
  }
  if (!Array.isArray(input))
    throw new ExternalIssuerConfigError(`${variable} must be a JSON array`);
  const seen = new Set<string>();
  return input.map((raw: unknown, i) => {
    const at = `${variable}[${i}]`;
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { issuer, audience, jwksUri } = item;
    if (typeof issuer !== 'string' || !isAcceptableUrl(issuer)) {
      throw new ExternalIssuerConfigError(
        `${at}.issuer must be an https URL (http only on loopback), got ${JSON.stringify(issuer)}`,
      );
    }
    if (seen.has(issuer)) throw new ExternalIssuerConfigError(`${at}.issuer is listed twice`);
    seen.add(issuer);
    if (
      !Array.isArray(audience) ||
      audience.length === 0 ||
      !audience.every((a) => typeof a === 'string' && a.length > 0)
    ) {
      throw new ExternalIssuerConfigError(`${at}.audience must be a non-empty array of client ids`);
    }
    if (jwksUri !== undefined && (typeof jwksUri !== 'string' || !isAcceptableUrl(jwksUri))) {
      throw new ExternalIssuerConfigError(
        `${at}.jwksUri must be an https URL, got ${JSON.stringify(jwksUri)}`,
      );
    }
    return { issuer, audience: audience as string[], ...(jwksUri !== undefined && { jwksUri }) };
  });
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, no padding. (Node has no base32; five lines are not a dependency.) */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The AppInstanceUserId (and principal tag value) of `sub` at `issuer`: `oidc-` + base32 of
 * SHA-256(issuer NUL sub). Deterministic, so the same person always gets the same id; the NUL
 * separator (which no URL contains) makes (issuer, sub) -> input one-to-one, so two people of
 * different issuers collide only if SHA-256 does. 57 characters of `[a-z2-7-]`: valid for Chime and
 * STS, and never a user pool `sub` (contracts/app-instance-user-id.ts).
 */
export function externalUserId(issuer: string, sub: string): string {
  const digest = createHash('sha256').update(issuer).update('\u0000').update(sub).digest();
  const id = EXTERNAL_USER_ID_PREFIX + base32(digest);
  if (!EXTERNAL_USER_ID_PATTERN.test(id))
    throw new Error(`derived id has an unexpected form: ${id}`);
  return id;
}

/** OIDC Core: `sub` is at most 255 ASCII characters, never empty. */
function assertSubject(sub: unknown): asserts sub is string {
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
    throw new UnsupportedIdentityError('the token has no usable sub');
  }
}

/**
 * The issuer's `jwks_uri` from its discovery document. The document's `issuer` must equal the
 * configured one (OIDC Discovery 4.3), and the key URL must be https (loopback http for the local
 * sandbox, only when the issuer is itself loopback http).
 */
export async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const body = await fetcher.fetch(url);
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new Error(`discovery document of ${issuer} is not JSON`);
  }
  const d = (document ?? {}) as Record<string, unknown>;
  if (d.issuer !== issuer) {
    throw new Error(`discovery document of ${issuer} names another issuer`);
  }
  const jwksUri = d.jwks_uri;
  const httpIssuer = issuer.startsWith('http:');
  if (
    typeof jwksUri !== 'string' ||
    !isAcceptableUrl(jwksUri) ||
    (!httpIssuer && !jwksUri.startsWith('https:'))
  ) {
    throw new Error(`discovery document of ${issuer} has no acceptable jwks_uri`);
  }
  return jwksUri;
}

/**
 * The ID-token verifier of one external issuer (aws-jwt-verify JwtRsaVerifier: signature, `iss`,
 * `aud`, expiry; a `token_use` claim, if present, must be `id`). The key URL is discovered at the
 * first token, once per container; a failed discovery is retried at the next token.
 */
export function createExternalIssuerVerifier(
  config: ExternalIssuerConfig,
  options: { readonly jwksCache?: JwksCache; readonly fetcher?: Fetcher } = {},
): IdTokenVerifier {
  const fetcher = options.fetcher ?? new LoopbackHttpFetcher();
  const jwksCache = options.jwksCache ?? new SimpleJwksCache({ fetcher });
  let verifier: Promise<(token: string) => Promise<VerifiedClaims>> | undefined;
  const build = async () => {
    const jwksUri = config.jwksUri ?? (await discoverJwksUri(config.issuer, fetcher));
    const v = JwtRsaVerifier.create(
      {
        issuer: config.issuer,
        audience: [...config.audience],
        jwksUri,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== undefined && payload.token_use !== 'id') {
            throw new InvalidTokenError('not an ID token');
          }
        },
      },
      { jwksCache },
    );
    return (token: string) => v.verify(token) as Promise<VerifiedClaims>;
  };
  return async (token) => {
    let verify: (token: string) => Promise<VerifiedClaims>;
    try {
      verifier ??= build();
      verify = await verifier;
    } catch (err) {
      verifier = undefined;
      throw new IdentityProviderUnavailableError(err instanceof Error ? err.name : typeof err);
    }
    try {
      return await verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      const reason = refusalReason(err);
      if (reason !== undefined) throw new InvalidTokenError(reason);
      throw new IdentityProviderUnavailableError(err instanceof Error ? err.name : typeof err);
    }
  };
}

/**
 * One verifier for several issuers: picks the verifier by the token's (not yet trusted) `iss`,
 * which that verifier then checks exactly. A token of any other issuer is refused.
 */
export function verifierForIssuers(
  verifiers: ReadonlyMap<string, IdTokenVerifier>,
): IdTokenVerifier {
  return async (token) => {
    let iss: unknown;
    try {
      iss = decomposeUnverifiedJwt(token).payload.iss;
    } catch {
      throw new InvalidTokenError('malformed token');
    }
    const verify = typeof iss === 'string' ? verifiers.get(iss) : undefined;
    if (!verify) throw new InvalidTokenError('wrong issuer');
    return verify(token);
  };
}

/** Ensures the AppInstanceUser `id` exists (lambdas/lib/app-instance-user.ts), named from the claims. */
export type EnsureExternalUser = (
  appInstanceUserId: string,
  profile: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

/** Ids known to exist in this container: one Chime call per person per container, not per vend. */
const KNOWN_USERS_MAX = 10_000;

/**
 * The vending core's `resolveCaller`: for a token of an external issuer (its `iss` already
 * verified), the derived id, after making sure its AppInstanceUser exists; for any other verified
 * token (the user pool's), the `sub` as it is.
 */
export function externalCallerResolver(
  externalIssuers: readonly string[],
  ensureUser: EnsureExternalUser,
): (claims: VerifiedClaims) => Promise<string> {
  const external = new Set(externalIssuers);
  const known = new Set<string>();
  return async (claims) => {
    if (typeof claims.iss !== 'string' || !external.has(claims.iss)) {
      return claims.sub as string;
    }
    assertSubject(claims.sub);
    const id = externalUserId(claims.iss, claims.sub);
    if (!known.has(id)) {
      const text = (key: string) =>
        typeof claims[key] === 'string' ? (claims[key] as string) : undefined;
      await ensureUser(id, {
        name: text('name'),
        preferred_username: text('preferred_username'),
        given_name: text('given_name'),
        family_name: text('family_name'),
        nickname: text('nickname'),
        email: text('email'),
      });
      if (known.size >= KNOWN_USERS_MAX) known.clear();
      known.add(id);
    }
    return id;
  };
}

/** Time the vending API gives Chime to create a first-time caller's AppInstanceUser. */
export const ENSURE_USER_BUDGET_MS = 2000;

/**
 * The token checks and caller resolution of a vending configuration: the user pool's verifier
 * and/or one per external issuer, combined by `iss`; `resolveCaller` only when external issuers are
 * configured. Shared by the Lambda handler and the local sandbox.
 */
export function vendingVerification(
  config: {
    readonly issuer?: TokenIssuerConfig;
    readonly externalIssuers?: readonly ExternalIssuerConfig[];
  },
  deps: {
    readonly chime: EnsureAppInstanceUserDeps['chime'];
    readonly appInstanceArn: string;
    readonly jwksCache?: JwksCache;
    readonly fetcher?: Fetcher;
  },
): { verifyIdToken: IdTokenVerifier; resolveCaller?: (claims: VerifiedClaims) => Promise<string> } {
  const externals = config.externalIssuers ?? [];
  const cacheOptions = {
    ...(deps.jwksCache && { jwksCache: deps.jwksCache }),
    ...(deps.fetcher && { fetcher: deps.fetcher }),
  };
  if (externals.length === 0) {
    if (!config.issuer) throw new Error('no token issuer configured');
    return { verifyIdToken: createIdTokenVerifier(config.issuer, cacheOptions) };
  }
  const verifiers = new Map<string, IdTokenVerifier>();
  if (config.issuer)
    verifiers.set(issuerOf(config.issuer), createIdTokenVerifier(config.issuer, cacheOptions));
  for (const e of externals) verifiers.set(e.issuer, createExternalIssuerVerifier(e, cacheOptions));
  const ensureUser: EnsureExternalUser = async (appInstanceUserId, profile) => {
    await ensureAppInstanceUser(
      { chime: deps.chime, appInstanceArn: deps.appInstanceArn },
      {
        userAttributes: { ...profile, sub: appInstanceUserId },
        deadline: Date.now() + ENSURE_USER_BUDGET_MS,
      },
    );
  };
  return {
    verifyIdToken: verifierForIssuers(verifiers),
    resolveCaller: externalCallerResolver(
      externals.map((e) => e.issuer),
      ensureUser,
    ),
  };
}
