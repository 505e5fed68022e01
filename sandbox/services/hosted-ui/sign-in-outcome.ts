/**
 * What follows a password sign-in or a new password: tokens start a hosted UI session and send
 * the app its code; NEW_PASSWORD_REQUIRED shows the new-password page; any other challenge (which
 * the sandbox hosted UI lacks) shows the sign-in page again with a message.
 */
import type { ServerResponse } from 'node:http';
import type { AuthorizeRequest } from './authorize-request';
import { redirect, sendPage } from './http';
import { newPasswordPage, signInPage } from './pages';
import { randomId } from './secrets';
import type { HostedUiServices } from './services';
import type { Tokens } from './tokens';

/** A pending new-password challenge lasts this long (the user pool's session: 3 minutes). */
export const CHALLENGE_LIFETIME_MS = 3 * 60_000;

/** Where the new-password form of an authorize request posts. */
/** What the sign-in pages (/login, /login/new-password) use. */
export type SignInPageServices = Pick<
  HostedUiServices,
  | 'policy'
  | 'federation'
  | 'userPool'
  | 'sessions'
  | 'codes'
  | 'challenges'
  | 'usernameLabel'
  | 'origin'
  | 'log'
>;

/** The origins of the hosted UI's own pages (it answers on 127.0.0.1 and localhost). */
export function selfOrigins(services: Pick<HostedUiServices, 'origin'>): string[] {
  const origin = services.origin();
  return [origin, origin.replace('//127.0.0.1:', '//localhost:')];
}

export function newPasswordAction(request: AuthorizeRequest): string {
  return request.action.replace('/login?', '/login/new-password?');
}

export function appOriginOf(request: AuthorizeRequest): string {
  return new URL(request.redirectUri).origin;
}

export function answerSignIn(
  services: Pick<HostedUiServices, 'sessions' | 'codes' | 'challenges' | 'usernameLabel' | 'log'>,
  res: ServerResponse,
  request: AuthorizeRequest,
  username: string,
  result: Record<string, unknown>,
): void {
  const tokens = result.AuthenticationResult as Tokens | undefined;
  if (tokens?.IdToken && tokens.AccessToken) {
    const headers: Record<string, string> = {};
    if (tokens.RefreshToken) headers['set-cookie'] = services.sessions.start(tokens.RefreshToken);
    redirect(res, services.codes.issue(request, tokens), headers);
    return;
  }
  if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED' && typeof result.Session === 'string') {
    const id = randomId();
    services.challenges.set(
      id,
      { username, session: result.Session, request },
      CHALLENGE_LIFETIME_MS,
    );
    sendPage(
      res,
      newPasswordPage({
        action: newPasswordAction(request),
        challengeId: id,
        appOrigin: appOriginOf(request),
      }),
    );
    return;
  }
  services.log(
    `hosted UI: sign-in needs ${String(result.ChallengeName)}, which the hosted UI lacks`,
  );
  sendPage(
    res,
    signInPage({
      action: request.action,
      usernameLabel: services.usernameLabel,
      username,
      error: 'This account needs a sign-in step the sandbox hosted UI does not support.',
      appOrigin: appOriginOf(request),
    }),
  );
}
