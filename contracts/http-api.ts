/**
 * The project's own HTTP API (API Gateway HTTP API, infra/constructs/project-http-api.ts): its
 * routes, their request and response bodies, and small typed client functions. The one
 * definition read by the route handlers (lambdas/), the CDK constructs (infra/), the local
 * sandbox (sandbox/services/http-api/) and the web demo.
 *
 * Every route takes `Authorization: Bearer <JWT>` of the stack's user pool and web client (the
 * API's JWT authorizer checks it), except the external issuers' vending routes, whose own JWT
 * authorizers take their issuer's tokens. Errors have one of two shapes: API Gateway's own
 * `{"message": "Unauthorized" | "Forbidden" | "Not Found" | "Too Many Requests" | ...}` (before a
 * handler runs), or a handler's {@link ApiErrorBody}. {@link ApiError} reads both.
 */

/** The API stage's name: also the first path segment, so `<distribution>/api/*` can serve it. */
export const API_STAGE_NAME = 'api';

/** Paths of the routes, relative to `apiUrl` (which ends with `/api`). */
export const API_PATHS = {
  /** `GET ?email=<address>` with the ID token: one person by exact email (docs/people.md). */
  users: '/users',
  /** `POST` with the access token: Chime-scoped STS credentials (docs/credential-vending.md). */
  credentials: '/credentials',
  /** `POST` with a moderator's ID token: a guest invite for one channel (docs/guests.md). */
  guestInvites: '/guest-invites',
  /** `DELETE` with the ID token of a moderator of the guest's channel: cancels the invite. */
  guestInvite: '/guest-invites/{guestId}',
  /** `POST {"invite"}`, no token: the guest's 15-minute credentials. */
  guestCredentials: '/guest-credentials',
} as const;

/**
 * Name of an external OpenID Connect issuer at the vending API: the last segment of its route
 * (lowercase letters, digits and `-`, at most 32, starting with a letter or digit).
 */
export const EXTERNAL_ISSUER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * `POST` with the external issuer's ID token (or access token, whichever its audience names):
 * credentials for the derived id of its `sub` (docs/federation.md, "The STS path").
 */
export function externalCredentialsPath(issuerName: string): string {
  if (!EXTERNAL_ISSUER_NAME_PATTERN.test(issuerName)) {
    throw new Error(
      `external issuer names are 1-32 of [a-z0-9-], starting with a letter or digit, got '${issuerName}'`,
    );
  }
  return `${API_PATHS.credentials}/external/${issuerName}`;
}

/** The longest email address a lookup accepts (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** Per-caller lookups allowed in one fixed one-minute window (the handler's default). */
export const DEFAULT_USER_LOOKUPS_PER_MINUTE = 30;

/** A person found by {@link lookUpUserByEmail}: exactly these two fields, nothing else. */
export interface FoundUser {
  /** The AppInstanceUser to add to a channel (`<app-instance-arn>/user/<sub>`). */
  readonly appInstanceUserArn: string;
  /** Their display name, by the same rule as their AppInstanceUser `Name`. */
  readonly name: string;
}

/** `200` body of `GET /users`: the one enabled, confirmed, verified match, or `null`. */
export interface UserLookupResponse {
  readonly user: FoundUser | null;
}

export type ApiErrorCode =
  /** 400: `email` missing, repeated or not an address. */
  | 'invalid_email'
  /** 400: the body or a path parameter is not what the route takes (the message says what). */
  | 'invalid_request'
  /** 401: the guest invite is malformed, forged or tampered with. */
  | 'invalid_invite'
  /** 401: the guest invite has expired. */
  | 'invite_expired'
  /** 403: the guest invite was cancelled (its guest no longer exists). */
  | 'invite_revoked'
  /** 403: the guest is not a member of the invite's channel (removed, banned or never added). */
  | 'not_in_channel'
  /** 403: the caller does not moderate the channel. */
  | 'not_moderator'
  /** 404: no such guest. */
  | 'not_found'
  /** 401: the token is of the wrong kind, revoked, or its user is disabled or deleted. */
  | 'invalid_token'
  /** 403: the token subject cannot be an AppInstanceUserId (or, external issuers, has no `sub`). */
  | 'unsupported_identity'
  /** 429: this caller's per-minute limit is used up (see `Retry-After`). */
  | 'too_many_requests'
  /** 502: STS refused or failed. */
  | 'credentials_unavailable'
  /** 503: a dependency (the user pool, the rate-limit table) failed; try again later. */
  | 'service_unavailable';

/** Body of an error a route handler answers. */
export interface ApiErrorBody {
  readonly error: ApiErrorCode;
  readonly message: string;
}

/** A non-2xx answer of the API, from API Gateway or from a handler. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    /** The handler's code, or undefined when API Gateway answered (`{"message": ...}`). */
    public readonly code: ApiErrorCode | undefined,
    message: string,
    /** Seconds to wait, from `Retry-After`, when the API said so. */
    public readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class ApiResponseError extends Error {
  constructor(message: string) {
    super(`invalid HTTP API response: ${message}`);
    this.name = 'ApiResponseError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates untrusted JSON (the `200` body of `GET /users`) into a {@link UserLookupResponse}. */
export function parseUserLookupResponse(input: unknown): UserLookupResponse {
  if (!isObject(input) || !('user' in input)) {
    throw new ApiResponseError(`expected an object with 'user'`);
  }
  const user = input.user;
  if (user === null) return { user: null };
  if (!isObject(user)) throw new ApiResponseError(`'user' must be an object or null`);
  const { appInstanceUserArn, name } = user;
  if (
    typeof appInstanceUserArn !== 'string' ||
    !/^arn:aws[a-z-]*:chime:/.test(appInstanceUserArn)
  ) {
    throw new ApiResponseError(`'user.appInstanceUserArn' must be an AppInstanceUser ARN`);
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ApiResponseError(`'user.name' must be a non-empty string`);
  }
  return { user: { appInstanceUserArn, name } };
}

/** The URL of a route: `apiUrl` (with or without a trailing slash) + path. */
export function apiRouteUrl(apiUrl: string, path: string): string {
  return apiUrl.replace(/\/+$/, '') + path;
}

/** The {@link ApiError} of a non-2xx answer (a handler's body or API Gateway's). */
export async function errorOfResponse(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
  const retry = Number.isFinite(retryAfter) ? retryAfter : undefined;
  if (isObject(body) && typeof body.error === 'string' && typeof body.message === 'string') {
    return new ApiError(response.status, body.error as ApiErrorCode, body.message, retry);
  }
  const message =
    isObject(body) && typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  return new ApiError(response.status, undefined, message, retry);
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * `GET <apiUrl>/users?email=<address>` with the caller's ID token: the one person with exactly
 * this address (case-insensitively), or `null`. Throws {@link ApiError} on a non-2xx answer.
 */
export async function lookUpUserByEmail(
  apiUrl: string,
  idToken: string,
  email: string,
  fetchImpl: Fetch = (input, init) => fetch(input, init),
): Promise<FoundUser | null> {
  const url = `${apiRouteUrl(apiUrl, API_PATHS.users)}?${new URLSearchParams({ email }).toString()}`;
  const response = await fetchImpl(url, {
    method: 'GET',
    headers: { Authorization: `Bearer ${idToken}` },
  });
  if (!response.ok) throw await errorOfResponse(response);
  return parseUserLookupResponse(await response.json()).user;
}
