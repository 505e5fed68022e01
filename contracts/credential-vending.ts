import type { ApiErrorBody, ApiErrorCode } from './http-api';

/**
 * The HTTP contract of the optional STS credential-vending API (see docs/credential-vending.md):
 * the route `POST /credentials` of the project's HTTP API (contracts/http-api.ts).
 *
 * Request: `POST <credentialVendingUrl>` (= `<apiUrl>/credentials`) with header
 * `Authorization: Bearer <access token>` (scope `aws.cognito.signin.user.admin`) and no body.
 * Success: 200 with a {@link VendedCredentialsResponse}. Failure: API Gateway's `{"message"}`
 * (401 for a missing, expired or forged token, 403 for a token without the scope, 429 past the
 * stage throttle) or a {@link VendingErrorBody}. Written by the vending Lambda; read by the web
 * demo and the sandbox.
 */
import { assertJsonObject, assertNonEmptyString, isJsonObject } from './assert';

/** Temporary credentials in the shape of the AWS SDK v3 `AwsCredentialIdentity` (expiration ISO). */
export interface VendedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601 instant after which AWS refuses the credentials. */
  readonly expiration: string;
}

export interface VendedCredentialsResponse {
  readonly credentials: VendedCredentials;
  /** The AppInstanceUser the credentials may act as (the `x-amz-chime-bearer` to send). */
  readonly appInstanceUserArn: string;
}

/** The codes the vending handler answers (a subset of the API's). */
export type VendingErrorCode = Extract<
  ApiErrorCode,
  | 'invalid_token'
  | 'unsupported_identity'
  | 'too_many_requests'
  | 'credentials_unavailable'
  | 'service_unavailable'
>;

export interface VendingErrorBody extends ApiErrorBody {
  readonly error: VendingErrorCode;
}

export class VendingResponseError extends Error {
  constructor(message: string) {
    super(`invalid credential-vending response: ${message}`);
    this.name = 'VendingResponseError';
  }
}

function field(obj: Record<string, unknown>, key: string, path: string): string {
  const value = obj[key];
  assertNonEmptyString(path, value, VendingResponseError);
  return value;
}

/** Validates untrusted JSON (the API's 200 body) into a {@link VendedCredentialsResponse}. */
export function parseVendedCredentialsResponse(input: unknown): VendedCredentialsResponse {
  if (!isJsonObject(input)) throw new VendingResponseError('expected a JSON object');
  const c = input.credentials;
  assertJsonObject('credentials', c, VendingResponseError);
  const expiration = field(c, 'expiration', 'credentials.expiration');
  if (Number.isNaN(Date.parse(expiration))) {
    throw new VendingResponseError(`'credentials.expiration' is not a date: '${expiration}'`);
  }
  return {
    credentials: {
      accessKeyId: field(c, 'accessKeyId', 'credentials.accessKeyId'),
      secretAccessKey: field(c, 'secretAccessKey', 'credentials.secretAccessKey'),
      sessionToken: field(c, 'sessionToken', 'credentials.sessionToken'),
      expiration,
    },
    appInstanceUserArn: field(input, 'appInstanceUserArn', 'appInstanceUserArn'),
  };
}
