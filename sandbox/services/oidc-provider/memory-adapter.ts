import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage, in memory: sessions, interactions, codes and tokens live as long as the
 * process (a restart signs everyone out of the local provider, which is harmless). Written here
 * because the library's own quick-start adapter prints a production warning at every start.
 */
const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
const index = new Map<string, string>();

export class MemoryAdapter implements Adapter {
  constructor(private readonly name: string) {}

  private key(id: string): string {
    return `${this.name}:${id}`;
  }

  // The Adapter interface is asynchronous; this one answers at once (Promise.resolve).
  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    store.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    for (const field of ['grantId', 'userCode', 'uid'] as const) {
      const value = payload[field];
      if (typeof value === 'string') index.set(`${field}:${value}:${this.name}`, id);
    }
    return Promise.resolve();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    const entry = store.get(this.key(id));
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= Date.now()) {
      store.delete(this.key(id));
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry.payload);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = index.get(`userCode:${userCode}:${this.name}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = index.get(`uid:${uid}:${this.name}`);
    return id === undefined ? undefined : this.find(id);
  }

  consume(id: string): Promise<void> {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    store.delete(this.key(id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of store) {
      if (entry.payload.grantId === grantId) store.delete(key);
    }
    return Promise.resolve();
  }
}
