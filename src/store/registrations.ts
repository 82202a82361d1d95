import type { DataSource, EntityManager } from "typeorm";
import type { NetworkName } from "../core/adapter.ts";
import { one, rows } from "./sql.ts";

export interface StoredRegistration {
  id: string;
  userJid: string;
  network: NetworkName;
  legacyAccountId: string;
  /** Sealed (encrypted) credentials JSON, or null. */
  credentials: string | null;
  settings: Record<string, unknown>;
  state: "active" | "broken";
  stateReason: string | null;
  cursor: string | null;
  createdAt: Date;
}

const SELECT = `
  SELECT r.id::text AS id, u.jid AS "userJid", r.network, r.legacy_account_id AS "legacyAccountId",
         r.credentials, r.settings, r.state, r.state_reason AS "stateReason", r.cursor, r.created_at AS "createdAt"
  FROM registrations r JOIN users u ON u.id = r.user_id`;

/** Users and their per-network registrations. */
export class RegistrationStore {
  private readonly listeners: Array<() => void> = [];
  /** Counts changes made through this store (see RegistrationCache). */
  changes = 0;

  constructor(private readonly ds: DataSource) {}

  /** Calls `fn` whenever a registration is created, replaced, removed or marked broken here. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Empties caches of registrations; the change functions below call it themselves. */
  changed(): void {
    this.changes++;
    for (const fn of this.listeners) fn();
  }

  find(userJid: string, network: NetworkName, db: EntityManager = this.ds.manager): Promise<StoredRegistration | undefined> {
    return one(db, `${SELECT} WHERE u.jid = $1 AND r.network = $2`, [userJid, network]);
  }

  findById(id: string, db: EntityManager = this.ds.manager): Promise<StoredRegistration | undefined> {
    return one(db, `${SELECT} WHERE r.id = $1`, [id]);
  }

  findByAccount(network: NetworkName, legacyAccountId: string, db: EntityManager = this.ds.manager): Promise<StoredRegistration | undefined> {
    return one(db, `${SELECT} WHERE r.network = $1 AND r.legacy_account_id = $2`, [network, legacyAccountId]);
  }

  async takenByOthers(network: NetworkName, userJid: string): Promise<Set<string>> {
    const found = await rows<{ id: string }>(
      this.ds.manager,
      `SELECT r.legacy_account_id AS id FROM registrations r JOIN users u ON u.id = r.user_id
       WHERE r.network = $1 AND u.jid <> $2`,
      [network, userJid],
    );
    return new Set(found.map((r) => r.id));
  }

  list(network?: NetworkName): Promise<StoredRegistration[]> {
    return network
      ? rows(this.ds.manager, `${SELECT} WHERE r.network = $1 ORDER BY u.jid`, [network])
      : rows(this.ds.manager, `${SELECT} ORDER BY u.jid, r.network`);
  }

  /**
   * Creates or replaces the user's registration on a network. Returns null when the legacy
   * account is already registered by someone else (the unique constraint decides, not a race).
   */
  async save(
    userJid: string,
    network: NetworkName,
    account: { legacyAccountId: string; credentials: string | null; settings: Record<string, unknown> },
  ): Promise<{ registration: StoredRegistration; created: boolean } | null> {
    return this.ds.transaction(async (tx) => {
      const user = await one<{ id: string }>(
        tx,
        `INSERT INTO users (jid) VALUES ($1) ON CONFLICT (jid) DO UPDATE SET jid = EXCLUDED.jid RETURNING id::text AS id`,
        [userJid],
      );
      const taken = await one<{ jid: string }>(
        tx,
        `SELECT u.jid FROM registrations r JOIN users u ON u.id = r.user_id
         WHERE r.network = $1 AND r.legacy_account_id = $2 AND u.jid <> $3 FOR UPDATE OF r`,
        [network, account.legacyAccountId, userJid],
      );
      if (taken) return null;
      const saved = await one<{ id: string; created: boolean }>(
        tx,
        `INSERT INTO registrations (user_id, network, legacy_account_id, credentials, settings)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, network) DO UPDATE SET legacy_account_id = EXCLUDED.legacy_account_id,
           credentials = EXCLUDED.credentials, settings = EXCLUDED.settings, state = 'active',
           state_reason = NULL, updated_at = now(),
           cursor = CASE WHEN registrations.legacy_account_id = EXCLUDED.legacy_account_id THEN registrations.cursor END
         RETURNING id::text AS id, (xmax = 0) AS created`,
        [user!.id, network, account.legacyAccountId, account.credentials, JSON.stringify(account.settings)],
      );
      const registration = (await this.findById(saved!.id, tx))!;
      return { registration, created: saved!.created };
    }).finally(() => this.changed());
  }

  /** Deletes the registration with its contacts and queued messages (cascade). */
  async remove(id: string): Promise<void> {
    await this.ds.query(`DELETE FROM registrations WHERE id = $1`, [id]).finally(() => this.changed());
  }

  /**
   * Who sees presence from this network's component: the gateway itself (address null) for each
   * user first, then each subscribed contact of each user. Only `userJid`'s, when given.
   */
  presenceTargets(network: NetworkName, userJid?: string): Promise<Array<{ userJid: string; address: string | null }>> {
    return rows(
      this.ds.manager,
      `SELECT u.jid AS "userJid", NULL AS address FROM registrations r JOIN users u ON u.id = r.user_id
       WHERE r.network = $1 AND ($2::text IS NULL OR u.jid = $2)
       UNION ALL
       SELECT u.jid, c.legacy_address FROM contacts c
         JOIN registrations r ON r.id = c.registration_id JOIN users u ON u.id = r.user_id
       WHERE r.network = $1 AND ($2::text IS NULL OR u.jid = $2) AND c.subscription <> 'none'`,
      [network, userJid ?? null],
    );
  }

  async saveCursor(network: NetworkName, legacyAccountId: string, cursor: string): Promise<void> {
    await this.ds.query(`UPDATE registrations SET cursor = $3 WHERE network = $1 AND legacy_account_id = $2`, [network, legacyAccountId, cursor]);
  }

  async markBroken(id: string, reason: string, db: EntityManager = this.ds.manager): Promise<void> {
    await rows(db, `UPDATE registrations SET state = 'broken', state_reason = $2, updated_at = now() WHERE id = $1`, [id, reason]).finally(() =>
      this.changed(),
    );
  }
}
