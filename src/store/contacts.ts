import type { DataSource, EntityManager } from "typeorm";
import { one, rows } from "./sql.ts";

export type Subscription = "none" | "to" | "from" | "both";

export interface StoredContact {
  id: string;
  registrationId: string;
  legacyAddress: string;
  displayName: string | null;
  subscription: Subscription;
}

const COLUMNS = `id::text AS id, registration_id::text AS "registrationId", legacy_address AS "legacyAddress",
  display_name AS "displayName", subscription`;

/** How ensureMany names a contact: addresses match regardless of letter case. */
export function contactKey(registrationId: string, legacyAddress: string): string {
  return `${registrationId} ${legacyAddress.toLowerCase()}`;
}

/** The contacts of each registration, with their presence subscription state. */
export class ContactStore {
  constructor(private readonly ds: DataSource) {}

  /** Finds or creates a contact; `created` tells whether the user has never seen it before. */
  async ensure(
    db: EntityManager,
    registrationId: string,
    legacyAddress: string,
    displayName: string | null,
  ): Promise<{ contact: StoredContact; created: boolean }> {
    const inserted = await one<StoredContact>(
      db,
      `INSERT INTO contacts (registration_id, legacy_address, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (registration_id, lower(legacy_address)) DO NOTHING RETURNING ${COLUMNS}`,
      [registrationId, legacyAddress, displayName],
    );
    if (inserted) return { contact: inserted, created: true };
    const existing = await one<StoredContact>(
      db,
      `SELECT ${COLUMNS} FROM contacts WHERE registration_id = $1 AND lower(legacy_address) = lower($2)`,
      [registrationId, legacyAddress],
    );
    return { contact: existing!, created: false };
  }

  /**
   * Finds or creates many contacts at once; the result maps `registrationId lower(address)` to
   * the contact. One statement in the usual case; a contact created concurrently by another
   * transaction (skipped by the insert, invisible to its snapshot) is read in a second one.
   */
  async ensureMany(
    db: EntityManager,
    wanted: Array<{ registrationId: string; legacyAddress: string; displayName: string | null }>,
  ): Promise<Map<string, StoredContact & { created: boolean }>> {
    const unique = new Map(wanted.map((w) => [contactKey(w.registrationId, w.legacyAddress), w]));
    const list = [...unique.values()];
    const found = await rows<StoredContact & { created: boolean }>(
      db,
      `WITH wanted AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(r, a, n)),
       ins AS (
         INSERT INTO contacts (registration_id, legacy_address, display_name) SELECT r, a, n FROM wanted
         ON CONFLICT (registration_id, lower(legacy_address)) DO NOTHING RETURNING ${COLUMNS}, true AS created
       )
       SELECT * FROM ins
       UNION ALL
       SELECT ${COLUMNS}, false AS created FROM contacts
       WHERE (registration_id, lower(legacy_address)) IN (SELECT r, lower(a) FROM wanted)`,
      [list.map((w) => w.registrationId), list.map((w) => w.legacyAddress), list.map((w) => w.displayName)],
    );
    const result = new Map(found.map((c) => [contactKey(c.registrationId, c.legacyAddress), c]));
    const missing = list.filter((w) => !result.has(contactKey(w.registrationId, w.legacyAddress)));
    for (const w of missing) {
      const { contact, created } = await this.ensure(db, w.registrationId, w.legacyAddress, w.displayName);
      result.set(contactKey(w.registrationId, w.legacyAddress), { ...contact, created });
    }
    return result;
  }

  /** Contact ids by contactKey: a contact's id never changes while it exists. */
  private readonly ids = new Map<string, string>();

  /**
   * The ids of these contacts, creating those that do not exist; remembered, so the message path
   * usually asks the database nothing. A remembered contact deleted meanwhile makes the caller's
   * insert fail on its foreign key: the caller then calls forget() and tries again.
   */
  async resolveMany(wanted: Array<{ registrationId: string; legacyAddress: string; displayName: string | null }>): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const missing: typeof wanted = [];
    for (const w of wanted) {
      const id = this.knownId(w.registrationId, w.legacyAddress);
      if (id) result.set(contactKey(w.registrationId, w.legacyAddress), id);
      else missing.push(w);
    }
    if (missing.length === 0) return result;
    const found = await this.ensureMany(this.ds.manager, missing);
    for (const w of missing) {
      const key = contactKey(w.registrationId, w.legacyAddress);
      const contact = found.get(key)!;
      this.remember(w.registrationId, w.legacyAddress, contact.id);
      result.set(key, contact.id);
    }
    return result;
  }

  /** The remembered id of a contact this process has resolved or created before, if any. */
  knownId(registrationId: string, legacyAddress: string): string | undefined {
    return this.ids.get(contactKey(registrationId, legacyAddress));
  }

  /** Remembers a contact's id (see resolveMany); one that turns out gone is forgotten by the caller. */
  remember(registrationId: string, legacyAddress: string, id: string): void {
    if (this.ids.size >= 200_000) this.ids.clear();
    this.ids.set(contactKey(registrationId, legacyAddress), id);
  }

  /** Drops remembered ids (a contact or registration was removed). */
  forget(): void {
    this.ids.clear();
  }

  /**
   * The user subscribed to a contact: create it if new and mark it subscribed, in one statement.
   * `previous` is the subscription it had (null when it is new), so a repeat can be answered cheaply.
   */
  async subscribe(registrationId: string, legacyAddress: string, displayName: string): Promise<{ contact: StoredContact; previous: Subscription | null }> {
    const row = await one<StoredContact & { previous: Subscription | null }>(
      this.ds.manager,
      `WITH prev AS (SELECT subscription FROM contacts WHERE registration_id = $1 AND lower(legacy_address) = lower($2))
       INSERT INTO contacts (registration_id, legacy_address, display_name, subscription) VALUES ($1, $2, $3, 'both')
       ON CONFLICT (registration_id, lower(legacy_address)) DO UPDATE SET subscription = 'both'
       RETURNING ${COLUMNS}, (SELECT subscription FROM prev) AS previous`,
      [registrationId, legacyAddress, displayName],
    );
    const { previous, ...contact } = row!;
    return { contact, previous };
  }

  find(registrationId: string, legacyAddress: string, db: EntityManager = this.ds.manager): Promise<StoredContact | undefined> {
    return one(db, `SELECT ${COLUMNS} FROM contacts WHERE registration_id = $1 AND lower(legacy_address) = lower($2)`, [registrationId, legacyAddress]);
  }

  findById(id: string, db: EntityManager = this.ds.manager): Promise<StoredContact | undefined> {
    return one(db, `SELECT ${COLUMNS} FROM contacts WHERE id = $1`, [id]);
  }

  list(registrationId: string): Promise<StoredContact[]> {
    return rows(this.ds.manager, `SELECT ${COLUMNS} FROM contacts WHERE registration_id = $1 ORDER BY legacy_address`, [registrationId]);
  }

  async setSubscription(id: string, subscription: Subscription): Promise<void> {
    await this.ds.query(`UPDATE contacts SET subscription = $2 WHERE id = $1`, [id, subscription]);
  }

  /** Deletes the contact, unless messages to it are still queued: then it only loses its subscription. */
  async remove(id: string): Promise<void> {
    this.forget();
    await this.ds.transaction(async (tx) => {
      const deleted = await rows(
        tx,
        `DELETE FROM contacts WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM outbox WHERE contact_id = $1 AND state IN ('accepted', 'sending')) RETURNING id`,
        [id],
      );
      if (deleted.length === 0) await rows(tx, `UPDATE contacts SET subscription = 'none' WHERE id = $1`, [id]);
    });
  }
}
