import { assertValidPrincipalTagKey } from '../../../contracts/principal-tag';
import { requireEnv } from '../env';
import { assertValidSettings, MAX_SESSION_SECONDS, type VendingSettings } from './core';

/** Environment variables of the vending function (set by infra/constructs/credential-vending.ts). */
export const VENDING_ENV = {
  userRoleArn: 'USER_ROLE_ARN',
  principalTagKey: 'PRINCIPAL_TAG_KEY',
  appInstanceArn: 'APP_INSTANCE_ARN',
  sessionDurationSeconds: 'SESSION_DURATION_SECONDS',
  /** External issuers' routes only: the issuer their authorizer accepts (its tokens' `iss`). */
  externalIssuer: 'EXTERNAL_OIDC_ISSUER',
} as const;

/** The rate-limit scope of vending: the key prefix its role may write (`credentials#*`). */
export const VENDING_RATE_SCOPE = 'credentials';

/** Reads and validates the function's settings; throws naming the bad variable. */
export function readVendingSettings(env: NodeJS.ProcessEnv = process.env): VendingSettings {
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
  return settings;
}

/** The issuer of an external vending route's function; throws naming the variable. */
export function readExternalIssuer(env: NodeJS.ProcessEnv = process.env): string {
  const issuer = requireEnv(VENDING_ENV.externalIssuer, env);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`${VENDING_ENV.externalIssuer} must be a URL, got '${issuer}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${VENDING_ENV.externalIssuer} must be an https URL, got '${issuer}'`);
  }
  return issuer;
}
