/**
 * Opaque `NextToken`s: the key of the last item returned plus the list they belong to, so a token
 * from one list (or a made-up one) is refused with `BadRequestException`, as the API does.
 * Cursor-based, not offset-based: new messages arriving between pages neither repeat nor skip items.
 */
import { badRequest } from './errors';

export const DEFAULT_MAX_RESULTS = 50;
export const MAX_MAX_RESULTS = 50;

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
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

/**
 * Pages through `items`, already sorted in the order the caller wants (ascending or descending
 * key, as `descending` says).
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string | number,
  options: {
    readonly scope: string;
    readonly maxResults?: number;
    readonly nextToken?: string;
    readonly descending?: boolean;
  },
): Page<T> {
  const max = validateMaxResults(options.maxResults);
  let start = 0;
  if (options.nextToken !== undefined) {
    const cursor = decode(options.nextToken, options.scope);
    const after = (key: string | number) => (options.descending ? key < cursor : key > cursor);
    start = items.findIndex((item) => after(keyOf(item)));
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const last = slice[slice.length - 1];
  if (start + max >= items.length || last === undefined) return { items: slice };
  const token: TokenBody = { s: options.scope, c: keyOf(last) };
  return { items: slice, nextToken: Buffer.from(JSON.stringify(token)).toString('base64url') };
}
