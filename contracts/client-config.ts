/**
 * The configuration an end-user app needs, served to the web demo as `/config.json`.
 *
 * Written by `npm run deploy` (from the stack's `ClientConfig` output), by the hosting construct and
 * by the local sandbox; read by the web demo. This file is the only definition of its shape.
 */
import {
  assertJsonObject,
  assertNonEmptyString,
  assertNonEmptyStringArray,
  isJsonObject,
  shown,
} from './assert';
import { assertAppInstanceArn } from './chime-arns';
import { API_PATHS, apiRouteUrl } from './http-api';
import { messagingSessionHost } from './messaging-session-endpoint';

export const CLIENT_CONFIG_VERSION = 1;

/**
 * The stack output holding the whole client config as one JSON document: written by the stack,
 * read by scripts/deploy.ts (from `cdk deploy --outputs-file`) and by the sandbox (from the
 * synthesized template).
 */
export const CLIENT_CONFIG_OUTPUT = 'ClientConfig';

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

/**
 * What a person needs when the app runs against the local sandbox instead of AWS: where the
 * confirmation codes are (the sandbox sends no email) and which page to open once to accept the
 * hosted UI's self-signed certificate. Absent on AWS; its presence is how the app knows it is local.
 */
export interface LocalSandboxInfo {
  /** The sandbox's page listing the confirmation codes it would have emailed (loopback URL). */
  readonly codesUrl: string;
  /** The hosted UI's origin, to open once and accept its certificate (loopback https URL). */
  readonly hostedUiUrl?: string;
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
   * The messaging session endpoint's host (GetMessagingSessionEndpoint's `Endpoint.Url`, e.g.
   * `<id>.<region>.ws-messaging.chime.aws`; `127.0.0.1:<port>` in the sandbox), asked once at
   * deploy time so a sign-in need not ask it. A `wss://` URL is accepted and read as its host.
   * @default - the app asks GetMessagingSessionEndpoint (or uses the one it remembered)
   */
  readonly messagingSessionEndpoint?: string;
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
  /** Set only by the local sandbox. */
  readonly localSandbox?: LocalSandboxInfo;
  /**
   * True when the HTTP API serves guest access (`<apiUrl>/guest-invites` and
   * `<apiUrl>/guest-credentials`, docs/guests.md).
   */
  readonly guests?: boolean;
}

export class ClientConfigError extends Error {
  constructor(message: string) {
    super(`invalid client config: ${message}`);
    this.name = 'ClientConfigError';
  }
}

function optionalString(path: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  assertNonEmptyString(path, value, ClientConfigError);
  return value;
}

function parseEndpoints(value: unknown): EndpointOverrides | undefined {
  if (value === undefined) return undefined;
  assertJsonObject('endpoints', value, ClientConfigError);
  const endpoints: Record<string, string> = {};
  for (const key of [
    'userPool',
    'identityPool',
    'sts',
    'chimeIdentity',
    'chimeMessaging',
  ] as const) {
    const url = optionalString(`endpoints.${key}`, value[key]);
    if (url === undefined) continue;
    if (!/^https?:\/\/[^\s/]+/.test(url)) {
      throw new ClientConfigError(`'endpoints.${key}' must be an http(s) URL, got '${url}'`);
    }
    endpoints[key] = url;
  }
  return endpoints;
}

function parseMessagingSessionEndpoint(value: unknown): string | undefined {
  const url = optionalString('messagingSessionEndpoint', value);
  if (url === undefined) return undefined;
  const host = messagingSessionHost(url);
  if (host === undefined) {
    throw new ClientConfigError(
      `'messagingSessionEndpoint' must be a host (name or name:port, as GetMessagingSessionEndpoint answers) or a wss:// URL without query, got ${shown(url)}`,
    );
  }
  return host;
}

function parseHostedUi(value: unknown): HostedUiConfig | undefined {
  if (value === undefined) return undefined;
  assertJsonObject('hostedUi', value, ClientConfigError);
  const { domain, redirectSignIn, redirectSignOut, scopes } = value;
  assertNonEmptyString('hostedUi.domain', domain, ClientConfigError);
  if (domain.includes('://')) {
    throw new ClientConfigError(`'hostedUi.domain' must not include a scheme, got '${domain}'`);
  }
  assertNonEmptyStringArray('hostedUi.redirectSignIn', redirectSignIn, ClientConfigError);
  assertNonEmptyStringArray('hostedUi.redirectSignOut', redirectSignOut, ClientConfigError);
  assertNonEmptyStringArray('hostedUi.scopes', scopes, ClientConfigError);
  const identityProviders = parseIdentityProviders(value.identityProviders);
  return {
    domain,
    redirectSignIn,
    redirectSignOut,
    scopes,
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
    assertJsonObject(path, item, ClientConfigError);
    const { name, label } = item;
    assertNonEmptyString(`${path}.name`, name, ClientConfigError);
    assertNonEmptyString(`${path}.label`, label, ClientConfigError);
    return { name, label };
  });
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A sandbox page is on this machine: a config must not turn the app's hints into outside links. */
function loopbackUrl(value: unknown, path: string, scheme: 'http' | 'https'): string {
  assertNonEmptyString(path, value, ClientConfigError);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientConfigError(`'${path}' must be a URL, got '${value}'`);
  }
  const schemes = scheme === 'https' ? ['https:'] : ['http:', 'https:'];
  if (!schemes.includes(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ClientConfigError(
      `'${path}' must be an ${scheme === 'https' ? 'https' : 'http(s)'}:// URL on 127.0.0.1 or localhost, got '${value}'`,
    );
  }
  return value;
}

function parseLocalSandbox(value: unknown): LocalSandboxInfo | undefined {
  if (value === undefined) return undefined;
  assertJsonObject('localSandbox', value, ClientConfigError);
  const codesUrl = loopbackUrl(value.codesUrl, 'localSandbox.codesUrl', 'http');
  const hostedUiUrl =
    value.hostedUiUrl === undefined
      ? undefined
      : loopbackUrl(value.hostedUiUrl, 'localSandbox.hostedUiUrl', 'https');
  return { codesUrl, ...(hostedUiUrl && { hostedUiUrl }) };
}

/** Validates untrusted JSON (a fetched `/config.json`) into a {@link ClientConfig}. */
export function parseClientConfig(input: unknown): ClientConfig {
  if (!isJsonObject(input)) throw new ClientConfigError('expected a JSON object');
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
  const { region, userPoolId, userPoolClientId, identityPoolId, appInstanceArn, principalTagKey } =
    input;
  assertNonEmptyString('region', region, ClientConfigError);
  assertNonEmptyString('userPoolId', userPoolId, ClientConfigError);
  assertNonEmptyString('userPoolClientId', userPoolClientId, ClientConfigError);
  assertNonEmptyString('identityPoolId', identityPoolId, ClientConfigError);
  assertAppInstanceArn('appInstanceArn', appInstanceArn, ClientConfigError);
  assertNonEmptyString('principalTagKey', principalTagKey, ClientConfigError);
  const hostedUi = parseHostedUi(input.hostedUi);
  const endpoints = parseEndpoints(input.endpoints);
  const messagingSessionEndpoint = parseMessagingSessionEndpoint(input.messagingSessionEndpoint);
  const apiUrl = optionalString('apiUrl', input.apiUrl);
  if (apiUrl !== undefined) assertApiUrl(apiUrl);
  const credentialVendingUrl = optionalString('credentialVendingUrl', input.credentialVendingUrl);
  const localSandbox = parseLocalSandbox(input.localSandbox);
  if (credentialVendingUrl !== undefined) {
    const expected = apiUrl && apiRouteUrl(apiUrl, API_PATHS.credentials);
    if (credentialVendingUrl !== expected) {
      throw new ClientConfigError(
        `'credentialVendingUrl' must be <apiUrl>${API_PATHS.credentials} (${expected ?? 'apiUrl is missing'}), got '${credentialVendingUrl}'`,
      );
    }
  }
  const guests = input.guests;
  if (guests !== undefined && typeof guests !== 'boolean') {
    throw new ClientConfigError(`'guests' must be true or false, got ${JSON.stringify(guests)}`);
  }
  if (guests === true && apiUrl === undefined) {
    throw new ClientConfigError(`'guests' needs 'apiUrl' (the guest routes are on the HTTP API)`);
  }
  return {
    version: CLIENT_CONFIG_VERSION,
    region,
    userPoolId,
    userPoolClientId,
    identityPoolId,
    appInstanceArn,
    principalTagKey,
    signInFlow,
    ...(hostedUi && { hostedUi }),
    ...(endpoints && { endpoints }),
    ...(messagingSessionEndpoint && { messagingSessionEndpoint }),
    ...(apiUrl && { apiUrl }),
    ...(credentialVendingUrl && { credentialVendingUrl }),
    ...(localSandbox && { localSandbox }),
    ...(guests === true && { guests }),
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
