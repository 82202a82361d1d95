// Read-only queries behind the admin commands (`switchboard users show`, `contacts list`,
// `queue status`). Nothing here is on a message's path.
import type { DataSource } from "typeorm";
import type { NetworkName } from "../core/adapter.ts";
import type { Subscription } from "./contacts.ts";
import { rows } from "./sql.ts";

export interface RegistrationSummary {
  id: string;
  network: NetworkName;
  legacyAccountId: string;
  /** Non-secret settings (a Telegram bot's username, whether an SMS number is the user's own). */
  settings: Record<string, unknown>;
  state: "active" | "broken";
  stateReason: string | null;
  createdAt: Date;
  contacts: number;
  /** Outbound parts accepted or being sent. */
  queued: number;
  failed: number;
  /** Events waiting to reach the user's XMPP client. */
  inboxPending: number;
}

export interface ContactRow {
  network: NetworkName;
  legacyAddress: string;
  displayName: string | null;
  subscription: Subscription;
}

export interface QueueCounts {
  outbox: Array<{ network: NetworkName; state: string; count: number; oldestSeconds: number | null }>;
  inbox: Array<{ network: NetworkName; state: string; count: number; oldestSeconds: number | null }>;
  unroutable: Array<{ network: string; count: number }>;
}

export class AdminQueries {
  constructor(private readonly ds: DataSource) {}

  /** The user's registrations with what hangs off each; empty when the user has none. */
  registrationsOf(userJid: string): Promise<RegistrationSummary[]> {
    return rows(
      this.ds.manager,
      `SELECT r.id::text AS id, r.network, r.legacy_account_id AS "legacyAccountId", r.settings, r.state,
              r.state_reason AS "stateReason", r.created_at AS "createdAt",
              (SELECT count(*)::int FROM contacts c WHERE c.registration_id = r.id) AS contacts,
              (SELECT count(*)::int FROM outbox o JOIN contacts c ON c.id = o.contact_id
                WHERE c.registration_id = r.id AND o.state IN ('accepted', 'sending')) AS queued,
              (SELECT count(*)::int FROM outbox o JOIN contacts c ON c.id = o.contact_id
                WHERE c.registration_id = r.id AND o.state = 'failed') AS failed,
              (SELECT count(*)::int FROM inbox i WHERE i.registration_id = r.id AND i.state = 'pending') AS "inboxPending"
       FROM registrations r JOIN users u ON u.id = r.user_id
       WHERE u.jid = $1 ORDER BY r.network`,
      [userJid],
    );
  }

  contactsOf(userJid: string, network?: NetworkName): Promise<ContactRow[]> {
    return rows(
      this.ds.manager,
      `SELECT r.network, c.legacy_address AS "legacyAddress", c.display_name AS "displayName", c.subscription
       FROM contacts c JOIN registrations r ON r.id = c.registration_id JOIN users u ON u.id = r.user_id
       WHERE u.jid = $1 AND ($2::text IS NULL OR r.network = $2)
       ORDER BY r.network, c.legacy_address`,
      [userJid, network ?? null],
    );
  }

  /** Rows by network and state, with the age of the oldest row not yet finished in each. */
  async queueCounts(): Promise<QueueCounts> {
    const outbox = await rows<QueueCounts["outbox"][number]>(
      this.ds.manager,
      `SELECT r.network, o.state, count(*)::int AS count,
              CASE WHEN o.state IN ('accepted', 'sending')
                THEN floor(extract(epoch FROM now() - min(o.created_at)))::int END AS "oldestSeconds"
       FROM outbox o JOIN contacts c ON c.id = o.contact_id JOIN registrations r ON r.id = c.registration_id
       GROUP BY r.network, o.state ORDER BY r.network, o.state`,
    );
    const inbox = await rows<QueueCounts["inbox"][number]>(
      this.ds.manager,
      `SELECT r.network, i.state, count(*)::int AS count,
              CASE WHEN i.state = 'pending' THEN floor(extract(epoch FROM now() - min(i.received_at)))::int END AS "oldestSeconds"
       FROM inbox i JOIN registrations r ON r.id = i.registration_id
       GROUP BY r.network, i.state ORDER BY r.network, i.state`,
    );
    const unroutable = await rows<QueueCounts["unroutable"][number]>(
      this.ds.manager,
      `SELECT network, count(*)::int AS count FROM unroutable_inbound GROUP BY network ORDER BY network`,
    );
    return { outbox, inbox, unroutable };
  }
}
