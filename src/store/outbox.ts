import type { DataSource, EntityManager } from "typeorm";
import { groupByKey, one, prepared, rows } from "./sql.ts";

export type OutboxState = "accepted" | "sending" | "sent" | "delivered" | "failed";
/** What a row asks of the network: a message, or an action on a message sent or received earlier. */
export type OutboxKind = "message" | "edit" | "retract" | "react";

/** One network message part waiting to be sent, being sent, or sent (the outbound message map). */
export interface OutboxPart {
  id: string;
  contactId: string;
  xmppId: string | null;
  /** The user's full JID that sent it: stanza errors must go to a full JID (RFC 6121 §8.5.2.1.1). */
  senderJid: string | null;
  part: number;
  parts: number;
  body: string | null;
  mediaUrls: string[];
  wantReceipt: boolean;
  kind: OutboxKind;
  /** For edit/retract/react: the XMPP id of the message acted on. */
  targetId: string | null;
  /** The XMPP id of the message this one replies to. */
  replyTo: string | null;
  subject: string | null;
  thread: string | null;
  emojis: string[] | null;
  state: OutboxState;
  networkId: string | null;
  attempts: number;
  nextAttemptAt: Date;
  attemptStartedAt: Date | null;
  createdAt: Date;
}

export interface NewOutboxMessage {
  xmppId: string | null;
  senderJid: string;
  bodies: string[];
  mediaUrls: string[];
  wantReceipt: boolean;
  kind?: OutboxKind;
  targetId?: string | null;
  replyTo?: string | null;
  subject?: string | null;
  thread?: string | null;
  emojis?: string[] | null;
}

const COLUMNS = `id::text AS id, contact_id::text AS "contactId", xmpp_id AS "xmppId", sender_jid AS "senderJid", part, parts, body,
  coalesce(media, '[]'::jsonb) AS "mediaUrls", want_receipt AS "wantReceipt", kind, target_id AS "targetId", reply_to AS "replyTo", subject, thread, emojis, state, network_id AS "networkId",
  attempts, next_attempt_at AS "nextAttemptAt", attempt_started_at AS "attemptStartedAt", created_at AS "createdAt"`;

export class OutboxStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Queues many messages in one statement, parts in the order given (ids follow the order, and
   * the order of ids is the order of sending within a conversation). A message whose XMPP id was
   * already accepted for its contact in the last day (a client's resend) is left out. Returns the
   * parts that went in (RETURNING promises no order: sort or group them by id).
   *
   * A message with `claim` set has its first part's first attempt claimed in the same statement
   * (as markManySending would) when its conversation has nothing else unfinished: the caller
   * holds the conversation and sends that part next, without reading the queue or claiming it
   * apart (two round trips fewer between a message and the network). At most one message per
   * conversation in a call may ask: the check cannot see the statement's own rows.
   */
  async insertUnlessSeen(messages: Array<{ contactId: string; message: NewOutboxMessage; claim?: boolean }>): Promise<OutboxPart[]> {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (const { contactId, message: m, claim } of messages) {
      m.bodies.forEach((body, i) => {
        const values = [
          contactId, m.xmppId, m.senderJid, i, m.bodies.length, body,
          i === 0 && m.mediaUrls.length ? JSON.stringify(m.mediaUrls) : null, m.wantReceipt, m.kind ?? "message", m.targetId ?? null,
          m.replyTo ?? null, m.subject ?? null, m.thread ?? null, m.emojis ? JSON.stringify(m.emojis) : null, i === 0 && claim === true,
        ];
        values.forEach((v, c) => cols[c]!.push(v));
      });
    }
    // Every part of a message sees the same snapshot, so a message goes in whole or not at all.
    // The two checks are LATERAL ... LIMIT 1, not NOT EXISTS: PostgreSQL may turn a NOT EXISTS
    // into a hashed subplan that reads every pending part of every conversation (and each dead
    // index entry since the last vacuum) once per insert, and its generic plan, made when the
    // table was small, did so: ~320 buffers per insert at 500 msg/s, growing with the backlog.
    const inserted = await prepared<OutboxPart>(
      this.ds,
      "outbox_insert_unless_seen",
      `INSERT INTO outbox (contact_id, xmpp_id, sender_jid, part, parts, body, media, want_receipt,
                           kind, target_id, reply_to, subject, thread, emojis, state, attempts, attempt_started_at)
       SELECT c, x, s, p, n, b, m::jsonb, w, k, t, r, sub, th, e::jsonb,
              CASE WHEN claimed THEN 'sending' ELSE 'accepted' END, CASE WHEN claimed THEN 1 ELSE 0 END,
              CASE WHEN claimed THEN now() END
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::bool[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bool[])
            WITH ORDINALITY AS t(c, x, s, p, n, b, m, w, k, t, r, sub, th, e, claim, ord)
       LEFT JOIN LATERAL (
         SELECT true AS yes FROM outbox o WHERE t.claim AND o.contact_id = t.c AND o.state IN ('accepted', 'sending') LIMIT 1
       ) AS busy ON true
       LEFT JOIN LATERAL (
         SELECT true AS yes FROM outbox o
         WHERE t.x IS NOT NULL AND o.contact_id = t.c AND o.xmpp_id = t.x AND o.created_at > now() - interval '1 day' LIMIT 1
       ) AS seen ON true
       CROSS JOIN LATERAL (SELECT claim AND busy.yes IS NULL AS claimed) AS q
       WHERE seen.yes IS NULL
       ORDER BY ord
       RETURNING ${COLUMNS}`,
      cols,
    );
    return inserted;
  }

  /** The network id of the latest message in a conversation, sent or received. */
  async lastNetworkId(contactId: string): Promise<string | undefined> {
    const row = await one<{ id: string }>(
      this.ds.manager,
      `SELECT id FROM (
         SELECT network_id AS id, updated_at AS at FROM outbox WHERE contact_id = $1 AND kind = 'message' AND network_id IS NOT NULL
         UNION ALL
         SELECT network_id, received_at FROM inbox WHERE contact_id = $1 AND kind = 'message' AND network_id IS NOT NULL
       ) t ORDER BY at DESC LIMIT 1`,
      [contactId],
    );
    return row?.id;
  }

  /**
   * The network id behind an XMPP id in one conversation: a message the user sent (its first
   * part) or one the contact sent (its stanza id).
   */
  async networkIdOf(contactId: string, xmppId: string): Promise<string | undefined> {
    const row = await one<{ id: string }>(
      this.ds.manager,
      `SELECT network_id AS id FROM outbox WHERE contact_id = $1 AND xmpp_id = $2 AND kind = 'message' AND network_id IS NOT NULL
       UNION ALL
       SELECT network_id FROM inbox WHERE contact_id = $1 AND stanza_id::text = $2 AND network_id IS NOT NULL
       LIMIT 1`,
      [contactId, xmppId],
    );
    return row?.id;
  }

  /** The unfinished parts of each of these conversations, oldest first (every asked-for id is in the result). */
  async pendingMany(contactIds: string[], limit = 50): Promise<Map<string, OutboxPart[]>> {
    const found = await prepared<OutboxPart>(
      this.ds,
      "outbox_pending_many",
      `SELECT p.* FROM unnest($1::bigint[]) AS c(id)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM outbox WHERE contact_id = c.id AND state IN ('accepted', 'sending') ORDER BY outbox.id LIMIT $2
       ) p`,
      [contactIds, limit],
    );
    return groupByKey(contactIds, found, (part) => part.contactId);
  }

  /**
   * Claims the next attempt of each part, recorded before the network is called so a crash
   * leaves a trace to check against; returns the ids claimed. `attempts` (as the drainer read it)
   * fences out a drainer working from a stale read (one whose lock was lost with its
   * connection): only one drainer can move N → N+1.
   */
  async markManySending(parts: Array<{ id: string; attempts: number }>): Promise<Set<string>> {
    const claimed = await prepared<{ id: string }>(
      this.ds,
      "outbox_mark_many_sending",
      `UPDATE outbox SET state = 'sending', attempts = outbox.attempts + 1, attempt_started_at = now(), updated_at = now()
       FROM unnest($1::bigint[], $2::int[]) AS t(id, seen)
       WHERE outbox.id = t.id AND outbox.attempts = t.seen AND outbox.state IN ('accepted', 'sending') RETURNING outbox.id::text AS id`,
      [parts.map((p) => p.id), parts.map((p) => p.attempts)],
    );
    return new Set(claimed.map((r) => r.id));
  }

  async markSent(db: EntityManager, id: string, networkId: string): Promise<void> {
    await rows(
      db,
      `UPDATE outbox SET state = 'sent', network_id = $2, body = NULL, last_error = NULL, updated_at = now() WHERE id = $1`,
      [id, networkId],
    );
  }

  /** An action (edit, retraction, reaction) the network carried out: nothing more to report. */
  async markDone(id: string): Promise<void> {
    await this.ds.query(`UPDATE outbox SET state = 'delivered', body = NULL, last_error = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Schedules the next attempt of the attempt `attempt` owns. The part stays 'sending': the failed
   * call may still have reached the network (a timeout, a reset before the answer), so the next
   * attempt asks the network first (Adapter.findSent) instead of sending blindly.
   */
  async scheduleRetry(id: string, attempt: number, at: Date, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE outbox SET next_attempt_at = $2, last_error = $3, updated_at = now() WHERE id = $1 AND attempts = $4 AND state = 'sending'`,
      [id, at, error, attempt],
    );
  }

  /**
   * Fails this part and the not-yet-sent rest of its XMPP message; returns how many rows changed.
   * A `retryable` failure (the network could not be reached) keeps the text for `queue retry`.
   */
  async failMessage(db: EntityManager, part: OutboxPart, error: string, code: string | null, retryable: boolean): Promise<number> {
    const changed = await rows(
      db,
      `UPDATE outbox SET state = 'failed', body = CASE WHEN $7 THEN body END, retryable = $7, last_error = $3, error_code = $4, updated_at = now()
       WHERE contact_id = $1 AND state IN ('accepted', 'sending')
         AND (id = $2 OR ($5::text IS NOT NULL AND xmpp_id = $5 AND created_at = $6))
       RETURNING id`,
      [part.contactId, part.id, error, code, part.xmppId, part.createdAt, retryable],
    );
    return changed.length;
  }

  /**
   * Puts parts that failed for want of the network back in the queue, with a fresh retry budget
   * (the budget counts from created_at), optionally only one network's or one user's. Returns the
   * conversations that got parts back.
   */
  async requeueRetryable(db: EntityManager, filter: { network?: string; userJid?: string }): Promise<{ parts: number; contactIds: string[] }> {
    const requeued = await rows<{ contactId: string }>(
      db,
      // A part whose last call may have reached the network stays 'sending' with its attempt's
      // time, so the drain asks the network before sending it again (Adapter.findSent).
      `UPDATE outbox o SET state = CASE WHEN o.attempt_started_at IS NULL THEN 'accepted' ELSE 'sending' END, retryable = false,
              next_attempt_at = now(), created_at = now(), last_error = NULL, error_code = NULL, updated_at = now()
       FROM contacts c JOIN registrations r ON r.id = c.registration_id JOIN users u ON u.id = r.user_id
       WHERE o.contact_id = c.id AND o.state = 'failed' AND o.retryable AND o.body IS NOT NULL
         AND ($1::text IS NULL OR r.network = $1) AND ($2::text IS NULL OR u.jid = $2)
       RETURNING o.contact_id::text AS "contactId"`,
      [filter.network ?? null, filter.userJid ?? null],
    );
    return { parts: requeued.length, contactIds: [...new Set(requeued.map((r) => r.contactId))] };
  }

  /** Keeps a report for a network id no part carries yet; see takeEarlyReports. */
  async keepEarlyReport(db: EntityManager, networkId: string, state: string, error: string | null, code: string | null): Promise<void> {
    await rows(
      db,
      `INSERT INTO early_reports (network_id, state, error_code, error_text) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [networkId, state, code, error],
    );
  }

  /** Reports that arrived before the part's network id was stored, oldest first. */
  takeEarlyReports(db: EntityManager, networkId: string) {
    return rows<{ state: "sent" | "delivered" | "failed"; errorCode: string | null; errorText: string | null }>(
      db,
      `DELETE FROM early_reports WHERE network_id = $1
       RETURNING state, error_code AS "errorCode", error_text AS "errorText", received_at`,
      [networkId],
    ).then((found) => found.sort((a, b) => rank(a.state) - rank(b.state)));
  }

  /** Whether any part carries this network id. */
  async knows(db: EntityManager, networkId: string): Promise<boolean> {
    return (await one(db, `SELECT 1 FROM outbox WHERE network_id = $1`, [networkId])) !== undefined;
  }

  /** Applies a network delivery report; returns the row when its state changed. */
  report(db: EntityManager, networkId: string, state: "sent" | "delivered" | "failed", error: string | null, code: string | null) {
    // Only move forward: a late "sent" never undoes "delivered", and a final state is kept.
    const from = state === "sent" ? ["accepted", "sending"] : ["accepted", "sending", "sent"];
    return one<OutboxPart & { contactId: string }>(
      db,
      `UPDATE outbox SET state = $2, last_error = coalesce($3, last_error), error_code = coalesce($4, error_code), updated_at = now()
       WHERE network_id = $1 AND state = ANY($5::text[]) RETURNING ${COLUMNS}`,
      [networkId, state, error, code, from],
    );
  }

  /**
   * Applies 'delivered' reports for many network ids in one statement: the parts are marked
   * delivered, and for each XMPP message that asked for a receipt and has every part delivered
   * now, a receipt event is queued for the user. Returns the network ids handled (the rest are
   * unknown yet or already final: the caller takes the one-by-one path for those) and the
   * registrations that got receipts. Parts of one message delivered in the same batch see each
   * other (`d`); one batch at a time keeps two batches from each missing the other's part.
   */
  async markManyDelivered(networkIds: string[]): Promise<{ handled: Set<string>; receiptsFor: Set<string> }> {
    const found = await prepared<{ networkId: string | null; registrationId: string | null }>(
      this.ds,
      "outbox_mark_many_delivered",
      `WITH d AS (
         UPDATE outbox SET state = 'delivered', updated_at = now()
         WHERE network_id = ANY($1::text[]) AND state IN ('accepted', 'sending', 'sent')
         RETURNING id, network_id, contact_id, xmpp_id, created_at, want_receipt
       ), complete AS (
         SELECT DISTINCT d.contact_id, d.xmpp_id, d.created_at FROM d
         WHERE d.want_receipt AND d.xmpp_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM outbox o
           WHERE o.contact_id = d.contact_id AND o.xmpp_id = d.xmpp_id AND o.created_at = d.created_at
             AND o.state <> 'delivered' AND NOT EXISTS (SELECT 1 FROM d AS now_delivered WHERE now_delivered.id = o.id))
       ), receipts AS (
         INSERT INTO inbox (registration_id, contact_id, kind, payload)
         SELECT c.registration_id, c.id, 'receipt', jsonb_build_object('xmppId', complete.xmpp_id)
         FROM complete JOIN contacts c ON c.id = complete.contact_id
         ORDER BY complete.created_at
         RETURNING registration_id
       )
       SELECT network_id AS "networkId", NULL::text AS "registrationId" FROM d
       UNION ALL
       SELECT NULL, registration_id::text FROM receipts`,
      [networkIds],
    );
    const handled = new Set<string>();
    const receiptsFor = new Set<string>();
    for (const row of found) {
      if (row.networkId !== null) handled.add(row.networkId);
      if (row.registrationId !== null) receiptsFor.add(row.registrationId);
    }
    return { handled, receiptsFor };
  }

  /** Whether every part of one XMPP message has been delivered. */
  async allDelivered(db: EntityManager, contactId: string, xmppId: string, createdAt: Date): Promise<boolean> {
    const row = await one<{ missing: number }>(
      db,
      `SELECT count(*) FILTER (WHERE state <> 'delivered')::int AS missing FROM outbox
       WHERE contact_id = $1 AND xmpp_id = $2 AND created_at = $3`,
      [contactId, xmppId, createdAt],
    );
    return row?.missing === 0;
  }

  /** Conversations with due work, for the sweeper that re-arms lost wake-ups. */
  async dueConversations(): Promise<string[]> {
    const found = await rows<{ id: string }>(
      this.ds.manager,
      `SELECT DISTINCT contact_id::text AS id FROM outbox WHERE state IN ('accepted', 'sending') AND next_attempt_at <= now()`,
    );
    return found.map((r) => r.id);
  }

  async counts(): Promise<Record<string, number>> {
    const found = await rows<{ state: string; n: number }>(this.ds.manager, `SELECT state, count(*)::int AS n FROM outbox GROUP BY state`);
    return Object.fromEntries(found.map((r) => [r.state, r.n]));
  }
}

function rank(state: string): number {
  return state === "sent" ? 0 : 1;
}
