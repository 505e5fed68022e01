/**
 * POST /oauth2/token (RFC 6749 3.2): the authorization_code grant (with PKCE S256, RFC 7636) and
 * the refresh_token grant, for the app client authenticated by id (body or Basic credentials).
 * Apps call it from the browser (Amplify), so it answers CORS for the allowed web origins only.
 */
import type { IncomingMessage } from 'node:http';
import { corsHeaders, originRefusal, preflightHeaders } from '../../core/browser-access';
import { type Handler, readBody, sendJson } from './http';
import { OAuthError, single } from './oauth';
import { sameSecret, sha256 } from './secrets';
import type { HostedUiServices } from './services';
import { expiresIn, withClaims } from './tokens';
import { UserPoolError } from './user-pool-client';

type TokenServices = Pick<
  HostedUiServices,
  'policy' | 'codes' | 'refreshScopes' | 'userPool' | 'signingKey' | 'webOrigins' | 'now' | 'log'
>;

/** Client authentication (RFC 6749 2.3): the client id, from the body or Basic credentials. */
function authenticateClient(
  services: TokenServices,
  req: IncomingMessage,
  form: URLSearchParams,
): string {
  let id = single(form, 'client_id');
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [user = ''] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    const basicId = decodeURIComponent(user);
    if (id !== undefined && id !== basicId) {
      throw new OAuthError('invalid_request', 'client_id differs from the Authorization header');
    }
    id = basicId;
  }
  services.policy.assertClient(id);
  return id;
}

function authorizationCodeGrant(
  services: TokenServices,
  clientId: string,
  form: URLSearchParams,
): Record<string, unknown> {
  const code = single(form, 'code');
  if (!code) throw new OAuthError('invalid_request', "'code' is required");
  const issued = services.codes.redeem(code);
  if (!issued)
    throw new OAuthError('invalid_grant', 'the code is invalid, expired or already used');
  if (issued.clientId !== clientId) {
    throw new OAuthError('invalid_grant', 'the code was issued to another client');
  }
  if (single(form, 'redirect_uri') !== issued.redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorize request');
  }
  const verifier = single(form, 'code_verifier');
  if (issued.codeChallenge !== undefined) {
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
      throw new OAuthError('invalid_grant', 'a code_verifier (43-128 characters) is required');
    }
    const challenge = sha256(verifier).toString('base64url');
    if (!sameSecret(challenge, issued.codeChallenge)) {
      throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    throw new OAuthError('invalid_grant', 'no code_challenge was sent for this code');
  }
  const { tokens } = issued;
  return {
    ...(issued.scopes.includes('openid') && { id_token: tokens.IdToken }),
    access_token: tokens.AccessToken,
    ...(tokens.RefreshToken && { refresh_token: tokens.RefreshToken }),
    expires_in: expiresIn(tokens.AccessToken, services.now()),
    token_type: 'Bearer',
  };
}

async function refreshTokenGrant(
  services: TokenServices,
  clientId: string,
  form: URLSearchParams,
): Promise<Record<string, unknown>> {
  const refreshToken = single(form, 'refresh_token');
  if (!refreshToken) throw new OAuthError('invalid_request', "'refresh_token' is required");
  let tokens;
  try {
    tokens = await services.userPool.refresh(clientId, refreshToken);
  } catch (error) {
    if (!(error instanceof UserPoolError)) throw error;
    throw new OAuthError('invalid_grant', 'the refresh token is invalid or revoked');
  }
  const scope = services.refreshScopes.of(refreshToken) ?? services.policy.allowedScopes.join(' ');
  return {
    ...(scope.split(' ').includes('openid') && { id_token: tokens.IdToken }),
    access_token: withClaims(tokens.AccessToken, { scope }, services.signingKey),
    expires_in: expiresIn(tokens.AccessToken, services.now()),
    token_type: 'Bearer',
  };
}

async function token(services: TokenServices, req: IncomingMessage) {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await readBody(req));
  const grantType = single(form, 'grant_type');
  if (!grantType) throw new OAuthError('invalid_request', "'grant_type' is required");
  const clientId = authenticateClient(services, req, form);
  if (grantType === 'authorization_code') return authorizationCodeGrant(services, clientId, form);
  if (grantType === 'refresh_token') return refreshTokenGrant(services, clientId, form);
  if (grantType === 'client_credentials') {
    throw new OAuthError('unauthorized_client', 'the app client has no client_credentials grant');
  }
  throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
}

/** Every method: OPTIONS is the CORS preflight, POST the token request, others 405. */
export function tokenEndpoint(services: TokenServices): Handler {
  return async (req, res) => {
    const refusal = originRefusal(req, services.webOrigins);
    if (refusal) {
      req.resume();
      sendJson(res, refusal.status, {
        error: 'invalid_request',
        error_description: refusal.message,
      });
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(
        204,
        preflightHeaders(req.headers.origin, services.webOrigins, 'POST, OPTIONS'),
      );
      res.end();
      return;
    }
    const cors = corsHeaders(req.headers.origin, services.webOrigins);
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' }, cors);
      return;
    }
    try {
      sendJson(res, 200, await token(services, req), cors);
    } catch (error) {
      if (!(error instanceof OAuthError)) {
        services.log(
          `hosted UI: token endpoint: ${error instanceof Error ? error.message : String(error)}`,
        );
        sendJson(res, 500, { error: 'server_error', error_description: 'internal error' }, cors);
        return;
      }
      const status = error.error === 'invalid_client' ? 401 : error.status;
      sendJson(res, status, { error: error.error, error_description: error.message }, cors);
    }
  };
}
