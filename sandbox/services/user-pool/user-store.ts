/**
 * cognito-local's per-pool user store, with what Cognito does and cognito-local does not:
 * - passwords are never stored in clear: a `Password` saved by any operation becomes a scrypt hash
 *   and an SRP verifier (password-hash.ts), kept as `StoredPassword`;
 * - usernames and the alias attributes are looked up case-insensitively when the pool says
 *   `UsernameConfiguration.CaseSensitive: false` (`CaseTest@Example.com` is `casetest@example.com`).
 */
import type { Clock } from 'cognito-local/lib/services/clock';
import type { Context } from 'cognito-local/lib/services/context';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore';
import type { DataStoreFactory } from 'cognito-local/lib/services/dataStore/factory';
import {
  type User,
  type UserPool,
  type UserPoolService,
  type UserPoolServiceFactory,
  UserPoolServiceImpl,
  attributeValue,
} from 'cognito-local/lib/services/userPoolService';
import { type StoredPassword, storePassword, verifyPassword } from './password-hash';
import { srpPoolName } from './srp';

/** A user as the sandbox stores it: `StoredPassword` in place of cognito-local's `Password`. */
export type PoolUser = Omit<User, 'Password'> & {
  Password?: string;
  StoredPassword?: StoredPassword;
};

export function storedPasswordOf(user: User | PoolUser): StoredPassword | undefined {
  return (user as PoolUser).StoredPassword;
}

/** True when `password` is the user's (scrypt, constant time); false for a user without one. */
export async function passwordMatches(user: User | PoolUser, password: string): Promise<boolean> {
  const stored = storedPasswordOf(user);
  return stored !== undefined && verifyPassword(password, stored.hash);
}

/** Whether the pool treats usernames and aliases case-insensitively. */
export function caseInsensitive(options: UserPool): boolean {
  return options.UsernameConfiguration?.CaseSensitive === false;
}

export class SandboxUserPoolService extends UserPoolServiceImpl {
  override async saveUser(ctx: Context, user: User): Promise<void> {
    const { Password: password, ...rest } = user as PoolUser;
    if (typeof password !== 'string') return super.saveUser(ctx, user);
    const stored = await storePassword(password, srpPoolName(this.options.Id ?? ''), user.Username);
    return super.saveUser(ctx, { ...rest, StoredPassword: stored } as unknown as User);
  }

  override async getUserByUsername(ctx: Context, username: string): Promise<User | null> {
    const exact = await super.getUserByUsername(ctx, username);
    if (exact || !caseInsensitive(this.options) || typeof username !== 'string') return exact;
    const wanted = username.toLowerCase();
    const aliases = new Set([
      ...(this.options.UsernameAttributes ?? []),
      ...(this.options.AliasAttributes ?? []),
    ]);
    const users = await this.listUsers(ctx);
    return (
      users.find((user) => user.Username.toLowerCase() === wanted) ??
      users.find((user) =>
        ['email', 'preferred_username'].some(
          (alias) =>
            aliases.has(alias) && attributeValue(alias, user.Attributes)?.toLowerCase() === wanted,
        ),
      ) ??
      null
    );
  }

  /** Re-saves users stored with a clear-text password by an earlier sandbox; returns how many. */
  async migrateClearTextPasswords(ctx: Context): Promise<number> {
    const users = (await this.listUsers(ctx)) as unknown as PoolUser[];
    const stale = users.filter((user) => typeof user.Password === 'string');
    for (const user of stale) await this.saveUser(ctx, user as unknown as User);
    return stale.length;
  }
}

/** cognito-local's UserPoolServiceFactoryImpl, making {@link SandboxUserPoolService}s. */
export class SandboxUserPoolServiceFactory implements UserPoolServiceFactory {
  constructor(
    private readonly clock: Clock,
    private readonly dataStoreFactory: DataStoreFactory,
  ) {}

  async create(
    ctx: Context,
    clientsDataStore: DataStore,
    defaultOptions: UserPool,
  ): Promise<UserPoolService> {
    const dataStore = await this.dataStoreFactory.create(ctx, defaultOptions.Id, {
      Users: {},
      Options: defaultOptions,
    });
    const options = await dataStore.get<UserPool>(ctx, 'Options', defaultOptions);
    return new SandboxUserPoolService(clientsDataStore, this.clock, dataStore, options);
  }
}
