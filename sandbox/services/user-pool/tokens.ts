/**
 * The pool's tokens, as Cognito issues them, signed with the sandbox's key (signing-key.ts):
 * - the ID token carries the attributes the app client may read (`ReadAttributes`, by default the
 *   standard attributes and the verified flags): `name`, `email`, `email_verified` (a boolean), ...;
 *   `origin_jti` and `auth_time` stay those of the sign-in across refreshes;
 * - the access token carries `username`, `client_id`, `scope` and the groups;
 * - the refresh token is opaque to clients (here a JWT the pool also keeps with the user, so that
 *   it can be looked up, revoked and bound to its app client);
 * - `ExpiresIn` (the access token's life, seconds) and `TokenType: "Bearer"` come with them;
 * - the pre token generation trigger (V1 event) may add, override or suppress ID token claims and
 *   override groups, except Cognito's reserved claims.
 * Lifetimes come from the app client (`*TokenValidity`, `TokenValidityUnits`), AWS's defaults
 * otherwise (access and ID: 60 minutes; refresh: 30 days).
 */
import { randomUUID } from 'node:crypto';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Clock } from 'cognito-local/lib/services/clock';
import type { Context } from 'cognito-local/lib/services/context';
import type { TokenGenerator, Tokens } from 'cognito-local/lib/services/tokenGenerator';
import type { Triggers } from 'cognito-local/lib/services/triggers';
import {
  type User,
  type UserPool,
  attributeValue,
} from 'cognito-local/lib/services/userPoolService';
import { AttributePolicy } from './attributes';
import { identitiesClaim } from './identities';
import { type SigningKey, signJwt } from './signing-key';

type Source = Parameters<TokenGenerator['generate']>[5];

export interface IssueOptions {
  readonly source: Source;
  readonly clientMetadata?: Record<string, string>;
  /** Issue a refresh token too (a sign-in; not a refresh). */
  readonly withRefreshToken: boolean;
  /** On a refresh: the sign-in the refresh token came from. */
  readonly origin?: { readonly authTime: number; readonly originJti: string };
}

export interface AuthenticationResult {
  readonly AccessToken: string;
  readonly IdToken: string;
  readonly RefreshToken?: string;
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
}

/** What the pool's refresh tokens say (read back when one is used). */
export interface RefreshClaims {
  readonly 'cognito:username': string;
  readonly client_id: string;
  readonly origin_jti: string;
  readonly auth_time: number;
  readonly iat: number;
  readonly exp: number;
}

/** Claims a pre token generation trigger cannot change. */
const RESERVED = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
]);
const SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 } as const;
/** Refresh tokens kept per user: the oldest beyond this are forgotten (revoked). */
const REFRESH_TOKENS_KEPT = 50;

function validitySeconds(
  value: number | undefined,
  unit: string | undefined,
  defaultUnit: keyof typeof SECONDS,
  defaultSeconds: number,
): number {
  if (value === undefined) return defaultSeconds;
  const factor = SECONDS[(unit ?? defaultUnit) as keyof typeof SECONDS] ?? SECONDS[defaultUnit];
  return value * factor;
}

/** ID token claim values: the verified flags are booleans, `updated_at` a number, others strings. */
function claimValue(name: string, value: string): unknown {
  if (name === 'email_verified' || name === 'phone_number_verified') return value === 'true';
  if (name === 'updated_at' && /^\d+$/.test(value)) return Number(value);
  return value;
}

interface PreTokenResponse {
  claimsOverrideDetails?: {
    claimsToAddOrOverride?: Record<string, unknown>;
    claimsToSuppress?: string[];
    groupOverrideDetails?: { groupsToOverride?: string[] };
  };
}

export class PoolTokens implements TokenGenerator {
  constructor(
    private readonly clock: Clock,
    private readonly triggers: Triggers,
    private readonly issuerDomain: string,
    private readonly key: SigningKey,
    /** The pool's options (schema), for the app client's readable attributes. */
    private readonly poolOptions: (userPoolId: string) => Promise<UserPool>,
  ) {}

  /** Lifetimes of the app client's tokens, in seconds. */
  lifetimes(client: AppClient): { access: number; id: number; refresh: number } {
    const units = client.TokenValidityUnits ?? {};
    return {
      access: validitySeconds(client.AccessTokenValidity, units.AccessToken, 'hours', 3600),
      id: validitySeconds(client.IdTokenValidity, units.IdToken, 'hours', 3600),
      refresh: validitySeconds(client.RefreshTokenValidity, units.RefreshToken, 'days', 30 * 86400),
    };
  }

  async issue(
    ctx: Context,
    user: User,
    groups: readonly string[],
    client: AppClient,
    options: IssueOptions,
  ): Promise<AuthenticationResult> {
    const now = Math.floor(this.clock.get().getTime() / 1000);
    const authTime = options.origin?.authTime ?? now;
    const originJti = options.origin?.originJti ?? randomUUID();
    const eventId = randomUUID();
    const sub = attributeValue('sub', user.Attributes);
    const issuer = `${this.issuerDomain}/${client.UserPoolId}`;
    const lifetimes = this.lifetimes(client);
    const readable = new AttributePolicy(
      await this.poolOptions(client.UserPoolId),
      client,
    ).readable();

    let idClaims: Record<string, unknown> = {};
    for (const { Name: name, Value: value } of user.Attributes ?? []) {
      if (
        name &&
        value !== undefined &&
        name !== 'sub' &&
        name !== 'identities' &&
        readable.has(name)
      ) {
        idClaims[name] = claimValue(name, value);
      }
    }
    // A federated (or linked) user's provider identities, as an array (identities.ts).
    const identities = identitiesClaim(user);
    let groupClaim: readonly string[] = groups;
    if (this.triggers.enabled('PreTokenGeneration')) {
      const response = (await this.triggers.preTokenGeneration(ctx, {
        clientId: client.ClientId,
        clientMetadata: options.clientMetadata,
        source: options.source,
        userAttributes: user.Attributes,
        username: user.Username,
        groupConfiguration: {
          groupsToOverride: [...groups],
          iamRolesToOverride: [],
          preferredRole: undefined,
        },
        userPoolId: client.UserPoolId,
      })) as PreTokenResponse | undefined;
      const details = response?.claimsOverrideDetails;
      const suppress = new Set((details?.claimsToSuppress ?? []).filter((c) => !RESERVED.has(c)));
      idClaims = Object.fromEntries(
        [
          ...Object.entries(idClaims),
          ...Object.entries(details?.claimsToAddOrOverride ?? {}).filter(([c]) => !RESERVED.has(c)),
        ].filter(([claim]) => !suppress.has(claim)),
      );
      groupClaim = details?.groupOverrideDetails?.groupsToOverride ?? groupClaim;
    }
    const groupClaims = groupClaim.length > 0 ? { 'cognito:groups': [...groupClaim] } : {};

    const IdToken = signJwt(
      {
        ...idClaims,
        sub,
        ...groupClaims,
        ...(identities && { identities }),
        iss: issuer,
        'cognito:username': user.Username,
        origin_jti: originJti,
        aud: client.ClientId,
        event_id: eventId,
        token_use: 'id',
        auth_time: authTime,
        exp: now + lifetimes.id,
        iat: now,
        jti: randomUUID(),
      },
      this.key,
    );
    const AccessToken = signJwt(
      {
        sub,
        ...groupClaims,
        iss: issuer,
        client_id: client.ClientId,
        origin_jti: originJti,
        event_id: eventId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        auth_time: authTime,
        exp: now + lifetimes.access,
        iat: now,
        jti: randomUUID(),
        username: user.Username,
      },
      this.key,
    );
    const refresh: RefreshClaims & { jti: string } = {
      'cognito:username': user.Username,
      client_id: client.ClientId,
      origin_jti: originJti,
      auth_time: authTime,
      iat: now,
      exp: now + lifetimes.refresh,
      jti: randomUUID(),
    };
    return {
      AccessToken,
      IdToken,
      ...(options.withRefreshToken && { RefreshToken: signJwt(refresh, this.key) }),
      ExpiresIn: lifetimes.access,
      TokenType: 'Bearer',
    };
  }

  /** cognito-local's interface (its remaining callers): a sign-in's three tokens. */
  async generate(
    ctx: Context,
    user: User,
    groups: readonly string[],
    client: AppClient,
    clientMetadata: Record<string, string> | undefined,
    source: Source,
  ): Promise<Tokens> {
    const result = await this.issue(ctx, user, groups, client, {
      source,
      ...(clientMetadata && { clientMetadata }),
      withRefreshToken: true,
    });
    return {
      AccessToken: result.AccessToken,
      IdToken: result.IdToken,
      RefreshToken: result.RefreshToken ?? '',
    };
  }
}

/** The claims of a refresh token the pool issued (its signature was checked when it was issued). */
export function refreshClaimsOf(token: string): Partial<RefreshClaims> {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as unknown;
    return typeof payload === 'object' && payload !== null ? payload : {};
  } catch {
    return {};
  }
}

/** The user's stored refresh tokens plus `token`, the expired and the oldest beyond the cap dropped. */
export function keptRefreshTokens(
  existing: readonly string[] | undefined,
  token: string,
  now: number,
): string[] {
  const live = (existing ?? []).filter((t) => (refreshClaimsOf(t).exp ?? Infinity) > now);
  return [...live, token].slice(-REFRESH_TOKENS_KEPT);
}
