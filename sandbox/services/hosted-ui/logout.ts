/**
 * GET /logout: ends the hosted UI session and redirects to a registered sign-out URL
 * (`logout_uri`); with `redirect_uri` instead, signs out and starts a sign-in again with the
 * authorize parameters, as Cognito does. Errors show on a page (never redirect to an unknown URL).
 */
import { type Handler, redirect, sendPage } from './http';
import { type OAuthError, single } from './oauth';
import { errorPage } from './pages';
import type { HostedUiServices } from './services';

export function logout(services: Pick<HostedUiServices, 'policy' | 'sessions'>): Handler {
  return (req, res, search) => {
    const q = new URLSearchParams(search);
    let logoutUri: string | undefined;
    try {
      services.policy.assertClient(single(q, 'client_id'));
      logoutUri = single(q, 'logout_uri');
      if (logoutUri === undefined && single(q, 'redirect_uri') !== undefined) {
        redirect(res, `/oauth2/authorize?${q.toString()}`, {
          'set-cookie': services.sessions.end(req),
        });
        return;
      }
      services.policy.assertLogoutUrl(logoutUri);
    } catch (error) {
      const e = error as OAuthError;
      sendPage(res, errorPage(400, e.error, e.message));
      return;
    }
    redirect(res, logoutUri, { 'set-cookie': services.sessions.end(req) });
  };
}
