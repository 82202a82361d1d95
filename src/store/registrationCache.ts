import type { NetworkName } from "../core/adapter.ts";
import type { RegistrationStore, StoredRegistration } from "./registrations.ts";

/**
 * Registrations as the message paths read them: every message needs its user's registration, and
 * a query per message is a round trip per message. Entries live `ttlMs`; any change made through
 * this process's RegistrationStore empties the cache at once, and a change made elsewhere (the
 * CLI, another instance) is seen within `ttlMs`. Misses are not cached, so a fresh registration
 * is usable at once.
 */
export class RegistrationCache {
  private readonly entries = new Map<string, { value: StoredRegistration; until: number }>();
  private readonly loading = new Map<string, Promise<StoredRegistration | undefined>>();

  constructor(
    private readonly store: RegistrationStore,
    private readonly ttlMs = 2000,
    private readonly maxEntries = 100_000,
  ) {
    store.onChange(() => {
      this.entries.clear();
      this.loading.clear();
    });
  }

  find(userJid: string, network: NetworkName): Promise<StoredRegistration | undefined> {
    return this.read(`u ${network} ${userJid}`, () => this.store.find(userJid, network));
  }

  findById(id: string): Promise<StoredRegistration | undefined> {
    return this.read(`i ${id}`, () => this.store.findById(id));
  }

  findByAccount(network: NetworkName, legacyAccountId: string): Promise<StoredRegistration | undefined> {
    return this.read(`a ${network} ${legacyAccountId}`, () => this.store.findByAccount(network, legacyAccountId));
  }

  private read(key: string, load: () => Promise<StoredRegistration | undefined>): Promise<StoredRegistration | undefined> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return Promise.resolve(hit.value);
    // When an entry expires under load, every message of that user misses at once: one query.
    const running = this.loading.get(key);
    if (running) return running;
    const generation = this.generation;
    const loading = load().then((value) => {
      // A change while loading may have made `value` stale: keep it out of the cache then.
      if (value && generation === this.generation) {
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, { value, until: Date.now() + this.ttlMs });
      }
      return value;
    });
    this.loading.set(key, loading);
    const done = () => {
      if (this.loading.get(key) === loading) this.loading.delete(key);
    };
    loading.then(done, done);
    return loading;
  }

  private get generation(): number {
    return this.store.changes;
  }
}
