/**
 * The hosted UI's routes: method + path -> handler, one table, then the checks every request
 * passes first (a loopback `Host` with this port) and a 404 page for anything else.
 *
 *   GET      /oauth2/authorize    authorize.ts: the request checked, then -> /login (or a provider)
 *   GET/POST /login               login.ts: the sign-in page; a post signs in, redirects with a code
 *   GET/POST /login/new-password  new-password.ts: an administrator-created user's new password
 *   any      /oauth2/token        token-endpoint.ts: code and refresh grants; CORS; 405 unless POST
 *   GET      /oauth2/idpresponse  idp-response.ts: an external provider's answer
 *   GET      /logout              logout.ts: ends the hosted UI session
 *   GET      /                    a page that says the certificate is accepted
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostRefusal } from '../../core/browser-access';
import { authorize } from './authorize';
import type { HostedUiCertificate } from './certificate';
import { type Handler, sendPage } from './http';
import { idpResponse } from './idp-response';
import { login } from './login';
import { logout } from './logout';
import { newPassword } from './new-password';
import { errorPage, homePage } from './pages';
import type { HostedUiServices } from './services';
import { tokenEndpoint } from './token-endpoint';

export interface Route {
  /** The methods served; 'any': the handler answers every method itself. */
  readonly methods: readonly string[] | 'any';
  readonly path: string;
  readonly handler: Handler;
}

export function hostedUiRoutes(
  services: HostedUiServices,
  certificate: HostedUiCertificate,
): Route[] {
  return [
    { methods: 'any', path: '/oauth2/token', handler: tokenEndpoint(services) },
    { methods: ['GET'], path: '/oauth2/authorize', handler: authorize(services) },
    { methods: ['GET'], path: '/oauth2/idpresponse', handler: idpResponse(services) },
    { methods: ['GET', 'POST'], path: '/login', handler: login(services) },
    { methods: ['GET', 'POST'], path: '/login/new-password', handler: newPassword(services) },
    { methods: ['GET'], path: '/logout', handler: logout(services) },
    {
      methods: ['GET'],
      path: '/',
      handler: (_req, res) =>
        sendPage(
          res,
          homePage({
            origin: services.origin(),
            certFile: certificate.certFile,
            fingerprint: certificate.fingerprint,
          }),
        ),
    },
  ];
}

/** The request handler of `routes` on the server listening on `port()`. */
export function router(
  routes: readonly Route[],
  port: () => number,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const misdirected = hostRefusal(req, port());
    if (misdirected) {
      req.resume();
      sendPage(res, errorPage(misdirected.status, 'misdirected_request', misdirected.message));
      return;
    }
    const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
    const method = req.method ?? 'GET';
    const route = routes.find(
      (r) => r.path === path && (r.methods === 'any' || r.methods.includes(method)),
    );
    if (!route) {
      sendPage(res, errorPage(404, 'not_found', `No hosted UI page at ${path}.`));
      return;
    }
    await route.handler(req, res, search);
  };
}
