import { VENDING_ENV } from '../../../contracts/lambda-environment';
import { assertValidPrincipalTagKey } from '../../../contracts/principal-tag';
import { requireEnv } from '../env';
import { assertValidSettings, MAX_SESSION_SECONDS, type VendingSettings } from './core';
import { type TokenIssuerConfig } from './verifier';

export interface VendingConfig {
  readonly settings: VendingSettings;
  readonly issuer: TokenIssuerConfig;
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
  return { settings, issuer };
}
