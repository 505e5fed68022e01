/**
 * Guest access (docs/guests.md): chat for a meeting attendee who has no account, in one channel,
 * for a limited time. The one definition of the guest id form, the three routes' bodies and
 * errors, the typed client functions, and the guest role and session policies, read by the route
 * handlers (lambdas/), the stack (infra/), the sandbox and the web demo.
 *
 *   POST   <apiUrl>/guest-invites            ID token of a channel moderator -> an invite
 *   DELETE <apiUrl>/guest-invites/<guestId>  ID token of a moderator of the guest's channel
 *   POST   <apiUrl>/guest-credentials        no token: the invite is the credential
 */
import type { IamPolicyDocument, IamStatement } from './chime-user-policy';
import { CHIME_SESSION_ENDPOINT_ACTION } from './chime-user-policy';
import {
  parseVendedCredentialsResponse,
  type VendedCredentialsResponse,
} from './credential-vending';
import { API_PATHS, ApiError, ApiResponseError, apiRouteUrl, errorOfResponse } from './http-api';
import { principalTagVariable } from './principal-tag';

// ---------------------------------------------------------------------------------------------
// Ids

/** Every guest AppInstanceUserId starts with this; the guest role's trust requires it. */
export const GUEST_ID_PREFIX = 'guest-';

/**
 * `guest-<lowercase UUID v4>`. A Cognito `sub` is a bare lowercase UUID (its first character is a
 * hex digit, never `g`), so no guest id can ever be a user's id, and no user's id a guest's.
 */
export const GUEST_ID_PATTERN =
  /^guest-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The trust policy's `StringLike aws:RequestTag/<key>` value: only guest ids may be tagged. */
export const GUEST_ID_TAG_PATTERN = `${GUEST_ID_PREFIX}*`;

export function isGuestId(value: unknown): value is string {
  return typeof value === 'string' && GUEST_ID_PATTERN.test(value);
}

/** `guest-<uuid>` from a (random) UUID v4. */
export function guestIdFromUuid(uuid: string): string {
  const id = `${GUEST_ID_PREFIX}${uuid.toLowerCase()}`;
  if (!isGuestId(id)) throw new Error(`not a UUID v4: '${uuid}'`);
  return id;
}

/** Is this AppInstanceUser ARN a guest's? (The web demo marks guests by it.) */
export function isGuestUserArn(arn: string): boolean {
  const id = /\/user\/([^/]+)$/.exec(arn)?.[1];
  return isGuestId(id);
}

/** The guest id of a guest's AppInstanceUser ARN, or undefined. */
export function guestIdOfArn(arn: string): string | undefined {
  const id = /\/user\/([^/]+)$/.exec(arn)?.[1];
  return isGuestId(id) ? id : undefined;
}

/** A channel ARN of one AppInstance (`<app-instance-arn>/channel/<ChannelId>`). */
export function isChannelArnOf(appInstanceArn: string, value: unknown): value is string {
  if (typeof value !== 'string' || !value.startsWith(`${appInstanceArn}/channel/`)) return false;
  const id = value.slice(appInstanceArn.length + '/channel/'.length);
  return /^[A-Za-z0-9](?:[A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/.test(id);
}

// ---------------------------------------------------------------------------------------------
// Lifetimes

/** An invite lives 1 to 24 hours (whole hours), 4 unless asked. */
export const MIN_GUEST_LIFETIME_HOURS = 1;
export const MAX_GUEST_LIFETIME_HOURS = 24;
export const DEFAULT_GUEST_LIFETIME_HOURS = 4;

/** Guest credentials last 15 minutes (STS's minimum): the longest a revoked guest keeps access. */
export const GUEST_CREDENTIAL_SECONDS = 900;

/**
 * Days after creation when Chime deletes a guest's AppInstanceUser (`ExpirationSettings`,
 * `CREATED_TIMESTAMP`): the lifetime rounded up to whole days (Chime counts whole days only).
 */
export function guestExpirationDays(lifetimeHours: number): number {
  return Math.max(1, Math.ceil(lifetimeHours / 24));
}

/** A guest's display name: optional, 1-64 characters after trimming, no control characters. */
export const GUEST_NAME_MAX_LENGTH = 64;
export const DEFAULT_GUEST_NAME = 'Guest';

// ---------------------------------------------------------------------------------------------
// The invite token (a JWT, RFC 7519, signed ES256 by a KMS key: lambdas/lib/guests/invite-token.ts)

/** `iss` and `aud` of every invite: it is good for the guest-credentials route and nothing else. */
export const GUEST_INVITE_ISSUER = 'urn:chime-cognito-auth:guest-invites';
export const GUEST_INVITE_AUDIENCE = 'urn:chime-cognito-auth:guest-credentials';

/** The claims of an invite. */
export interface GuestInviteClaims {
  readonly iss: typeof GUEST_INVITE_ISSUER;
  readonly aud: typeof GUEST_INVITE_AUDIENCE;
  /** The guest id. */
  readonly sub: string;
  /** The one channel the guest may use. */
  readonly channel: string;
  /** The guest's display name. */
  readonly name: string;
  /** Epoch seconds. */
  readonly iat: number;
  readonly exp: number;
  /** A unique id (for CloudTrail and logs). */
  readonly jti: string;
}

// ---------------------------------------------------------------------------------------------
// Bodies

export interface GuestInviteRequest {
  readonly channelArn: string;
  /** @default DEFAULT_GUEST_NAME */
  readonly name?: string;
  /** @default DEFAULT_GUEST_LIFETIME_HOURS */
  readonly lifetimeHours?: number;
}

export interface GuestInviteResponse {
  /** The guest's AppInstanceUser: the moderator's client adds it to the channel. */
  readonly guestArn: string;
  /** The invite token (goes into the link the moderator shares). */
  readonly invite: string;
  /** ISO 8601: when the invite, and with it the guest's access, ends. */
  readonly expiresAt: string;
}

export interface GuestCredentialsRequest {
  readonly invite: string;
}

/** What a guest's client needs to show: who they are, where, until when. */
export interface GuestSession {
  readonly name: string;
  readonly channelArn: string;
  /** ISO 8601: the invite's expiry; no credentials work after it. */
  readonly accessEndsAt: string;
}

/** The vending API's shape (contracts/credential-vending.ts) plus what the guest view shows. */
export interface GuestCredentialsResponse extends VendedCredentialsResponse {
  readonly guest: GuestSession;
}

/** A request body that is not what the route takes (400 `invalid_request`). */
export class GuestRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestRequestError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Control, format and bidi characters have no place in a name others read. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Validates a guest name, or answers the default for an absent or empty one. */
export function guestNameOf(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_GUEST_NAME;
  if (typeof value !== 'string') throw new GuestRequestError(`'name' must be a string`);
  const name = value.trim();
  if (name === '') return DEFAULT_GUEST_NAME;
  if ([...name].length > GUEST_NAME_MAX_LENGTH) {
    throw new GuestRequestError(`'name' must be at most ${GUEST_NAME_MAX_LENGTH} characters`);
  }
  if (UNPRINTABLE.test(name)) {
    throw new GuestRequestError(`'name' must not contain control or formatting characters`);
  }
  return name;
}

/** Validates untrusted JSON (the body of `POST /guest-invites`); throws {@link GuestRequestError}. */
export function parseGuestInviteRequest(
  input: unknown,
  appInstanceArn: string,
): Required<GuestInviteRequest> {
  if (!isObject(input)) throw new GuestRequestError('the body must be a JSON object');
  const unknown = Object.keys(input).filter(
    (k) => !['channelArn', 'name', 'lifetimeHours'].includes(k),
  );
  if (unknown.length > 0) {
    throw new GuestRequestError(`unknown field(s): ${unknown.slice(0, 5).join(', ')}`);
  }
  if (!isChannelArnOf(appInstanceArn, input.channelArn)) {
    throw new GuestRequestError(`'channelArn' must be a channel ARN of this AppInstance`);
  }
  const lifetime = input.lifetimeHours ?? DEFAULT_GUEST_LIFETIME_HOURS;
  if (
    typeof lifetime !== 'number' ||
    !Number.isInteger(lifetime) ||
    lifetime < MIN_GUEST_LIFETIME_HOURS ||
    lifetime > MAX_GUEST_LIFETIME_HOURS
  ) {
    throw new GuestRequestError(
      `'lifetimeHours' must be a whole number from ${MIN_GUEST_LIFETIME_HOURS} to ${MAX_GUEST_LIFETIME_HOURS}`,
    );
  }
  return { channelArn: input.channelArn, name: guestNameOf(input.name), lifetimeHours: lifetime };
}

/** The longest invite token the redeem route reads (a real one is about 600 characters). */
export const MAX_INVITE_LENGTH = 4096;

/** Validates untrusted JSON (the body of `POST /guest-credentials`); returns the invite token. */
export function parseGuestCredentialsRequest(input: unknown): string {
  if (!isObject(input)) throw new GuestRequestError('the body must be a JSON object');
  const invite = input.invite;
  if (typeof invite !== 'string' || invite === '') {
    throw new GuestRequestError(`'invite' must be the invite token`);
  }
  if (invite.length > MAX_INVITE_LENGTH) {
    throw new GuestRequestError(`'invite' is longer than ${MAX_INVITE_LENGTH} characters`);
  }
  return invite;
}

function isoString(value: unknown, path: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ApiResponseError(`'${path}' must be an ISO 8601 date`);
  }
  return value;
}

/** Validates untrusted JSON (the `201` body of `POST /guest-invites`). */
export function parseGuestInviteResponse(input: unknown): GuestInviteResponse {
  if (!isObject(input)) throw new ApiResponseError('expected a JSON object');
  const { guestArn, invite } = input;
  if (typeof guestArn !== 'string' || !isGuestUserArn(guestArn)) {
    throw new ApiResponseError(`'guestArn' must be a guest's AppInstanceUser ARN`);
  }
  if (typeof invite !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(invite)) {
    throw new ApiResponseError(`'invite' must be a JWT`);
  }
  return { guestArn, invite, expiresAt: isoString(input.expiresAt, 'expiresAt') };
}

/** Validates untrusted JSON (the `200` body of `POST /guest-credentials`). */
export function parseGuestCredentialsResponse(input: unknown): GuestCredentialsResponse {
  const vended = parseVendedCredentialsResponse(input);
  const guest = (input as Record<string, unknown>).guest;
  if (!isObject(guest)) throw new ApiResponseError(`'guest' must be an object`);
  const { name, channelArn } = guest;
  if (typeof name !== 'string' || name === '') {
    throw new ApiResponseError(`'guest.name' must be a non-empty string`);
  }
  if (
    typeof channelArn !== 'string' ||
    !/^arn:aws[a-z-]*:chime:.+\/channel\/.+$/.test(channelArn)
  ) {
    throw new ApiResponseError(`'guest.channelArn' must be a channel ARN`);
  }
  if (!isGuestUserArn(vended.appInstanceUserArn)) {
    throw new ApiResponseError(`'appInstanceUserArn' must be a guest's AppInstanceUser ARN`);
  }
  return {
    ...vended,
    guest: { name, channelArn, accessEndsAt: isoString(guest.accessEndsAt, 'guest.accessEndsAt') },
  };
}

// ---------------------------------------------------------------------------------------------
// Typed clients (throw ApiError on anything but 2xx)

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
const defaultFetch: Fetch = (input, init) => fetch(input, init);

/** `POST <apiUrl>/guest-invites` with a moderator's ID token. */
export async function createGuestInvite(
  apiUrl: string,
  idToken: string,
  request: GuestInviteRequest,
  fetchImpl: Fetch = defaultFetch,
): Promise<GuestInviteResponse> {
  const response = await fetchImpl(apiRouteUrl(apiUrl, API_PATHS.guestInvites), {
    method: 'POST',
    headers: { Authorization: `Bearer ${idToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw await errorOfResponse(response);
  return parseGuestInviteResponse(await response.json());
}

/** `DELETE <apiUrl>/guest-invites/<guestId>` with the ID token of a moderator of its channel. */
export async function cancelGuestInvite(
  apiUrl: string,
  idToken: string,
  guestId: string,
  fetchImpl: Fetch = defaultFetch,
): Promise<void> {
  if (!isGuestId(guestId)) throw new ApiError(400, 'invalid_request', 'not a guest id');
  const response = await fetchImpl(
    apiRouteUrl(apiUrl, `${API_PATHS.guestInvites}/${encodeURIComponent(guestId)}`),
    { method: 'DELETE', headers: { Authorization: `Bearer ${idToken}` } },
  );
  if (!response.ok) throw await errorOfResponse(response);
}

/** `POST <apiUrl>/guest-credentials`: the invite in, 15-minute guest credentials out. */
export async function redeemGuestInvite(
  apiUrl: string,
  invite: string,
  fetchImpl: Fetch = defaultFetch,
): Promise<GuestCredentialsResponse> {
  const response = await fetchImpl(apiRouteUrl(apiUrl, API_PATHS.guestCredentials), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ invite } satisfies GuestCredentialsRequest),
  });
  if (!response.ok) throw await errorOfResponse(response);
  return parseGuestCredentialsResponse(await response.json());
}

// ---------------------------------------------------------------------------------------------
// Policies

/**
 * What a guest may do in their channel: read (describe it, its messages and members), send, edit
 * and redact (Chime lets only the sender edit, and the sender or a moderator redact). Chime
 * evaluates each of these on the bearer and on the channel. No create, delete, ban, moderator or
 * membership change.
 */
export const GUEST_CHANNEL_ACTIONS = [
  'chime:DescribeChannel',
  'chime:ListChannelMessages',
  'chime:GetChannelMessage',
  'chime:ListChannelMemberships',
  'chime:SendChannelMessage',
  'chime:UpdateChannelMessage',
  'chime:RedactChannelMessage',
] as const;

/** What a guest may do as themselves, with no channel in the request. */
export const GUEST_SELF_ACTIONS = [
  'chime:Connect',
  'chime:ListChannelMembershipsForAppInstanceUser',
] as const;

/**
 * The guest role's own policy: the guest actions, as the AppInstanceUser its session tag names,
 * on any channel of this AppInstance. Each session narrows the channel to one
 * ({@link guestSessionPolicyDocument}); what a guest may do is the intersection of both.
 */
export function guestRolePolicyDocument(options: {
  readonly appInstanceArn: string;
  readonly principalTagKey: string;
}): IamPolicyDocument {
  const self = `${options.appInstanceArn}/user/${principalTagVariable(options.principalTagKey)}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'MessagingSessionEndpoint',
        Effect: 'Allow',
        Action: CHIME_SESSION_ENDPOINT_ACTION,
        Resource: '*',
      },
      { Sid: 'GuestAsSelf', Effect: 'Allow', Action: [...GUEST_SELF_ACTIONS], Resource: self },
      {
        Sid: 'GuestInChannels',
        Effect: 'Allow',
        Action: [...GUEST_CHANNEL_ACTIONS],
        Resource: [self, `${options.appInstanceArn}/channel/*`],
      },
    ],
  };
}

/** STS refuses an inline session policy over 2,048 characters (AssumeRole `Policy`). */
export const MAX_SESSION_POLICY_LENGTH = 2048;

/**
 * The session policy of one guest's credentials: the guest actions on this guest and this one
 * channel only, and only until the invite expires (`aws:CurrentTime`), so credentials bought a
 * minute before the end stop working at the end.
 */
export function guestSessionPolicyDocument(options: {
  readonly guestArn: string;
  readonly channelArn: string;
  /** The invite's expiry. */
  readonly accessEndsAt: Date;
}): IamPolicyDocument {
  const until = { DateLessThan: { 'aws:CurrentTime': options.accessEndsAt.toISOString() } };
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: CHIME_SESSION_ENDPOINT_ACTION,
      Resource: '*',
      Condition: until,
    },
    {
      Effect: 'Allow',
      Action: [...GUEST_SELF_ACTIONS],
      Resource: options.guestArn,
      Condition: until,
    },
    {
      Effect: 'Allow',
      Action: [...GUEST_CHANNEL_ACTIONS],
      Resource: [options.guestArn, options.channelArn],
      Condition: until,
    },
  ];
  return { Version: '2012-10-17', Statement: statements };
}
