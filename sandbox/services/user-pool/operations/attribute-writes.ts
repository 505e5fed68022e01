/**
 * The operations that write user attributes, checked against the pool schema and the app
 * client's permissions (attributes.ts) before cognito-local stores anything:
 * SignUp, AdminCreateUser, UpdateUserAttributes, AdminUpdateUserAttributes and the two
 * DeleteUserAttributes. In a pool whose username is the email, an email another user has is
 * refused (`UsernameExistsException` / `AliasExistsException`, whatever its letter case).
 */
import { CognitoError, InvalidParameterError, UsernameExistsError } from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import type { UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { type Attribute, parseAttributeNames, parseAttributes } from '../attributes';
import {
  type Operation,
  type PoolServices,
  accessTokenUser,
  appClientAndPool,
  attributePolicy,
  emailIsUsername,
} from './services';

const EMAIL_TAKEN = 'An account with the given email already exists.';

/** Cognito's message for a taken username, in a pool whose username is the email. */
function usernameExists(pool: UserPoolService, error: unknown): unknown {
  return error instanceof UsernameExistsError && emailIsUsername(pool)
    ? new CognitoError('UsernameExistsException', EMAIL_TAKEN)
    : error;
}

function usernameOf(req: Record<string, unknown>): string {
  if (typeof req.Username !== 'string' || req.Username === '') {
    throw new InvalidParameterError('Missing required parameter Username');
  }
  return req.Username;
}

/** A new email (in a pool where it is the username) must not be another user's. */
async function assertEmailFree(
  ctx: Context,
  pool: UserPoolService,
  attributes: readonly Attribute[],
  self: string,
): Promise<void> {
  const email = attributes.find((a) => a.Name === 'email')?.Value;
  if (!email || !emailIsUsername(pool)) return;
  const owner = await pool.getUserByUsername(ctx, email);
  if (owner && owner.Username !== self) {
    throw new CognitoError('AliasExistsException', EMAIL_TAKEN);
  }
}

export function signUp(services: Pick<PoolServices, 'cognito'>, inner: Operation): Operation {
  return async (ctx, req) => {
    const { client, pool } = await appClientAndPool(services, ctx, req.ClientId);
    const username = usernameOf(req);
    const attributes = parseAttributes(req.UserAttributes);
    attributePolicy(pool, client).check('SignUp', attributes, username);
    return inner(ctx, { ...req, UserAttributes: attributes }).catch((error: unknown) => {
      throw usernameExists(pool, error);
    });
  };
}

export function adminCreateUser(
  services: Pick<PoolServices, 'cognito'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const pool = await services.cognito.getUserPool(ctx, String(req.UserPoolId));
    const username = usernameOf(req);
    const attributes = parseAttributes(req.UserAttributes);
    attributePolicy(pool).check('AdminCreateUser', attributes, username);
    return inner(ctx, { ...req, UserAttributes: attributes }).catch((error: unknown) => {
      throw usernameExists(pool, error);
    });
  };
}

export function updateUserAttributes(
  services: Pick<PoolServices, 'cognito'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const { user, client, pool } = await accessTokenUser(services, ctx, req.AccessToken);
    const attributes = parseAttributes(req.UserAttributes);
    attributePolicy(pool, client).check('UpdateUserAttributes', attributes);
    await assertEmailFree(ctx, pool, attributes, user.Username);
    return inner(ctx, { ...req, UserAttributes: attributes });
  };
}

export function adminUpdateUserAttributes(
  services: Pick<PoolServices, 'cognito'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const pool = await services.cognito.getUserPool(ctx, String(req.UserPoolId));
    const attributes = parseAttributes(req.UserAttributes);
    attributePolicy(pool).check('AdminUpdateUserAttributes', attributes);
    const user = await pool.getUserByUsername(ctx, usernameOf(req));
    if (user) await assertEmailFree(ctx, pool, attributes, user.Username);
    return inner(ctx, { ...req, UserAttributes: attributes });
  };
}

export function deleteUserAttributes(
  services: Pick<PoolServices, 'cognito'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const { client, pool } = await accessTokenUser(services, ctx, req.AccessToken);
    const names = parseAttributeNames(req.UserAttributeNames);
    attributePolicy(pool, client).checkDeletion(names, true);
    return inner(ctx, { ...req, UserAttributeNames: names });
  };
}

export function adminDeleteUserAttributes(
  services: Pick<PoolServices, 'cognito'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const pool = await services.cognito.getUserPool(ctx, String(req.UserPoolId));
    const names = parseAttributeNames(req.UserAttributeNames);
    attributePolicy(pool).checkDeletion(names, false);
    return inner(ctx, { ...req, UserAttributeNames: names });
  };
}
