/**
 * The pagination of every list operation (`MaxResults`, `NextToken`). Opaque `NextToken`s: the key of the last item returned plus the list they belong to, so a token
 * from one list (or a made-up one) is refused with `BadRequestException`, as the API does.
 * Cursor-based, not offset-based: new messages arriving between pages neither repeat nor skip items.
 */
import { badRequest } from './errors';

export const DEFAULT_MAX_RESULTS = 50;
export const MAX_MAX_RESULTS = 50;

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page. */
  readonly NextToken?: string;
}

interface TokenBody {
  /** The list (operation + resource) the token was issued for. */
  readonly s: string;
  /** Sort key of the last item returned. */
  readonly c: string | number;
}

export function validateMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_MAX_RESULTS) {
    throw badRequest(`MaxResults must be an integer from 1 to ${MAX_MAX_RESULTS}`);
  }
  return maxResults;
}

function decode(token: string, scope: string): string | number {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('Invalid NextToken');
  }
  const parsed = body as Partial<TokenBody> | null;
  if (
    !parsed ||
    parsed.s !== scope ||
    (typeof parsed.c !== 'string' && typeof parsed.c !== 'number')
  ) {
    throw badRequest('Invalid NextToken');
  }
  return parsed.c;
}

/** The members every list request has (`ListChannelsRequest`, `ListChannelBansRequest`...). */
export interface PageRequest {
  readonly MaxResults?: number | undefined;
  readonly NextToken?: string | undefined;
}

/** What a list operation pages through. */
export interface PageSource<T> {
  /** The list (operation + resource) a token is valid for, e.g. `ListChannelBans|<channel>`. */
  readonly scope: string;
  /** In any order: pages are in ascending order of `key` (descending if `descending`). */
  readonly items: Iterable<T>;
  /** Each item's sort key, unique within the list. */
  readonly key: (item: T) => string | number;
  readonly descending?: boolean;
}

/**
 * The page a list request asks for: at most `MaxResults` items (default and bound
 * {@link MAX_MAX_RESULTS}) after the one its `NextToken` names, and the `NextToken` of the next
 * page when there are more. Every list operation of the service pages through this.
 */
export function paginate<T>(request: PageRequest, source: PageSource<T>): Page<T> {
  const { scope, key, descending = false } = source;
  const max = validateMaxResults(request.MaxResults);
  const sign = descending ? -1 : 1;
  const items = [...source.items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -sign : x > y ? sign : 0;
  });
  let start = 0;
  if (request.NextToken !== undefined) {
    const cursor = decode(request.NextToken, scope);
    const after = (k: string | number) => (descending ? k < cursor : k > cursor);
    start = items.findIndex((item) => after(key(item)));
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const last = slice[slice.length - 1];
  if (start + max >= items.length || last === undefined) return { items: slice };
  const token: TokenBody = { s: scope, c: key(last) };
  return { items: slice, NextToken: Buffer.from(JSON.stringify(token)).toString('base64url') };
}
