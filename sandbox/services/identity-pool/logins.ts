/**
 * The `Logins` of a request: an ID token of a provider the pool trusts, verified with
 * aws-jwt-verify's `JwtRsaVerifier` (signature, issuer, audience, expiry, `token_use` = id) and,
 * with `ServerSideTokenCheck`, against the user pool (user enabled, not signed out since); and the
 * principal tags its claims map to.
 */
import {
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { AwsError } from '../../core/errors';
import type { UserPoolView } from '../user-pool/view';
import type { PoolConfig, Provider } from './config';

const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** What `ServerSideTokenCheck` asks the user pool. */
export type UserPoolUsers = Pick<UserPoolView, 'findUser' | 'revoked'>;

export function notAuthorized(message: string): AwsError {
  return new AwsError('NotAuthorizedException', message, 400);
}

export function loginsOf(json: Record<string, unknown>): Record<string, string> {
  const logins = json.Logins;
  if (logins === undefined) return {};
  if (typeof logins !== 'object' || logins === null || Array.isArray(logins)) {
    throw new AwsError('InvalidParameterException', 'Logins must be a map of provider to token.');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(logins)) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new AwsError('InvalidParameterException', `Login token for '${key}' must be a string.`);
    }
    out[key] = value;
  }
  return out;
}

export async function verifyLogin(
  config: PoolConfig,
  logins: Record<string, string>,
  users: UserPoolUsers,
): Promise<{ provider: Provider; payload: JwtPayload }> {
  const entries = Object.entries(logins);
  if (entries.length === 0) {
    throw notAuthorized('Unauthenticated access is not supported for this identity pool.');
  }
  if (entries.length > 1) {
    throw notAuthorized('The sandbox accepts one login per request.');
  }
  const [key, token] = entries[0]!;
  const provider = config.providers.find((p) => p.keys.includes(key));
  if (!provider)
    throw notAuthorized('Token is not from a supported provider of this identity pool.');
  let payload: JwtPayload;
  try {
    payload = await provider.verifier.verify(token);
  } catch (error) {
    if (error instanceof JwtExpiredError) {
      const exp = error.rawJwt?.payload.exp ?? 0;
      throw notAuthorized(
        `Invalid login token. Token expired: ${exp} >= ${Math.floor(Date.now() / 1000)}`,
      );
    }
    if (error instanceof JwtInvalidAudienceError) {
      throw notAuthorized('Invalid login token. Incorrect token audience.');
    }
    if (error instanceof JwtInvalidIssuerError) {
      throw notAuthorized("Invalid login token. Issuer doesn't match providerName");
    }
    if (error instanceof JwtInvalidSignatureError || error instanceof KidNotFoundInJwksError) {
      throw notAuthorized("Invalid login token. Couldn't verify signed token.");
    }
    throw notAuthorized('Invalid login token. Not a valid OpenId Connect identity token.');
  }
  if (provider.serverSideTokenCheck) {
    const user = await users.findUser(String(payload.sub));
    if (!user?.enabled || users.revoked(String(payload.sub), Number(payload.iat))) {
      throw notAuthorized('Invalid login token. Token is revoked.');
    }
  }
  return { provider, payload };
}

/** A claim as a tag value: scalars as text, objects as JSON (which no tag value accepts). */
function claimText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function tagsFor(
  config: PoolConfig,
  provider: Provider,
  payload: JwtPayload,
): Record<string, string> {
  const mapping = config.principalTags[provider.providerName] ?? {};
  const tags: Record<string, string> = {};
  for (const [key, claim] of Object.entries(mapping)) {
    const value = payload[claim];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(claimText).join(',') : claimText(value);
    if (!TAG_VALUE.test(text)) {
      throw new AwsError(
        'InvalidParameterException',
        `Claim '${claim}' cannot be used as the value of principal tag '${key}'.`,
      );
    }
    tags[key] = text;
  }
  return tags;
}
