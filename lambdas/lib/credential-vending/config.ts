import { assertValidPrincipalTagKey } from '../../../contracts/principal-tag';
import { requireEnv } from '../env';
import { assertValidSettings, MAX_SESSION_SECONDS, type VendingSettings } from './core';
import { type ExternalIssuerConfig, parseExternalIssuers } from './external-issuers';
import { issuerOf, type TokenIssuerConfig } from './verifier';

/** Environment variables of the vending function (set by infra/constructs/credential-vending.ts). */
export const VENDING_ENV = {
  userRoleArn: 'USER_ROLE_ARN',
  principalTagKey: 'PRINCIPAL_TAG_KEY',
  appInstanceArn: 'APP_INSTANCE_ARN',
  sessionDurationSeconds: 'SESSION_DURATION_SECONDS',
  /** `cognito` or `oidc`. */
  tokenIssuerKind: 'TOKEN_ISSUER_KIND',
  userPoolId: 'COGNITO_USER_POOL_ID',
  /** Comma-separated app client ids. */
  userPoolClientIds: 'COGNITO_CLIENT_IDS',
  oidcIssuer: 'OIDC_ISSUER',
  /** Comma-separated accepted `aud` values. */
  oidcAudience: 'OIDC_AUDIENCE',
  oidcJwksUri: 'OIDC_JWKS_URI',
  /** JSON array of external OIDC issuers, `[{ issuer, audience: [...], jwksUri? }]` (external-issuers.ts). */
  externalOidcIssuers: 'EXTERNAL_OIDC_ISSUERS',
} as const;

export interface VendingConfig {
  readonly settings: VendingSettings;
  /** The user pool (or its stand-in); absent when only external issuers are accepted. */
  readonly issuer?: TokenIssuerConfig;
  /** External OIDC issuers whose people get derived ids; absent when there are none. */
  readonly externalIssuers?: readonly ExternalIssuerConfig[];
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Reads and validates the function's configuration; throws naming the bad variable. */
export function readVendingConfig(env: NodeJS.ProcessEnv = process.env): VendingConfig {
  const durationText = env[VENDING_ENV.sessionDurationSeconds]?.trim() || `${MAX_SESSION_SECONDS}`;
  if (!/^\d+$/.test(durationText)) {
    throw new Error(
      `${VENDING_ENV.sessionDurationSeconds} must be a whole number of seconds, got '${durationText}'`,
    );
  }
  const settings: VendingSettings = {
    userRoleArn: requireEnv(VENDING_ENV.userRoleArn, env),
    principalTagKey: requireEnv(VENDING_ENV.principalTagKey, env),
    appInstanceArn: requireEnv(VENDING_ENV.appInstanceArn, env),
    sessionDurationSeconds: Number(durationText),
  };
  assertValidPrincipalTagKey(settings.principalTagKey);
  assertValidSettings(settings);

  const externalJson = env[VENDING_ENV.externalOidcIssuers]?.trim();
  const externalIssuers = externalJson
    ? parseExternalIssuers(externalJson, VENDING_ENV.externalOidcIssuers)
    : [];
  const external = externalIssuers.length > 0 ? { externalIssuers } : {};
  // Only external issuers: the user pool's tokens are not accepted at all.
  if (!env[VENDING_ENV.tokenIssuerKind]?.trim() && externalIssuers.length > 0) {
    return { settings, ...external };
  }
  const kind = requireEnv(VENDING_ENV.tokenIssuerKind, env);
  let issuer: TokenIssuerConfig;
  if (kind === 'cognito') {
    issuer = {
      kind,
      userPoolId: requireEnv(VENDING_ENV.userPoolId, env),
      clientIds: list(requireEnv(VENDING_ENV.userPoolClientIds, env)),
    };
  } else if (kind === 'oidc') {
    const iss = requireEnv(VENDING_ENV.oidcIssuer, env);
    issuer = {
      kind,
      issuer: iss,
      audience: list(requireEnv(VENDING_ENV.oidcAudience, env)),
      jwksUri:
        env[VENDING_ENV.oidcJwksUri]?.trim() || `${iss.replace(/\/+$/, '')}/.well-known/jwks.json`,
    };
  } else {
    throw new Error(`${VENDING_ENV.tokenIssuerKind} must be 'cognito' or 'oidc', got '${kind}'`);
  }
  for (const e of externalIssuers) {
    if (e.issuer === issuerOf(issuer)) {
      throw new Error(
        `${VENDING_ENV.externalOidcIssuers} must not list the user pool's own issuer (${e.issuer}): its users keep their sub`,
      );
    }
  }
  return { settings, issuer, ...external };
}
