/**
 * `ListUsers` where cognito-local differs from Cognito:
 *
 * - pages: cognito-local returns every user at once and ignores `Limit`, `PaginationToken` and
 *   `AttributesToGet`. Anything that reads a whole pool (the user reconcile, `npm run users`) must
 *   follow pagination tokens; here it has to. The token is a cursor (the sort key of the last user
 *   served), so users added or deleted between pages neither repeat nor shift the rest.
 * - `Filter`, as the Cognito developer guide describes it ("Managing and searching for user
 *   accounts"): the value is a quoted string in which a backslash escapes the next character
 *   (`\"`, `\\`); `=` is an exact match and `^=` a prefix match; "all searches are
 *   case-insensitive" except `username` and `status`, which the guide marks case-sensitive;
 *   results are sorted by the searched attribute (then by user name). cognito-local compares every
 *   attribute case-sensitively and keeps the backslashes of an escaped value.
 */
import { InvalidParameterError } from 'cognito-local/lib/errors';
import type { User } from 'cognito-local/lib/services/userPoolService';
import { userToResponseObject } from 'cognito-local/lib/targets/responses';
import { type Operation, type PoolServices } from './services';

/** The API's page size limit (Limit 0-60; 0 or absent means the largest page). */
export const LIST_USERS_MAX = 60;

const TOKEN_PREFIX = 'lu2.';

/** A user's place in the listing's order: the searched attribute's value (if any), then the name. */
type SortKey = readonly [string, string];

function compareKeys(a: SortKey, b: SortKey): number {
  const byValue = a[0].localeCompare(b[0]);
  if (byValue !== 0) return byValue;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function encodeToken(after: SortKey): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(after), 'utf8').toString('base64url');
}

function decodeToken(token: unknown): SortKey | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token === 'string' && token.startsWith(TOKEN_PREFIX)) {
    try {
      const key: unknown = JSON.parse(
        Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'),
      );
      if (Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string')) {
        return key as unknown as SortKey;
      }
    } catch {
      // Not ours: refused below.
    }
  }
  throw new InvalidParameterError('Invalid PaginationToken.');
}

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
    if (typeof req.UserPoolId !== 'string') {
      throw new InvalidParameterError('UserPoolId is required.');
    }
    const limit = req.Limit === undefined || req.Limit === 0 ? LIST_USERS_MAX : Number(req.Limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > LIST_USERS_MAX) {
      throw new InvalidParameterError(
        `1 validation error detected: Value '${String(req.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${LIST_USERS_MAX}`,
      );
    }
    const wanted = req.AttributesToGet;
    if (
      wanted !== undefined &&
      (!Array.isArray(wanted) || !wanted.every((a) => typeof a === 'string'))
    ) {
      throw new InvalidParameterError('AttributesToGet must be a list of attribute names.');
    }
    const after = decodeToken(req.PaginationToken);
    const filter =
      typeof req.Filter === 'string' && req.Filter.trim() !== ''
        ? parseUserFilter(req.Filter)
        : undefined;
    const read = filter && SEARCHABLE[filter.attribute]!.read;
    const keyOf = (user: User): SortKey => [read?.(user) ?? '', user.Username];
    const pool = await cognito.getUserPool(ctx, req.UserPoolId);
    const users = (await pool.listUsers(ctx))
      .filter((u) => !filter || matchesFilter(u, filter))
      .filter((u) => after === undefined || compareKeys(keyOf(u), after) > 0)
      .sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    const page = users.slice(0, limit);
    const last = page.at(-1);
    return {
      Users: page.map((user) => {
        const response = userToResponseObject(user);
        return wanted === undefined || wanted.length === 0
          ? response
          : {
              ...response,
              Attributes: (response.Attributes ?? []).filter((a) => wanted.includes(a.Name ?? '')),
            };
      }),
      ...(users.length > limit && last && { PaginationToken: encodeToken(keyOf(last)) }),
    };
  };
}
