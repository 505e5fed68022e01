/**
 * The hosted UI session: after a sign-in (password or external provider) the browser holds an
 * HttpOnly cookie for one hour, as on Cognito, and authorize requests within it skip the sign-in
 * page (fresh tokens from the session's refresh token). /logout ends it. The clock is injected,
 * so a test sees the hour pass without waiting.
 */
import type { IncomingMessage } from 'node:http';
import { ExpiringMap } from './expiring-map';
import { cookieOf } from './http';
import { randomId } from './secrets';

export const SESSION_COOKIE = 'sandbox-hosted-ui-session';
/** The hosted UI session (Cognito: one hour). */
export const SESSION_LIFETIME_MS = 60 * 60_000;

export interface HostedUiSession {
  /** The cookie's value. */
  readonly id: string;
  /** The refresh token of the sign-in that started it. */
  readonly refreshToken: string;
}

function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
}

export class HostedUiSessions {
  private readonly sessions: ExpiringMap<string>;

  /** @param now epoch milliseconds */
  constructor(now: () => number) {
    this.sessions = new ExpiringMap(now);
  }

  /** Starts a session for a sign-in; returns the `set-cookie` header that hands it out. */
  start(refreshToken: string): string {
    const id = randomId();
    this.sessions.set(id, refreshToken, SESSION_LIFETIME_MS);
    return sessionCookie(id, SESSION_LIFETIME_MS / 1000);
  }

  /** The session of the request's cookie, while it lasts. */
  current(req: IncomingMessage): HostedUiSession | undefined {
    const id = cookieOf(req, SESSION_COOKIE);
    const refreshToken = id ? this.sessions.get(id) : undefined;
    return id && refreshToken !== undefined ? { id, refreshToken } : undefined;
  }

  /** Ends the request's session (if any); returns the `set-cookie` header that clears it. */
  end(req: IncomingMessage): string {
    const id = cookieOf(req, SESSION_COOKIE);
    if (id !== undefined) this.sessions.delete(id);
    return sessionCookie('', 0);
  }

  /** Ends a session the user pool no longer honours (signed out globally, disabled, deleted). */
  drop(session: HostedUiSession): void {
    this.sessions.delete(session.id);
  }
}
