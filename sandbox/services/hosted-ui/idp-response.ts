/**
 * GET /oauth2/idpresponse: an external provider's answer (federation.ts). The user pool signs the
 * person in, a hosted UI session starts and the app gets a code, as after a password sign-in; a
 * refusal goes back to the app as an OAuth error, or shows on a page when the round trip is
 * unknown (no app to trust).
 */
import { idpResponseUrl } from './authorize';
import type { AuthorizeRequest } from './authorize-request';
import { FEDERATION_COOKIE, FederationError } from './federation';
import { type Handler, redirect, sendPage } from './http';
import { errorRedirect } from './oauth';
import { errorPage } from './pages';
import type { HostedUiServices } from './services';

const CLEAR_FEDERATION_COOKIE = {
  'set-cookie': `${FEDERATION_COOKIE}=; Path=/oauth2/idpresponse; Max-Age=0; Secure; HttpOnly; SameSite=Lax`,
};

export function idpResponse(
  services: Pick<HostedUiServices, 'federation' | 'sessions' | 'codes' | 'origin'>,
): Handler {
  return async (req, res, search) => {
    const { federation } = services;
    if (!federation) {
      sendPage(res, errorPage(404, 'not_found', 'No identity provider is configured.'));
      return;
    }
    let outcome;
    try {
      outcome = await federation.finish(req, search, idpResponseUrl(services));
    } catch (error) {
      const pending = (error as { request?: AuthorizeRequest }).request;
      if (!(error instanceof FederationError)) throw error;
      if (!pending) {
        sendPage(res, errorPage(400, error.error, error.message));
        return;
      }
      redirect(
        res,
        errorRedirect(pending.redirectUri, error.error, error.message, pending.state),
        CLEAR_FEDERATION_COOKIE,
      );
      return;
    }
    const { request, result } = outcome;
    const cookie = services.sessions.start(result.tokens.RefreshToken ?? '');
    redirect(res, services.codes.issue(request, result.tokens), { 'set-cookie': cookie });
  };
}
