/**
 * The AppInstanceUsers of the sandbox's one AppInstance, kept in `<stateDir>/chime-identity.json`,
 * and what other modules may ask about them (`ctx.services.chimeIdentity`).
 *
 * `ExpirationSettings` (`CREATED_TIMESTAMP`) are honoured: a user whose time is up is deleted at
 * the next read of the store, by the sandbox clock (which tests move forward). AWS deletes such
 * users "some hours" after expiry: the sandbox deletes at the instant, the strictest reading.
 */
import type { SandboxClock } from '../../core/clock';
import type { SandboxState } from '../../core/state';

export interface AppInstanceUserRecord {
  readonly appInstanceUserArn: string;
  readonly appInstanceUserId: string;
  readonly name: string;
  readonly metadata?: string;
  readonly clientRequestToken?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiration?: ExpirationSettings;
}

export interface ExpirationSettings {
  readonly ExpirationDays: number;
  readonly ExpirationCriterion: 'CREATED_TIMESTAMP';
}

const DAY_MS = 86_400_000;

/** When Chime deletes the user (epoch ms), or undefined when it never expires. */
export function expiresAt(user: AppInstanceUserRecord): number | undefined {
  return user.expiration && user.createdAt + user.expiration.ExpirationDays * DAY_MS;
}

/** What the messaging module may ask about users. */
export interface ChimeIdentityDirectory {
  readonly appInstanceArn: string;
  getUser(appInstanceUserArn: string): AppInstanceUserRecord | undefined;
  /** The user's name, or `undefined` when no such AppInstanceUser exists. */
  nameOf(appInstanceUserArn: string): string | undefined;
  listUsers(): readonly AppInstanceUserRecord[];
}

export interface IdentityState {
  users: Record<string, AppInstanceUserRecord>;
}

/** The saved users, with the ones whose expiration has come deleted first (as Chime deletes them). */
export interface AppInstanceUserStore {
  get(): IdentityState;
  update(change: (s: IdentityState) => void): void;
}

export function appInstanceUserStore(
  state: SandboxState,
  clock: SandboxClock,
  log: (line: string) => void,
): AppInstanceUserStore {
  const saved = state.store<IdentityState>('chime-identity', () => ({ users: {} }));
  const store: AppInstanceUserStore = {
    get() {
      const now = clock.now();
      const expired = Object.values(saved.get().users).filter(
        (u) => (expiresAt(u) ?? Infinity) <= now,
      );
      if (expired.length > 0) {
        saved.update((s) => {
          for (const user of expired) delete s.users[user.appInstanceUserArn];
        });
        for (const user of expired) {
          log(`chime-identity: AppInstanceUser ${user.appInstanceUserId} expired and was deleted`);
        }
      }
      return saved.get();
    },
    update(change) {
      store.get();
      saved.update(change);
    },
  };
  return store;
}

export function appInstanceUserDirectory(
  appInstanceArn: string,
  store: AppInstanceUserStore,
): ChimeIdentityDirectory {
  return {
    appInstanceArn,
    getUser: (arn) => store.get().users[arn],
    nameOf: (arn) => store.get().users[arn]?.name,
    listUsers: () => Object.values(store.get().users),
  };
}
