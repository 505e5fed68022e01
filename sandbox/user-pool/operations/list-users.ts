/**
 * `ListUsers` as the Cognito developer guide describes its `Filter` ("Managing and searching for
 * user accounts"), where cognito-local differs: the value is a quoted string in which a backslash
 * escapes the next character (`\"`, `\\`); `=` is an exact match and `^=` a prefix match;
 * "all searches are case-insensitive" except `username` and `status`, which the guide marks
 * case-sensitive; results are sorted by the searched attribute. cognito-local compares every
 * attribute case-sensitively and keeps the backslashes of an escaped value.
 */
import { InvalidParameterError } from 'cognito-local/lib/errors';
import type { User } from 'cognito-local/lib/services/userPoolService';
import { userToResponseObject } from 'cognito-local/lib/targets/responses';
import { type Operation, type PoolServices } from './services';

/** The attributes the guide lists as searchable, with how each is read and compared. */
const SEARCHABLE: Readonly<
  Record<string, { read: (u: User) => string | undefined; caseSensitive: boolean }>
> = {
  username: { read: (u) => u.Username, caseSensitive: true },
  status: { read: (u) => (u.Enabled ? 'Enabled' : 'Disabled'), caseSensitive: true },
  'cognito:user_status': { read: (u) => String(u.UserStatus), caseSensitive: false },
  ...Object.fromEntries(
    ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'sub'].map(
      (name) => [
        name,
        {
          read: (u: User) => u.Attributes?.find((a) => a.Name === name)?.Value,
          caseSensitive: false,
        },
      ],
    ),
  ),
};

const FILTER = /^\s*([A-Za-z_:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/s;
const MAX_LIMIT = 60;

export interface ParsedFilter {
  readonly attribute: string;
  readonly prefix: boolean;
  readonly value: string;
}

/** Parses a `Filter`; throws InvalidParameterException as Cognito does for a malformed one. */
export function parseUserFilter(filter: string): ParsedFilter {
  const match = FILTER.exec(filter);
  if (!match) throw new InvalidParameterError('Error while parsing filter.');
  const [, attribute = '', type, raw = ''] = match;
  if (!SEARCHABLE[attribute])
    throw new InvalidParameterError(`Invalid search attribute: ${attribute}`);
  return { attribute, prefix: type === '^=', value: raw.replace(/\\(.)/gs, '$1') };
}

export function matchesFilter(user: User, filter: ParsedFilter): boolean {
  const field = SEARCHABLE[filter.attribute]!;
  const raw = field.read(user);
  if (raw === undefined) return false;
  const actual = field.caseSensitive ? raw : raw.toLowerCase();
  const wanted = field.caseSensitive ? filter.value : filter.value.toLowerCase();
  return filter.prefix ? actual.startsWith(wanted) : actual === wanted;
}

export function listUsers({ cognito }: Pick<PoolServices, 'cognito'>): Operation {
  return async (ctx, req) => {
    if (typeof req.UserPoolId !== 'string')
      throw new InvalidParameterError('UserPoolId is required.');
    const limit = req.Limit === undefined ? MAX_LIMIT : Number(req.Limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
      throw new InvalidParameterError(
        `1 validation error detected: Value '${String(req.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIMIT}`,
      );
    }
    const filter =
      typeof req.Filter === 'string' && req.Filter.trim() !== ''
        ? parseUserFilter(req.Filter)
        : undefined;
    const pool = await cognito.getUserPool(ctx, req.UserPoolId);
    const users = (await pool.listUsers(ctx)).filter((u) => !filter || matchesFilter(u, filter));
    if (filter) {
      const read = SEARCHABLE[filter.attribute]!.read;
      users.sort((a, b) => (read(a) ?? '').localeCompare(read(b) ?? ''));
    }
    const start =
      typeof req.PaginationToken === 'string'
        ? Number(Buffer.from(req.PaginationToken, 'base64url').toString())
        : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new InvalidParameterError('Invalid pagination token.');
    const page = users.slice(start, start + limit);
    const attributesToGet = Array.isArray(req.AttributesToGet)
      ? (req.AttributesToGet as string[])
      : undefined;
    return {
      Users: page.map((user) => {
        const response = userToResponseObject(user);
        return attributesToGet && attributesToGet.length > 0
          ? {
              ...response,
              Attributes: response.Attributes?.filter((a) =>
                attributesToGet.includes(a.Name ?? ''),
              ),
            }
          : response;
      }),
      ...(start + limit < users.length && {
        PaginationToken: Buffer.from(String(start + limit)).toString('base64url'),
      }),
    };
  };
}
