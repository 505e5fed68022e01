import { createHash } from 'node:crypto';
import {
  EXTERNAL_USER_ID_PATTERN,
  EXTERNAL_USER_ID_PREFIX,
} from '../../../contracts/app-instance-user-id';
import { errorResponse, type RouteResponse } from '../http-api/responses';
import { errorNameOf } from '../errors';
import { vendAs, type VendingBaseDeps, type VendingRequest } from './core';

/**
 * The page's "custom credential-vending service" for another identity provider: a route of the
 * HTTP API per external OpenID Connect issuer, behind its own API Gateway JWT authorizer (issuer,
 * audience, signature by a key found through discovery, expiry: checked before this code runs).
 * Its people get an AppInstanceUserId derived from issuer and `sub` (never the raw `sub`, which
 * another issuer, or the user pool, could also hand out), and their AppInstanceUser is created
 * before the first credentials are vended (docs/federation.md, "The STS path").
 */

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

/** Profile claims the AppInstanceUser's display name may come from (lambdas/lib/display-name.ts). */
const PROFILE_CLAIMS = [
  'name',
  'preferred_username',
  'given_name',
  'family_name',
  'nickname',
  'email',
] as const;

/** Ensures the AppInstanceUser `id` exists (lambdas/lib/app-instance-user.ts), named from the claims. */
export type EnsureExternalUser = (
  appInstanceUserId: string,
  profile: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

export interface ExternalVendingDeps extends VendingBaseDeps {
  /** The issuer this route's authorizer accepts, exactly as its tokens' `iss`. */
  readonly issuer: string;
  readonly ensureUser: EnsureExternalUser;
}

/** Ids known to exist in this container: one Chime call per person per container, not per vend. */
const KNOWN_USERS_MAX = 10_000;

/**
 * The handler's core: from the claims the route's JWT authorizer verified, the derived id; then the
 * shared steps (per-caller limit), the AppInstanceUser created if missing, and AssumeRole with the
 * derived id as principal tag. Never throws; never logs the token, the `sub` or the credentials.
 */
export function externalVending(
  deps: ExternalVendingDeps,
): (request: Pick<VendingRequest, 'claims'>) => Promise<RouteResponse> {
  const known = new Set<string>();
  return async ({ claims }) => {
    const { logger } = deps;
    // The authorizer checked `iss`; checked again so a misrouted authorizer cannot mint ids.
    if (claims.iss !== deps.issuer) {
      logger.warn('token of another issuer on an external vending route');
      return errorResponse(401, 'invalid_token', "the token is not of this route's issuer");
    }
    const sub = claims.sub;
    // OIDC Core: `sub` is at most 255 ASCII characters, never empty.
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
      logger.warn('external token without a usable sub', { subLength: sub?.length });
      return errorResponse(403, 'unsupported_identity', 'the token has no usable sub');
    }
    const userId = externalUserId(deps.issuer, sub);
    return vendAs(deps, userId, async () => {
      if (known.has(userId)) return undefined;
      const profile = Object.fromEntries(PROFILE_CLAIMS.map((c) => [c, claims[c]]));
      try {
        await deps.ensureUser(userId, profile);
      } catch (error) {
        logger.error('chat user could not be prepared', { userId, errorName: errorNameOf(error) });
        return errorResponse(502, 'credentials_unavailable', 'could not prepare the chat user');
      }
      if (known.size >= KNOWN_USERS_MAX) known.clear();
      known.add(userId);
      return undefined;
    });
  };
}
