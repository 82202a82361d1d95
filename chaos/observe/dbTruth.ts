// The gateway's own record, read from its database: which outbound messages it accepted (an
// outbox row exists for the XMPP id) and where each inbound network message stands.
import pg from "pg";

export interface OutboxRow {
  id: string;
  xmppId: string;
  state: string;
  networkId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface InboxRow {
  id: string;
  networkId: string;
  state: string;
  stanzaId: string;
  receivedAt: Date;
  deliveredAt: Date | null;
}

export interface Truth {
  outbox: Map<string, OutboxRow[]>;
  inbox: Map<string, InboxRow[]>;
  pendingOut: number;
  pendingIn: number;
}

/** One short connection per read: the run terminates the database's connections now and then. */
export async function readTruth(url: string): Promise<Truth> {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    try {
      await client.connect();
      const out = await client.query<OutboxRow>(
        `SELECT id::text AS id, xmpp_id AS "xmppId", state, network_id AS "networkId", attempts, last_error AS "lastError",
                created_at AS "createdAt", updated_at AS "updatedAt"
         FROM outbox WHERE kind = 'message' AND xmpp_id IS NOT NULL ORDER BY id`,
      );
      const inb = await client.query<InboxRow>(
        `SELECT id::text AS id, network_id AS "networkId", state, stanza_id::text AS "stanzaId", received_at AS "receivedAt", delivered_at AS "deliveredAt"
         FROM inbox WHERE kind = 'message' AND network_id IS NOT NULL ORDER BY id`,
      );
      const pending = await client.query<{ o: number; i: number }>(
        `SELECT (SELECT count(*)::int FROM outbox WHERE state IN ('accepted', 'sending')) AS o,
                (SELECT count(*)::int FROM inbox WHERE state = 'pending') AS i`,
      );
      return {
        outbox: group(out.rows, (r) => r.xmppId),
        inbox: group(inb.rows, (r) => r.networkId),
        pendingOut: pending.rows[0]?.o ?? 0,
        pendingIn: pending.rows[0]?.i ?? 0,
      };
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}
