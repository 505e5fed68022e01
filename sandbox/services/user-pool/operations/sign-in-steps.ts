/**
 * The steps of a sign-in shared by InitiateAuth, AdminInitiateAuth and the challenge answers:
 * which flows an app client allows, the checks on the user before and after the password, the
 * next challenge (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA) or the tokens.
 */
import {
  CognitoError,
  InvalidParameterError,
  NotAuthorizedError,
  UnsupportedError,
  UserNotConfirmedException,
} from 'cognito-local/lib/errors';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import type { ChallengeName, PendingChallenge } from '../auth-sessions';
import { type AuthenticationResult, keptRefreshTokens } from '../tokens';
import { type PoolServices, attributePolicy } from './services';

export const BAD_CREDENTIALS = 'Incorrect username or password.';

/** The `ExplicitAuthFlows` values that allow each AuthFlow (the legacy names included). */
const ALLOWED_BY: Record<string, readonly string[]> = {
  USER_SRP_AUTH: ['ALLOW_USER_SRP_AUTH'],
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
  ADMIN_USER_PASSWORD_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  ADMIN_NO_SRP_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  REFRESH_TOKEN_AUTH: ['ALLOW_REFRESH_TOKEN_AUTH'],
  REFRESH_TOKEN: ['ALLOW_REFRESH_TOKEN_AUTH'],
  CUSTOM_AUTH: ['ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH_FLOW_ONLY'],
  USER_AUTH: ['ALLOW_USER_AUTH'],
};
/** What an app client created without `ExplicitAuthFlows` allows (Cognito's default). */
const DEFAULT_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
export const AUTH_FLOWS = Object.keys(ALLOWED_BY);

/** The AuthFlow of the request, checked against the model's enum. */
export function authFlowOf(value: unknown): string {
  if (typeof value !== 'string' || !AUTH_FLOWS.includes(value)) {
    throw new InvalidParameterError(
      `1 validation error detected: Value '${String(value)}' at 'authFlow' failed to satisfy ` +
        `constraint: Member must satisfy enum value set: [${AUTH_FLOWS.join(', ')}]`,
    );
  }
  return value;
}

/** Refuses a flow the app client's `ExplicitAuthFlows` does not allow, with Cognito's message. */
export function assertFlowAllowed(client: AppClient, flow: string): void {
  const flows = client.ExplicitAuthFlows?.length ? client.ExplicitAuthFlows : DEFAULT_FLOWS;
  // Refresh is always allowed to a client configured with the legacy (non-ALLOW_) names.
  const legacy = !flows.some((f) => f.startsWith('ALLOW_'));
  if (legacy && flow.startsWith('REFRESH_TOKEN')) return;
  if (ALLOWED_BY[flow]?.some((allow) => flows.includes(allow))) return;
  throw new InvalidParameterError(
    flow.startsWith('ADMIN_')
      ? 'Auth flow not enabled for this client'
      : `${flow} flow not enabled for this client`,
  );
}

/** A required string parameter, with Cognito's message when missing. */
export function requiredParameter(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') {
    throw new InvalidParameterError(`Missing required parameter ${name}`);
  }
  return value;
}

/** The states that end a sign-in before the password is even checked (as Cognito does). */
export function assertMaySignIn(user: User): void {
  if (user.UserStatus === 'UNCONFIRMED') throw new UserNotConfirmedException();
  if (user.UserStatus === 'RESET_REQUIRED') {
    throw new CognitoError(
      'PasswordResetRequiredException',
      'Password reset required for the user',
    );
  }
}

/** After the password was proven: a disabled user learns it now, and only now. */
export function assertEnabled(user: User): void {
  if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
}

/** The sign-in session lifetime: the app client's `AuthSessionValidity` (minutes; default 3). */
export function sessionLifetimeMs(client: AppClient): number {
  const minutes = (client as AppClient & { AuthSessionValidity?: number }).AuthSessionValidity;
  return (typeof minutes === 'number' && minutes >= 3 && minutes <= 15 ? minutes : 3) * 60_000;
}

function challenge(
  { sessions }: Pick<PoolServices, 'sessions'>,
  client: AppClient,
  user: User,
  name: ChallengeName,
  parameters: Record<string, string>,
  clientMetadata?: Record<string, string>,
) {
  const pending: PendingChallenge = {
    challenge: name,
    clientId: client.ClientId,
    username: user.Username,
    ...(clientMetadata && { clientMetadata }),
  };
  return {
    ChallengeName: name,
    Session: sessions.open(pending, sessionLifetimeMs(client)),
    ChallengeParameters: { USER_ID_FOR_SRP: user.Username, ...parameters },
  };
}

function usesTotp(pool: UserPoolService, user: User): boolean {
  const settings = user.UserMFASettingList ?? [];
  return pool.options.MfaConfiguration !== 'OFF' && settings.includes('SOFTWARE_TOKEN_MFA');
}

/**
 * The password is proven and the user enabled: the next challenge the account calls for, or the
 * tokens (after the post authentication trigger).
 */
export async function afterPassword(
  services: Pick<PoolServices, 'sessions' | 'triggers' | 'tokens' | 'clock'>,
  ctx: Context,
  pool: UserPoolService,
  client: AppClient,
  user: User,
  clientMetadata?: Record<string, string>,
): Promise<Record<string, unknown>> {
  if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') {
    const policy = attributePolicy(pool, client);
    const readable = policy.readable();
    const have = new Set(user.Attributes.map((a) => a.Name));
    const required = (pool.options.SchemaAttributes ?? [])
      .filter((a) => a.Required && a.Name && !have.has(a.Name))
      .map((a) => `userAttributes.${a.Name}`);
    const attributes = Object.fromEntries(
      user.Attributes.filter((a) => a.Name !== 'sub' && readable.has(a.Name)).map((a) => [
        a.Name,
        a.Value,
      ]),
    );
    return challenge(
      services,
      client,
      user,
      'NEW_PASSWORD_REQUIRED',
      { requiredAttributes: JSON.stringify(required), userAttributes: JSON.stringify(attributes) },
      clientMetadata,
    );
  }
  if (usesTotp(pool, user)) {
    const device = user.SoftwareTokenMfaConfiguration?.FriendlyDeviceName;
    return challenge(
      services,
      client,
      user,
      'SOFTWARE_TOKEN_MFA',
      device ? { FRIENDLY_DEVICE_NAME: device } : {},
      clientMetadata,
    );
  }
  if ((user.UserMFASettingList ?? []).includes('SMS_MFA')) {
    throw new UnsupportedError('SMS_MFA (the sandbox sends no SMS)');
  }
  return signedIn(services, ctx, pool, client, user, 'Authentication', clientMetadata);
}

/** The end of a sign-in: the post authentication trigger, then the tokens (and a refresh token). */
export async function signedIn(
  services: Pick<PoolServices, 'triggers' | 'tokens' | 'clock'>,
  ctx: Context,
  pool: UserPoolService,
  client: AppClient,
  user: User,
  source: 'Authentication' | 'NewPasswordChallenge',
  clientMetadata?: Record<string, string>,
): Promise<Record<string, unknown>> {
  const { triggers } = services;
  if (triggers.enabled('PostAuthentication')) {
    await triggers.postAuthentication(ctx, {
      clientId: client.ClientId,
      clientMetadata,
      source: 'PostAuthentication_Authentication',
      userAttributes: user.Attributes,
      username: user.Username,
      userPoolId: pool.options.Id,
    });
  }
  const result = await signInTokens(services, ctx, pool, client, user, source, clientMetadata);
  return { ChallengeParameters: {}, AuthenticationResult: result };
}

/**
 * A sign-in's tokens (pre token generation reports `TokenGeneration_<source>`), its refresh token
 * kept with the user. Also the end of a federated sign-in (`HostedAuth`).
 */
export async function signInTokens(
  { tokens, clock }: Pick<PoolServices, 'tokens' | 'clock'>,
  ctx: Context,
  pool: UserPoolService,
  client: AppClient,
  user: User,
  source: 'Authentication' | 'NewPasswordChallenge' | 'HostedAuth',
  clientMetadata?: Record<string, string>,
): Promise<AuthenticationResult> {
  const groups = await pool.listUserGroupMembership(ctx, user);
  const result = await tokens.issue(ctx, user, groups, client, {
    source,
    ...(clientMetadata && { clientMetadata }),
    withRefreshToken: true,
  });
  if (result.RefreshToken) {
    // Read again: the trigger may have changed the user meanwhile.
    const current = (await pool.getUserByUsername(ctx, user.Username)) ?? user;
    const now = Math.floor(clock.get().getTime() / 1000);
    await pool.saveUser(ctx, {
      ...current,
      RefreshTokens: keptRefreshTokens(current.RefreshTokens, result.RefreshToken, now),
    });
  }
  return result;
}
