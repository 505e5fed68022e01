/**
 * What the sandbox's user pool operations get: cognito-local's services plus the sandbox's own
 * (tokens, sign-in sessions, revocations). Each operation takes only the part it uses
 * (`Pick<PoolServices, ...>`), as cognito-local's targets do.
 */
import {
  InvalidParameterError,
  NotAuthorizedError,
  ResourceNotFoundError,
} from 'cognito-local/lib/errors';
import type { Services } from 'cognito-local/lib/services';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { AttributePolicy } from '../attributes';
import type { AuthSessions } from '../auth-sessions';
import type { SignOuts } from '../sign-outs';
import type { PoolTokens } from '../tokens';

export interface PoolServices extends Services {
  readonly tokens: PoolTokens;
  readonly sessions: AuthSessions;
  readonly signOuts: SignOuts;
  /** Keys the simulated SRP challenge of unknown users, so it is the same for the same name. */
  readonly simulationKey: Buffer;
  /** The pool's external identity providers by name (`ProviderType`), as the template has them. */
  readonly identityProviders: ReadonlyMap<string, { readonly type: string }>;
}

/** An operation: the request's JSON in, the response's JSON out (or a CognitoError thrown). */
export type Operation = (ctx: Context, req: Record<string, unknown>) => Promise<unknown>;

/** The app client `clientId` and its pool; Cognito's error for an unknown client. */
export async function appClientAndPool(
  { cognito }: Pick<PoolServices, 'cognito'>,
  ctx: Context,
  clientId: unknown,
): Promise<{ client: AppClient; pool: UserPoolService }> {
  if (typeof clientId !== 'string' || clientId === '') {
    throw new InvalidParameterError('Missing required parameter ClientId');
  }
  const client = await cognito.getAppClient(ctx, clientId);
  if (!client) throw new ResourceNotFoundError(`User pool client ${clientId} does not exist.`);
  return { client, pool: await cognito.getUserPool(ctx, client.UserPoolId) };
}

/** The attribute rules of this pool for this app client (none for the administrator). */
export function attributePolicy(pool: UserPoolService, client?: AppClient): AttributePolicy {
  return new AttributePolicy(pool.options, client);
}

/** Claims of an access token the gate already verified (signature, expiry, revocation). */
export function accessTokenClaims(token: unknown): Record<string, unknown> {
  if (typeof token !== 'string') throw new NotAuthorizedError('Invalid Access Token');
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as unknown;
    if (typeof claims === 'object' && claims !== null) return claims as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new NotAuthorizedError('Invalid Access Token');
}

/**
 * The user an access token is for, who must still exist and be enabled (a disabled user's
 * tokens are refused on every path), with the token's app client and pool.
 */
export async function accessTokenUser(
  services: Pick<PoolServices, 'cognito'>,
  ctx: Context,
  token: unknown,
): Promise<{ user: User; client: AppClient; pool: UserPoolService }> {
  const claims = accessTokenClaims(token);
  const { client, pool } = await appClientAndPool(services, ctx, claims.client_id);
  const user = await pool.getUserByUsername(ctx, String(claims.sub));
  if (!user) throw new NotAuthorizedError('User does not exist.');
  if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
  return { user, client, pool };
}

/** Whether the pool's username is the email address (`UsernameAttributes: [email]`). */
export function emailIsUsername(pool: UserPoolService): boolean {
  return (pool.options.UsernameAttributes ?? []).includes('email');
}
