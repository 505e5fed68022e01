/**
 * GET /login shows the sign-in page of an authorize request (with "Continue with <label>" for
 * each emulated external provider); POST /login signs in through the user pool (SRP, as Amplify)
 * and answers with a code, the new-password page or the page again with one message for an
 * unknown user and a wrong password (no user enumeration).
 */
import { type AuthorizeRequest, authorizeRequestOrAnswer } from './authorize-request';
import { type Handler, postedFromOwnPage, readBody, sendPage } from './http';
import { errorPage, signInPage } from './pages';
import { answerSignIn, appOriginOf, selfOrigins, type SignInPageServices } from './sign-in-outcome';
import { UserPoolError } from './user-pool-client';

const BAD_CREDENTIALS = 'Incorrect username or password.';

/** "Continue with <label>": the same authorize request, through that provider. */
function providerLinks(services: SignInPageServices, request: AuthorizeRequest) {
  return (services.federation?.offered() ?? []).map(({ name, label }) => {
    const q = new URLSearchParams(request.action.slice('/login?'.length));
    q.set('identity_provider', name);
    return { label, href: `/oauth2/authorize?${q.toString()}` };
  });
}

/** The user pool's refusal as the sign-in page words it. */
function refusalMessage(error: UserPoolError): string {
  if (error.code === 'UserNotConfirmedException') {
    return 'Your account is not confirmed yet: confirm it with the code you were sent, then sign in.';
  }
  return error.message === 'User is disabled.' ? 'User is disabled.' : BAD_CREDENTIALS;
}

export function login(services: SignInPageServices): Handler {
  const { usernameLabel } = services;
  return async (req, res, search) => {
    const request = authorizeRequestOrAnswer(res, search, services);
    if (!request) return;
    const appOrigin = appOriginOf(request);
    const providers = providerLinks(services, request);
    if (req.method === 'GET') {
      sendPage(res, signInPage({ action: request.action, usernameLabel, appOrigin, providers }));
      return;
    }
    if (!postedFromOwnPage(req, selfOrigins(services))) {
      sendPage(res, errorPage(403, 'invalid_request', 'The form was posted from another site.'));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const again = (error: string) =>
      sendPage(
        res,
        signInPage({
          action: request.action,
          usernameLabel,
          username,
          error,
          appOrigin,
          providers,
        }),
      );
    if (!username || !password) {
      again(`Enter your ${usernameLabel.toLowerCase()} and password.`);
      return;
    }
    let result: Record<string, unknown>;
    try {
      result = await services.userPool.signInWithSrp(request.clientId, username, password);
    } catch (error) {
      if (!(error instanceof UserPoolError)) throw error;
      again(refusalMessage(error));
      return;
    }
    answerSignIn(services, res, request, username, result);
  };
}
