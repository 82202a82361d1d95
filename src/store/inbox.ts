import type { DataSource, EntityManager } from "typeorm";
import { groupByKey, one, prepared, rows } from "./sql.ts";

export type InboxKind = "message" | "subscribe" | "receipt" | "error" | "notice" | "edit" | "reaction" | "retraction" | "account-broken";

/** Something waiting to reach the user's XMPP client, in the order it happened. */
export interface InboxEvent {
  id: string;
  registrationId: string;
  contactId: string | null;
  legacyAddress: string | null;
  kind: InboxKind;
  stanzaId: string;
  networkId: string | null;
  body: string | null;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

export class InboxStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * The XMPP id the user knows a network message by: the stanza id we gave a message the contact
   * sent, or the user's own id for one they sent.
   */
  async xmppIdOf(db: EntityManager, contactId: string, networkId: string): Promise<string | undefined> {
    const row = await one<{ id: string }>(
      db,
      `SELECT stanza_id::text AS id FROM inbox WHERE contact_id = $1 AND network_id = $2 AND kind = 'message'
       UNION ALL
       SELECT xmpp_id FROM outbox WHERE contact_id = $1 AND network_id = $2 AND kind = 'message' AND xmpp_id IS NOT NULL
       LIMIT 1`,
      [contactId, networkId],
    );
    return row?.id;
  }

  async add(
    db: EntityManager,
    event: { registrationId: string; contactId: string | null; kind: InboxKind; networkId?: string | null; body?: string | null; payload?: Record<string, unknown>; receivedAt?: Date },
  ): Promise<void> {
    await rows(
      db,
      `INSERT INTO inbox (registration_id, contact_id, kind, network_id, body, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))`,
      [event.registrationId, event.contactId, event.kind, event.networkId ?? null, event.body ?? null, JSON.stringify(event.payload ?? {}), event.receivedAt ?? null],
    );
  }

  /** Many events in one statement, in the order given (the order the user sees them in). */
  async addMany(
    db: EntityManager,
    events: Array<{ registrationId: string; contactId: string | null; kind: InboxKind; networkId?: string | null; body?: string | null; payload?: Record<string, unknown> }>,
  ): Promise<void> {
    if (events.length === 0) return;
    await rows(
      db,
      `INSERT INTO inbox (registration_id, contact_id, kind, network_id, body, payload)
       SELECT r, c, k, n, b, p::jsonb FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS t(r, c, k, n, b, p, ord)
       ORDER BY ord`,
      [
        events.map((e) => e.registrationId),
        events.map((e) => e.contactId),
        events.map((e) => e.kind),
        events.map((e) => e.networkId ?? null),
        events.map((e) => e.body ?? null),
        events.map((e) => JSON.stringify(e.payload ?? {})),
      ],
    );
  }

  /**
   * Messages from known contacts, each under its network-unique key, in one statement (one round
   * trip, one commit): a message whose key was seen before is left out. Returns the keys that were
   * new, as `network key`; the caller passes each key once. A contact that no longer exists fails
   * the whole statement on its foreign key, and nothing is written.
   */
  async addMessagesClaimingKeys(
    messages: Array<{ network: string; key: string; registrationId: string; contactId: string; networkId: string | null; body: string; payload: Record<string, unknown> }>,
  ): Promise<Set<string>> {
    const claimed = await prepared<{ network: string; key: string }>(
      this.ds,
      "inbox_add_messages_claiming_keys",
      `WITH t AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS t(net, key, r, c, n, b, p, ord)
       ), claimed AS (
         INSERT INTO inbound_keys (network, key) SELECT net, key FROM t ON CONFLICT DO NOTHING RETURNING network, key
       ), added AS (
         INSERT INTO inbox (registration_id, contact_id, kind, network_id, body, payload)
         SELECT t.r, t.c, 'message', t.n, t.b, t.p::jsonb FROM t JOIN claimed ON claimed.network = t.net AND claimed.key = t.key
         ORDER BY t.ord
         RETURNING 1
       )
       SELECT network, key FROM claimed`,
      [
        messages.map((m) => m.network),
        messages.map((m) => m.key),
        messages.map((m) => m.registrationId),
        messages.map((m) => m.contactId),
        messages.map((m) => m.networkId),
        messages.map((m) => m.body),
        messages.map((m) => JSON.stringify(m.payload)),
      ],
    );
    return new Set(claimed.map((c) => `${c.network} ${c.key}`));
  }

  /** Records many network-unique keys; returns those not seen before, as `network key`. */
  async claimKeys(db: EntityManager, keys: Array<{ network: string; key: string }>): Promise<Set<string>> {
    const claimed = await rows<{ network: string; key: string }>(
      db,
      `INSERT INTO inbound_keys (network, key) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING network, key`,
      [keys.map((k) => k.network), keys.map((k) => k.key)],
    );
    return new Set(claimed.map((c) => `${c.network} ${c.key}`));
  }

  /** Records a network-unique key; false when it was seen before (the event is a repeat). */
  async claimKey(db: EntityManager, network: string, key: string): Promise<boolean> {
    const row = await one(db, `INSERT INTO inbound_keys (network, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS ok`, [network, key]);
    return row !== undefined;
  }

  /** The pending events of each of these registrations, in order (every asked-for id is in the result). */
  async pendingMany(registrationIds: string[], limit = 100): Promise<Map<string, InboxEvent[]>> {
    const found = await prepared<InboxEvent>(
      this.ds,
      "inbox_pending_many",
      `SELECT e.* FROM unnest($1::bigint[]) AS r(id)
       CROSS JOIN LATERAL (
         SELECT i.id::text AS id, i.registration_id::text AS "registrationId", i.contact_id::text AS "contactId",
                c.legacy_address AS "legacyAddress", i.kind, i.stanza_id::text AS "stanzaId", i.network_id AS "networkId",
                i.body, i.payload, i.received_at AS "receivedAt"
         FROM inbox i LEFT JOIN contacts c ON c.id = i.contact_id
         WHERE i.registration_id = r.id AND i.state = 'pending' ORDER BY i.id LIMIT $2
       ) e`,
      [registrationIds, limit],
    );
    return groupByKey(registrationIds, found, (e) => e.registrationId);
  }

  /** Passed on to XMPP: the body is dropped (the gateway is no archive), the ids stay for the map. */
  async markDelivered(ids: string[]): Promise<void> {
    await prepared(this.ds, "inbox_mark_delivered", `UPDATE inbox SET state = 'delivered', delivered_at = now(), body = NULL WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** Registrations with events waiting, optionally only those of one network. */
  async dueRegistrations(network?: string): Promise<string[]> {
    const found = await rows<{ id: string }>(
      this.ds.manager,
      `SELECT DISTINCT i.registration_id::text AS id FROM inbox i JOIN registrations r ON r.id = i.registration_id
       WHERE i.state = 'pending' AND ($1::text IS NULL OR r.network = $1)`,
      [network ?? null],
    );
    return found.map((r) => r.id);
  }

  async addUnroutable(db: EntityManager, network: string, account: string, sender: string, body: string, payload: Record<string, unknown>): Promise<void> {
    await rows(
      db,
      `INSERT INTO unroutable_inbound (network, legacy_account_id, sender, body, payload) VALUES ($1, $2, $3, $4, $5)`,
      [network, account, sender, body, JSON.stringify(payload)],
    );
  }

  async counts(): Promise<{ pending: number; unroutable: number }> {
    const row = await one<{ pending: number; unroutable: number }>(
      this.ds.manager,
      `SELECT (SELECT count(*)::int FROM inbox WHERE state = 'pending') AS pending,
              (SELECT count(*)::int FROM unroutable_inbound) AS unroutable`,
    );
    return row ?? { pending: 0, unroutable: 0 };
  }
}
