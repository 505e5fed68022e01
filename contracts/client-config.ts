/**
 * The configuration an end-user app needs, served to the web demo as `/config.json`.
 *
 * Written by `npm run deploy` (from the stack's `ClientConfig` output), by the hosting construct and
 * by the local sandbox; read by the web demo. This file is the only definition of its shape.
 */
import { API_PATHS, apiRouteUrl } from './http-api';

export const CLIENT_CONFIG_VERSION = 1;

/** How the app signs in: SRP, on AWS and in the local sandbox (the template's client allows no other). */
export type SignInFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

/** An external identity provider the hosted UI offers (docs/federation.md). */
export interface FederatedProviderConfig {
  /**
   * The user pool's provider name: `identity_provider` of the authorize request, Amplify's
   * `signInWithRedirect({ provider: { custom: name } })`.
   */
  readonly name: string;
  /** For the button: "Continue with <label>". */
  readonly label: string;
}

export interface HostedUiConfig {
  /** Domain without scheme, e.g. `my-chat.auth.us-east-1.amazoncognito.com`. */
  readonly domain: string;
  readonly redirectSignIn: readonly string[];
  readonly redirectSignOut: readonly string[];
  readonly scopes: readonly string[];
  /** External providers to offer besides the password sign-in. @default - none */
  readonly identityProviders?: readonly FederatedProviderConfig[];
}

/** Endpoint overrides, for the local sandbox; absent on AWS. */
export interface EndpointOverrides {
  readonly userPool?: string;
  readonly identityPool?: string;
  readonly sts?: string;
  readonly chimeIdentity?: string;
  readonly chimeMessaging?: string;
}

export interface ClientConfig {
  readonly version: typeof CLIENT_CONFIG_VERSION;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  readonly appInstanceArn: string;
  readonly principalTagKey: string;
  readonly signInFlow: SignInFlow;
  readonly hostedUi?: HostedUiConfig;
  readonly endpoints?: EndpointOverrides;
  /**
   * Base URL of the project's HTTP API (contracts/http-api.ts), ending with `/api`: the hosted web
   * demo's own origin (CloudFront serves `/api/*`), the API Gateway endpoint elsewhere.
   */
  readonly apiUrl?: string;
  /**
   * URL of the optional STS credential-vending API: when present, `<apiUrl>/credentials` (the
   * route `POST /credentials` of the HTTP API).
   */
  readonly credentialVendingUrl?: string;
}

export class ClientConfigError extends Error {
  constructor(message: string) {
    super(`invalid client config: ${message}`);
    this.name = 'ClientConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Json, key: string, path = key): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ClientConfigError(`'${path}' must be a non-empty string`);
  }
  return value;
}

function optionalString(obj: Json, key: string, path: string): string | undefined {
  return obj[key] === undefined ? undefined : requireString(obj, key, path);
}

function requireStringArray(obj: Json, key: string, path: string): string[] {
  const value = obj[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new ClientConfigError(`'${path}' must be an array of non-empty strings`);
  }
  return value as string[];
}

function parseEndpoints(value: unknown): EndpointOverrides | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ClientConfigError(`'endpoints' must be an object`);
  const endpoints: Record<string, string> = {};
  for (const key of [
    'userPool',
    'identityPool',
    'sts',
    'chimeIdentity',
    'chimeMessaging',
  ] as const) {
    const url = optionalString(value, key, `endpoints.${key}`);
    if (url === undefined) continue;
    if (!/^https?:\/\/[^\s/]+/.test(url)) {
      throw new ClientConfigError(`'endpoints.${key}' must be an http(s) URL, got '${url}'`);
    }
    endpoints[key] = url;
  }
  return endpoints;
}

function parseHostedUi(value: unknown): HostedUiConfig | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ClientConfigError(`'hostedUi' must be an object`);
  const domain = requireString(value, 'domain', 'hostedUi.domain');
  if (domain.includes('://')) {
    throw new ClientConfigError(`'hostedUi.domain' must not include a scheme, got '${domain}'`);
  }
  const identityProviders = parseIdentityProviders(value.identityProviders);
  return {
    domain,
    redirectSignIn: requireStringArray(value, 'redirectSignIn', 'hostedUi.redirectSignIn'),
    redirectSignOut: requireStringArray(value, 'redirectSignOut', 'hostedUi.redirectSignOut'),
    scopes: requireStringArray(value, 'scopes', 'hostedUi.scopes'),
    ...(identityProviders && { identityProviders }),
  };
}

function parseIdentityProviders(value: unknown): FederatedProviderConfig[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new ClientConfigError(`'hostedUi.identityProviders' must be an array`);
  }
  return value.map((item, i) => {
    const path = `hostedUi.identityProviders[${i}]`;
    if (!isObject(item)) throw new ClientConfigError(`'${path}' must be an object`);
    return {
      name: requireString(item, 'name', `${path}.name`),
      label: requireString(item, 'label', `${path}.label`),
    };
  });
}

/** Validates untrusted JSON (a fetched `/config.json`) into a {@link ClientConfig}. */
export function parseClientConfig(input: unknown): ClientConfig {
  if (!isObject(input)) throw new ClientConfigError('expected a JSON object');
  if (input.version !== CLIENT_CONFIG_VERSION) {
    throw new ClientConfigError(
      `'version' must be ${CLIENT_CONFIG_VERSION}, got ${JSON.stringify(input.version)}`,
    );
  }
  const signInFlow = input.signInFlow;
  if (signInFlow !== 'USER_SRP_AUTH' && signInFlow !== 'USER_PASSWORD_AUTH') {
    throw new ClientConfigError(
      `'signInFlow' must be USER_SRP_AUTH or USER_PASSWORD_AUTH, got ${JSON.stringify(signInFlow)}`,
    );
  }
  const appInstanceArn = requireString(input, 'appInstanceArn');
  if (!/^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[\w-]+$/.test(appInstanceArn)) {
    throw new ClientConfigError(`'appInstanceArn' is not an AppInstance ARN: '${appInstanceArn}'`);
  }
  const hostedUi = parseHostedUi(input.hostedUi);
  const endpoints = parseEndpoints(input.endpoints);
  const apiUrl = optionalString(input, 'apiUrl', 'apiUrl');
  if (apiUrl !== undefined) assertApiUrl(apiUrl);
  const credentialVendingUrl = optionalString(
    input,
    'credentialVendingUrl',
    'credentialVendingUrl',
  );
  if (credentialVendingUrl !== undefined) {
    const expected = apiUrl && apiRouteUrl(apiUrl, API_PATHS.credentials);
    if (credentialVendingUrl !== expected) {
      throw new ClientConfigError(
        `'credentialVendingUrl' must be <apiUrl>${API_PATHS.credentials} (${expected ?? 'apiUrl is missing'}), got '${credentialVendingUrl}'`,
      );
    }
  }
  return {
    version: CLIENT_CONFIG_VERSION,
    region: requireString(input, 'region'),
    userPoolId: requireString(input, 'userPoolId'),
    userPoolClientId: requireString(input, 'userPoolClientId'),
    identityPoolId: requireString(input, 'identityPoolId'),
    appInstanceArn,
    principalTagKey: requireString(input, 'principalTagKey'),
    signInFlow,
    ...(hostedUi && { hostedUi }),
    ...(endpoints && { endpoints }),
    ...(apiUrl && { apiUrl }),
    ...(credentialVendingUrl && { credentialVendingUrl }),
  };
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

/** https anywhere; plain http only on loopback (the local sandbox). No query or fragment. */
function assertApiUrl(apiUrl: string): void {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ClientConfigError(`'apiUrl' must be an absolute URL, got '${apiUrl}'`);
  }
  const secure =
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.host));
  if (!secure || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ClientConfigError(
      `'apiUrl' must be an https URL (http only on loopback) without query or fragment, got '${apiUrl}'`,
    );
  }
}

/** The AppInstanceUser ARN of a user, from the AppInstance ARN and the user's id (their `sub`). */
export function appInstanceUserArn(appInstanceArn: string, appInstanceUserId: string): string {
  return `${appInstanceArn}/user/${appInstanceUserId}`;
}

/**
 * `AppInstanceUserId` rules of CreateAppInstanceUser: 1-64 characters, letters, digits and
 * `:-_.@`, starting and ending with a letter or digit. A Cognito `sub` (a UUID) fits; so does any
 * STS session tag value this project sets.
 */
const APP_INSTANCE_USER_ID = /^[A-Za-z0-9](?:[A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/;

export function isAppInstanceUserId(value: unknown): value is string {
  return typeof value === 'string' && APP_INSTANCE_USER_ID.test(value);
}
