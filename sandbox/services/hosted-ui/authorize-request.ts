/**
 * The authorize request (RFC 6749 4.1.1 + PKCE, RFC 7636) with Cognito's rules. It arrives at
 * /oauth2/authorize and travels on in the query of /login and /login/new-password (each checks it
 * again). Errors about the client or the redirect URI are shown on an error page, never redirected
 * to an unverified URL (Cognito: its /error page); the others go back to the app.
 */
import type { ServerResponse } from 'node:http';
import type { ClientPolicy } from './client-policy';
import type { HostedUiFederation } from './federation';
import { errorPage } from './pages';
import { errorRedirect, OAuthError, single } from './oauth';
import { redirect, sendPage } from './http';

export interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly codeChallenge?: string;
  readonly nonce?: string;
  /** `/login?<query>`: where the form posts. */
  readonly action: string;
  /** `identity_provider`, when it names one of the pool's external providers. */
  readonly identityProvider?: string;
}

/** What checking an authorize request needs. */
export interface AuthorizeChecks {
  readonly policy: ClientPolicy;
  readonly federation: HostedUiFederation<AuthorizeRequest> | undefined;
}

/** The client and its redirect URI: until both are known good, errors show on a page. */
function parseAuthorize(q: URLSearchParams, policy: ClientPolicy): AuthorizeRequest {
  const clientId = single(q, 'client_id');
  policy.assertClient(clientId, `no app client '${clientId}' in this pool`);
  const redirectUri = single(q, 'redirect_uri');
  policy.assertCallbackUrl(redirectUri);
  return { clientId, redirectUri, scopes: [], action: `/login?${q.toString()}` };
}

/** An error that goes back to the app (a redirect with `error`). */
class RedirectedError extends OAuthError {
  constructor(
    error: string,
    description: string,
    readonly redirectTo: string,
  ) {
    super(error, description);
  }
}

/** The checks whose failure goes back to the app. */
function checkAuthorize(
  q: URLSearchParams,
  base: AuthorizeRequest,
  { policy, federation }: AuthorizeChecks,
): AuthorizeRequest {
  const state = single(q, 'state');
  const fail = (error: string, description: string) =>
    new RedirectedError(
      error,
      description,
      errorRedirect(base.redirectUri, error, description, state),
    );
  const responseType = single(q, 'response_type');
  if (!responseType) throw fail('invalid_request', "'response_type' is required");
  if (responseType !== 'code' && responseType !== 'token') {
    throw fail('unsupported_response_type', `response_type '${responseType}' is not supported`);
  }
  if (!policy.allowsCodeFlow || responseType !== 'code') {
    throw fail('unauthorized_client', `the app client is not allowed the '${responseType}' flow`);
  }
  const scopes = policy.requestedScopes(single(q, 'scope'));
  const refused = policy.refusedScopes(scopes);
  if (refused.length > 0 || scopes.length === 0) {
    throw fail('invalid_scope', `scope not allowed for the app client: ${refused.join(' ')}`);
  }
  const provider = single(q, 'identity_provider');
  if (provider !== undefined && provider !== 'COGNITO') {
    const external = federation?.provider(provider);
    if (!external) {
      throw fail('invalid_request', `identity provider '${provider}' is not configured`);
    }
    if (!external.emulated) {
      throw fail(
        'invalid_request',
        `identity provider '${provider}' (${external.type}) is not emulated by the sandbox`,
      );
    }
  }
  const codeChallenge = single(q, 'code_challenge');
  const method = single(q, 'code_challenge_method');
  if (codeChallenge !== undefined || method !== undefined) {
    if (method !== 'S256') {
      throw fail('invalid_request', "code_challenge_method must be 'S256'");
    }
    if (!codeChallenge || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      throw fail('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
    }
  }
  const nonce = single(q, 'nonce');
  return {
    ...base,
    scopes,
    ...(provider !== undefined && provider !== 'COGNITO' && { identityProvider: provider }),
    ...(state !== undefined && { state }),
    ...(codeChallenge !== undefined && { codeChallenge }),
    ...(nonce !== undefined && { nonce }),
  };
}

/**
 * The authorize request of `search`, checked; when it fails, answers (error page or redirect to
 * the app) and returns undefined.
 */
export function authorizeRequestOrAnswer(
  res: ServerResponse,
  search: string,
  checks: AuthorizeChecks,
): AuthorizeRequest | undefined {
  const q = new URLSearchParams(search);
  let base: AuthorizeRequest;
  try {
    base = parseAuthorize(q, checks.policy);
  } catch (error) {
    const e = error as OAuthError;
    sendPage(res, errorPage(400, e.error, e.message));
    return undefined;
  }
  try {
    return checkAuthorize(q, base, checks);
  } catch (error) {
    if (error instanceof RedirectedError) redirect(res, error.redirectTo);
    else {
      const e = error as OAuthError;
      sendPage(res, errorPage(400, e.error, e.message));
    }
    return undefined;
  }
}
