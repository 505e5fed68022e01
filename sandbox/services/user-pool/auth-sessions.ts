/**
 * Sign-in sessions: what the pool remembers between a challenge (InitiateAuth, or an earlier
 * answer) and its answer (RespondToAuthChallenge), under the opaque `Session` it hands out.
 * cognito-local hands out a random `Session` and never reads it back, so any caller could answer
 * NEW_PASSWORD_REQUIRED for any user; here an answer must come with the session of its challenge,
 * for the same app client and user, within the app client's `AuthSessionValidity` (3-15 minutes,
 * default 3), and a session is used once (a retry after a refused new password keeps it).
 * In memory: a restart ends the sign-ins under way, as a session expiring would.
 */
import { randomBytes } from 'node:crypto';
import type { ServerChallenge } from './srp';

export type ChallengeName = 'PASSWORD_VERIFIER' | 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA';

export interface PendingChallenge {
  readonly challenge: ChallengeName;
  readonly clientId: string;
  /** The user's internal username; undefined for the simulated challenge of an unknown user. */
  readonly username: string | undefined;
  /** PASSWORD_VERIFIER: the server's half and what the client sent. */
  readonly srp?: {
    readonly A: string;
    readonly server: ServerChallenge;
    readonly secretBlock: string;
    /** The verifier at InitiateAuth (a password change meanwhile fails the answer). */
    readonly verifier: string;
    readonly userIdForSrp: string;
  };
  readonly clientMetadata?: Record<string, string>;
}

/** A pending challenge with the instant (epoch ms) its session ends. */
export type OpenChallenge = PendingChallenge & { readonly expires: number };

/** Sessions kept at most (oldest dropped first): bounds what a flood of InitiateAuth costs. */
const MAX_SESSIONS = 10_000;

export class AuthSessions {
  private readonly sessions = new Map<string, OpenChallenge>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers `pending` for `lifetimeMs`; returns its `Session`. */
  open(pending: PendingChallenge, lifetimeMs: number): string {
    this.prune();
    const id = randomBytes(96).toString('base64');
    this.sessions.set(id, { ...pending, expires: this.now() + lifetimeMs });
    return id;
  }

  /** The challenge of `session` (removed: one answer per session), if its session is still valid. */
  take(session: unknown): OpenChallenge | undefined {
    if (typeof session !== 'string') return undefined;
    const pending = this.sessions.get(session);
    this.sessions.delete(session);
    return pending && pending.expires > this.now() ? pending : undefined;
  }

  /** Puts a taken challenge back under its session, same expiry (another try at a new password). */
  restore(session: string, pending: OpenChallenge): void {
    if (pending.expires > this.now()) this.sessions.set(session, pending);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, pending] of this.sessions) if (pending.expires <= now) this.sessions.delete(id);
    for (const id of this.sessions.keys()) {
      if (this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
  }
}
