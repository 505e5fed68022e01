/**
 * OAuth 2.0 errors (RFC 6749 4.1.2.1 and 5.2) and the parameter rules every hosted UI endpoint
 * shares: a parameter given twice is refused, an empty one counts as absent.
 */

/** An OAuth 2.0 error: its `error` code, a description, the HTTP status of a JSON answer. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** The one value of `name` (undefined when absent or empty); a repeated parameter is refused. */
export function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `'${name}' is repeated`);
  return values[0] === '' ? undefined : values[0];
}

/** Where an error goes back to the app: its redirect URI with `error`, the description, `state`. */
export function errorRedirect(
  redirectUri: string,
  error: string,
  description: string,
  state: string | undefined,
): string {
  const back = new URL(redirectUri);
  back.searchParams.set('error', error);
  back.searchParams.set('error_description', description);
  if (state !== undefined) back.searchParams.set('state', state);
  return back.toString();
}
