/**
 * GET /oauth2/authorize: the request checked, then within a hosted UI session a code at once
 * (`prompt=login` shows the page anyway, `prompt=none` never shows it), else to the chosen
 * external provider (`identity_provider`) or to the sign-in page, as Cognito does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuthorizeRequest, authorizeRequestOrAnswer } from './authorize-request';
import { type Handler, redirect } from './http';
import { errorRedirect } from './oauth';
import type { HostedUiServices } from './services';
import { UserPoolError } from './user-pool-client';

type AuthorizeServices = Pick<
  HostedUiServices,
  'policy' | 'federation' | 'sessions' | 'userPool' | 'codes' | 'origin'
>;

/** Within a hosted UI session: fresh tokens from its refresh token, no page. */
async function fromSession(
  services: AuthorizeServices,
  req: IncomingMessage,
  res: ServerResponse,
  request: AuthorizeRequest,
): Promise<boolean> {
  const session = services.sessions.current(req);
  if (!session) return false;
  try {
    const tokens = await services.userPool.refresh(request.clientId, session.refreshToken);
    redirect(res, services.codes.issue(request, { ...tokens, RefreshToken: session.refreshToken }));
    return true;
  } catch (error) {
    if (!(error instanceof UserPoolError)) throw error;
    // Signed out globally, disabled or deleted: the session is over.
    services.sessions.drop(session);
    return false;
  }
}

/** Where providers send people back (Cognito: `https://<domain>/oauth2/idpresponse`). */
export function idpResponseUrl(services: Pick<HostedUiServices, 'origin'>): string {
  return `${services.origin()}/oauth2/idpresponse`;
}

export function authorize(services: AuthorizeServices): Handler {
  return async (req, res, search) => {
    const request = authorizeRequestOrAnswer(res, search, services);
    if (!request) return;
    const prompt = new URLSearchParams(search).get('prompt');
    if (prompt !== 'login' && (await fromSession(services, req, res, request))) return;
    if (prompt === 'none') {
      redirect(
        res,
        errorRedirect(request.redirectUri, 'login_required', 'no hosted UI session', request.state),
      );
      return;
    }
    const { federation } = services;
    if (request.identityProvider && federation) {
      const provider = federation.provider(request.identityProvider)!;
      const { location, cookie } = await federation.start(
        request,
        provider,
        idpResponseUrl(services),
      );
      redirect(res, location, { 'set-cookie': cookie });
      return;
    }
    redirect(res, `/login?${search}`);
  };
}
