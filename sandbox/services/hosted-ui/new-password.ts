/**
 * /login/new-password: an administrator-created user's first sign-in (NEW_PASSWORD_REQUIRED). The
 * page carries only an opaque challenge id; the user pool's session stays here, used once, for
 * three minutes by the injected clock (a refused password gets a fresh id for another try).
 */
import { authorizeRequestOrAnswer } from './authorize-request';
import { type Handler, postedFromOwnPage, readBody, redirect, sendPage } from './http';
import { newPasswordPage, signInPage } from './pages';
import { randomId } from './secrets';
import {
  answerSignIn,
  appOriginOf,
  CHALLENGE_LIFETIME_MS,
  newPasswordAction,
  selfOrigins,
  type SignInPageServices,
} from './sign-in-outcome';
import { UserPoolError } from './user-pool-client';

export function newPassword(services: SignInPageServices): Handler {
  return async (req, res, search) => {
    const request = authorizeRequestOrAnswer(res, search, services);
    if (!request) return;
    if (req.method !== 'POST' || !postedFromOwnPage(req, selfOrigins(services))) {
      redirect(res, request.action);
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const pending = services.challenges.take(form.get('challenge') ?? '');
    if (!pending || pending.request.action !== request.action) {
      sendPage(
        res,
        signInPage({
          action: request.action,
          usernameLabel: services.usernameLabel,
          error: 'That sign-in took too long. Sign in again.',
          appOrigin: appOriginOf(request),
        }),
      );
      return;
    }
    try {
      const result = await services.userPool.newPassword(
        request.clientId,
        pending.session,
        pending.username,
        form.get('newPassword') ?? '',
      );
      answerSignIn(services, res, pending.request, pending.username, result);
    } catch (error) {
      if (!(error instanceof UserPoolError)) throw error;
      const retry = randomId();
      services.challenges.set(retry, pending, CHALLENGE_LIFETIME_MS);
      sendPage(
        res,
        newPasswordPage({
          action: newPasswordAction(request),
          challengeId: retry,
          error:
            error.code === 'InvalidPasswordException'
              ? error.message || 'The password does not meet the requirements.'
              : 'The new password was not accepted. Try again.',
          appOrigin: appOriginOf(request),
        }),
      );
    }
  };
}
