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

  constructor(
    private readonly store: RegistrationStore,
    private readonly ttlMs = 2000,
    private readonly maxEntries = 100_000,
  ) {
    store.onChange(() => this.entries.clear());
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

  private async read(key: string, load: () => Promise<StoredRegistration | undefined>): Promise<StoredRegistration | undefined> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.value;
    const generation = this.generation;
    const value = await load();
    // A change while loading may have made `value` stale: keep it out of the cache then.
    if (value && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, until: now + this.ttlMs });
    }
    return value;
  }

  private get generation(): number {
    return this.store.changes;
  }
}
