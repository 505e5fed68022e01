/**
 * For tests and benchmarks that need thousands of users: writes user pool users and
 * AppInstanceUsers straight into a stopped sandbox's state directory, in the files' own formats
 * (cognito-local's pool document, the Chime identity store), instead of thousands of API calls that
 * would each rewrite a growing file. The sandbox must have started once in `stateDir` (so the pool
 * exists) and be stopped; start it again afterwards to serve the users.
 *
 * Seeded users have no password (they cannot sign in): a clear-text one would make the sandbox
 * migrate each of them at start (a scrypt hash and a rewrite of the whole pool file per user).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './core/state';
import type { AppInstanceUserRecord } from './services/chime-identity';

export interface SeedPoolUser {
  readonly sub: string;
  readonly email: string;
  /** The `name` attribute. @default - none */
  readonly name?: string;
  /** @default 'CONFIRMED' */
  readonly status?: string;
  /** @default true */
  readonly enabled?: boolean;
}

export interface SeedAppInstanceUser {
  readonly id: string;
  readonly name: string;
}

export interface SeedOptions {
  readonly poolUsers?: readonly SeedPoolUser[];
  readonly appInstanceUsers?: readonly SeedAppInstanceUser[];
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function seedSandboxUsers(stateDir: string, options: SeedOptions): void {
  const { userPoolId } = readJson(join(stateDir, 'resources.json')) as { userPoolId?: string };
  if (!userPoolId)
    throw new Error(`${stateDir} holds no sandbox user pool: start a sandbox there first`);
  const poolFile = join(stateDir, 'cognito', `${userPoolId}.json`);
  const pool = readJson(poolFile) as { Users?: Record<string, unknown> };
  const now = new Date().toISOString();
  pool.Users ??= {};
  for (const user of options.poolUsers ?? []) {
    // Email is the user name attribute: Cognito (and cognito-local) name the user by its sub.
    pool.Users[user.sub] = {
      Username: user.sub,
      Attributes: [
        { Name: 'sub', Value: user.sub },
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
        ...(user.name !== undefined ? [{ Name: 'name', Value: user.name }] : []),
      ],
      Enabled: user.enabled ?? true,
      UserStatus: user.status ?? 'CONFIRMED',
      UserCreateDate: now,
      UserLastModifiedDate: now,
      RefreshTokens: [],
    };
  }
  writeFileAtomic(poolFile, JSON.stringify(pool, null, 2));

  const { appInstanceArn } = readJson(join(stateDir, 'config.json')) as { appInstanceArn: string };
  const identityFile = join(stateDir, 'chime-identity.json');
  let identity: { users: Record<string, AppInstanceUserRecord> } = { users: {} };
  try {
    identity = readJson(identityFile) as typeof identity;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const at = Date.now();
  for (const user of options.appInstanceUsers ?? []) {
    const arn = `${appInstanceArn}/user/${user.id}`;
    identity.users[arn] = {
      appInstanceUserArn: arn,
      appInstanceUserId: user.id,
      name: user.name,
      createdAt: at,
      updatedAt: at,
    };
  }
  writeFileAtomic(identityFile, JSON.stringify(identity, null, 2));
}
