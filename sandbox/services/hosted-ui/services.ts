/**
 * What the hosted UI's endpoints share, made once by index.ts. Each endpoint takes only the part
 * it uses (`Pick<HostedUiServices, ...>`), as cognito-local's targets do.
 */
import type { WebOrigins } from '../../core/browser-access';
import type { AuthorizationCodes } from './authorization-codes';
import type { AuthorizeRequest } from './authorize-request';
import type { ClientPolicy } from './client-policy';
import type { ExpiringMap } from './expiring-map';
import type { HostedUiFederation } from './federation';
import type { RefreshScopes } from './refresh-scopes';
import type { HostedUiSessions } from './sessions';
import type { SigningKey } from './tokens';
import type { UserPoolClient } from './user-pool-client';

/** A sign-in waiting for an administrator-created user's new password. */
export interface PendingChallenge {
  readonly username: string;
  /** The user pool's `Session` for the NEW_PASSWORD_REQUIRED answer. */
  readonly session: string;
  readonly request: AuthorizeRequest;
}

export interface HostedUiServices {
  readonly policy: ClientPolicy;
  readonly userPool: UserPoolClient;
  readonly codes: AuthorizationCodes;
  readonly refreshScopes: RefreshScopes;
  readonly sessions: HostedUiSessions;
  /** Pending new-password challenges, under the id the page carries. */
  readonly challenges: ExpiringMap<PendingChallenge>;
  /** Sign-in through external identity providers; undefined: password sign-in only. */
  readonly federation: HostedUiFederation<AuthorizeRequest> | undefined;
  /** The user pool's signing key (the OAuth claims are signed again with it). */
  readonly signingKey: SigningKey;
  /** The web origins allowed to call the token endpoint. */
  readonly webOrigins: WebOrigins;
  /** How the sign-in page names the username field ('Email' when emails are usernames). */
  readonly usernameLabel: string;
  /** `https://127.0.0.1:<port>`, once listening. */
  origin(): string;
  /** Epoch milliseconds: the hosted UI's clock. */
  now(): number;
  log(line: string): void;
}
