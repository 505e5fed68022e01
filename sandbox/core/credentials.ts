/**
 * Temporary credentials the sandbox has issued (identity pool, STS, Lambda execution roles):
 * access key -> role, session, principal tags, expiry, session token. Persisted, so credentials
 * stay valid across a restart as they would on AWS.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxState, JsonStore } from './state';

export const SANDBOX_ACCOUNT_ID = '000000000000';

export interface Session {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
  /** `arn:aws:iam::<account>:role/<name>`. */
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** Session tags; `aws:PrincipalTag/<key>` in policies. */
  readonly principalTags: Readonly<Record<string, string>>;
  /** Set for identity pool credentials: the Cognito identity id. */
  readonly identityId?: string;
  /** An inline session policy (STS `Policy`): further limits the role's permissions. */
  readonly sessionPolicy?: string;
  /** Who obtained the credentials, for logs (never the secret). */
  readonly issuedBy: string;
}

export interface IssueOptions {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  principalTags?: Record<string, string>;
  identityId?: string;
  sessionPolicy?: string;
  issuedBy: string;
}

/** `arn:aws:iam::123:role/path/Name` -> `Name`. */
export function roleNameFromArn(roleArn: string): string {
  const match = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match?.[1]) throw new Error(`not a role ARN: '${roleArn}'`);
  return match[1];
}

/** The caller ARN AWS reports (`aws:PrincipalArn` is the role, this is the session). */
export function assumedRoleArn(session: Pick<Session, 'roleArn' | 'roleSessionName'>): string {
  const partition = session.roleArn.split(':')[1] ?? 'aws';
  const account = session.roleArn.split(':')[4] ?? SANDBOX_ACCOUNT_ID;
  return `arn:${partition}:sts::${account}:assumed-role/${roleNameFromArn(session.roleArn)}/${session.roleSessionName}`;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'ASIA';
  for (const byte of bytes) id += KEY_ALPHABET[byte % 32];
  return id;
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

interface StoreShape {
  sessions: Record<string, Session>;
}

export class CredentialStore {
  private readonly store: JsonStore<StoreShape>;

  constructor(
    state: SandboxState,
    private readonly now: () => number = Date.now,
  ) {
    this.store = state.store<StoreShape>('credentials', () => ({ sessions: {} }));
  }

  issue(options: IssueOptions): Session {
    const session: Session = {
      accessKeyId: randomKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: this.now() + options.durationSeconds * 1000,
      roleArn: options.roleArn,
      roleSessionName: options.roleSessionName,
      principalTags: { ...(options.principalTags ?? {}) },
      ...(options.identityId !== undefined && { identityId: options.identityId }),
      ...(options.sessionPolicy !== undefined && { sessionPolicy: options.sessionPolicy }),
      issuedBy: options.issuedBy,
    };
    this.store.update((s) => {
      // Drop sessions expired for over a day, so the file does not grow forever.
      for (const [key, old] of Object.entries(s.sessions)) {
        if (old.expiration < this.now() - 86_400_000) delete s.sessions[key];
      }
      s.sessions[session.accessKeyId] = session;
    });
    return session;
  }

  find(accessKeyId: string): Session | undefined {
    return this.store.get().sessions[accessKeyId];
  }

  /**
   * Test and tooling hook: makes a session expire now (as if time had passed), so that expired
   * credentials can be exercised without waiting an hour.
   */
  expire(accessKeyId: string): void {
    this.store.update((s) => {
      const session = s.sessions[accessKeyId];
      if (session) s.sessions[accessKeyId] = { ...session, expiration: this.now() - 1000 };
    });
  }
}
