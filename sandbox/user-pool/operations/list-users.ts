/**
 * `ListUsers` as Cognito pages it, which cognito-local does not: it returns every user at once and
 * ignores `Limit`, `PaginationToken` and `AttributesToGet`. Anything that reads a whole pool (the
 * user reconcile, `npm run users`) must follow pagination tokens; here it has to.
 *
 * Users are served in user name order; the token is a cursor (the last user name served), so users
 * added or deleted between pages neither repeat nor shift the rest. Filters are cognito-local's.
 */
import { InvalidParameterError } from 'cognito-local/lib/errors';
import { userToResponseObject } from 'cognito-local/lib/targets/responses';
import type { Operation, PoolServices } from './services';

/** The API's page size limit (Limit 0-60; 0 or absent means the largest page). */
export const LIST_USERS_MAX = 60;

const TOKEN_PREFIX = 'lu1.';

function encodeToken(afterUsername: string): string {
  return TOKEN_PREFIX + Buffer.from(afterUsername, 'utf8').toString('base64url');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) {
    throw new InvalidParameterError('Invalid PaginationToken.');
  }
  return Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8');
}

export function listUsers({ cognito }: Pick<PoolServices, 'cognito'>): Operation {
  return async (ctx, req) => {
    if (typeof req.UserPoolId !== 'string') {
      throw new InvalidParameterError('UserPoolId is required.');
    }
    const limit = req.Limit === undefined || req.Limit === 0 ? LIST_USERS_MAX : req.Limit;
    if (
      typeof limit !== 'number' ||
      !Number.isInteger(limit) ||
      limit < 0 ||
      limit > LIST_USERS_MAX
    ) {
      throw new InvalidParameterError(`Limit must be an integer from 0 to ${LIST_USERS_MAX}.`);
    }
    const wanted = req.AttributesToGet;
    if (
      wanted !== undefined &&
      (!Array.isArray(wanted) || !wanted.every((a) => typeof a === 'string'))
    ) {
      throw new InvalidParameterError('AttributesToGet must be a list of attribute names.');
    }
    const after = decodeToken(req.PaginationToken);
    const pool = await cognito.getUserPool(ctx, req.UserPoolId);
    const filter = typeof req.Filter === 'string' && req.Filter !== '' ? req.Filter : undefined;
    const users = (await pool.listUsers(ctx, filter))
      .filter((u) => after === undefined || u.Username > after)
      .sort((a, b) => (a.Username < b.Username ? -1 : a.Username > b.Username ? 1 : 0));
    const page = users.slice(0, limit);
    const last = page.at(-1);
    return {
      Users: page.map((user) => {
        const response = userToResponseObject(user);
        return wanted === undefined
          ? response
          : {
              ...response,
              Attributes: (response.Attributes ?? []).filter((a) =>
                (wanted as string[]).includes(a.Name),
              ),
            };
      }),
      ...(users.length > limit && last && { PaginationToken: encodeToken(last.Username) }),
    };
  };
}
