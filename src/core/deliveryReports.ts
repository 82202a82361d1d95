import type { DataSource, EntityManager } from "typeorm";
import type { Adapter, DeliveryReport } from "./adapter.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { InboxStore } from "../store/inbox.ts";
import type { OutboxStore } from "../store/outbox.ts";
import { prepared, rows } from "../store/sql.ts";
import { JobQueue } from "../queue/jobQueue.ts";
import { GroupCommit } from "../store/groupCommit.ts";
import { INBOX_TASK, inboxJobKey } from "./inboundService.ts";

/**
 * The delivery state machine of sent parts (accepted → sent → delivered | failed) and what the
 * user hears of it: a receipt once every part is delivered, an error when one fails. A report may
 * arrive before we stored the network id it names; it is kept and applied when the id is stored.
 * Both sides take the same per-id lock, so neither can miss the other.
 */
export class DeliveryReports {
  constructor(
    private readonly ds: DataSource,
    private readonly contacts: ContactStore,
    private readonly outbox: OutboxStore,
    private readonly inbox: InboxStore,
    /** Called once receipts for a registration are committed (the sweep covers a crash before). */
    private readonly wakeInbox: (registrationId: string) => void,
  ) {}

  /**
   * 'delivered' reports, applied many to one statement, receipts included (every client that
   * asks for receipts asks for every message). One batch at a time: see markManyDelivered. A
   * report waits up to 20 ms for others to share its statement, the costliest of a message's:
   * nothing waits on a receipt to the millisecond, and the network is answered only once the
   * batch is committed, so a crash meanwhile loses nothing (it sends the report again).
   */
  private readonly deliveries = new GroupCommit<string, boolean>(
    async (networkIds) => {
      const { handled, receiptsFor } = await this.outbox.markManyDelivered(networkIds);
      for (const id of receiptsFor) this.wakeInbox(id);
      return networkIds.map((id) => handled.has(id));
    },
    { maxBatch: 500, parallel: 1, lingerMs: 20 },
  );

  /** Parts the networks accepted, recorded many to one call (switchboard_record_sent). */
  private readonly sentParts = new GroupCommit<{ partId: string; networkId: string; delivered: boolean }, boolean>(
    async (items) => {
      const more = await prepared<{ id: string }>(
        this.ds,
        "record_sent",
        `SELECT id::text AS id FROM switchboard_record_sent($1::bigint[], $2::text[], $3::boolean[]) AS id`,
        [items.map((i) => i.partId), items.map((i) => i.networkId), items.map((i) => i.delivered)],
      );
      const slow = new Set(more.map((r) => r.id));
      return items.map((i) => slow.has(i.partId));
    },
    { maxBatch: 500, parallel: 1 },
  );

  /**
   * The network accepted a part: store its id, then apply any report that came first. Usually
   * a share of one batched call, and for a network that confirms on acceptance (Telegram) a part
   * whose message asked for a receipt is then delivered like a callback's report, batched too;
   * the transaction below only when a report is waiting.
   */
  async recordSent(adapter: Adapter, part: { id: string; wantReceipt: boolean }, networkId: string, delivered: boolean): Promise<void> {
    const partId = part.id;
    const receiptNow = delivered && part.wantReceipt;
    if (!(await this.sentParts.submit({ partId, networkId, delivered: delivered && !receiptNow }))) {
      if (receiptNow) await this.deliveries.submit(networkId);
      return;
    }
    await this.ds.transaction(async (tx) => {
      await lock(tx, networkId);
      await this.outbox.markSent(tx, partId, networkId);
      // A network that confirms on acceptance (Telegram) is reported delivered like a callback.
      if (delivered) await this.applyLocked(tx, adapter, { networkId, state: "delivered" });
      for (const early of await this.outbox.takeEarlyReports(tx, networkId)) {
        await this.applyLocked(tx, adapter, { networkId, state: early.state, errorCode: early.errorCode ?? undefined, errorText: early.errorText ?? undefined });
      }
    });
  }

  async apply(adapter: Adapter, report: DeliveryReport): Promise<void> {
    // "sent" tells nothing recordSent has not stored already; skipping it halves the callback work.
    if (report.state === "sent") return;
    // A delivery of a known part is one share of a batched statement. The lock below only
    // matters when the id is unknown yet (its report must wait for recordSent) or for failures.
    if (report.state === "delivered" && (await this.deliveries.submit(report.networkId))) return;
    await this.ds.transaction(async (tx) => {
      await lock(tx, report.networkId);
      await this.applyLocked(tx, adapter, report);
    });
  }

  private async applyLocked(tx: EntityManager, adapter: Adapter, report: DeliveryReport): Promise<void> {
    const part = await this.outbox.report(tx, report.networkId, report.state, report.errorText ?? null, report.errorCode ?? null);
    if (!part) {
      if (!(await this.outbox.knows(tx, report.networkId))) {
        await this.outbox.keepEarlyReport(tx, report.networkId, report.state, report.errorText ?? null, report.errorCode ?? null);
      }
      return;
    }
    if (report.state === "sent") return;
    const contact = await this.contacts.findById(part.contactId, tx);
    if (!contact) return;
    if (report.state === "delivered") {
      if (!part.wantReceipt || !part.xmppId) return;
      if (!(await this.outbox.allDelivered(tx, part.contactId, part.xmppId, part.createdAt))) return;
      await this.inbox.add(tx, { registrationId: contact.registrationId, contactId: contact.id, kind: "receipt", payload: { xmppId: part.xmppId } });
    } else {
      const text = report.errorText ?? `${adapter.identity.name} could not deliver the message.`;
      await this.inbox.add(tx, {
        registrationId: contact.registrationId,
        contactId: contact.id,
        kind: "error",
        payload: { xmppId: part.xmppId, to: part.senderJid, condition: "recipient-unavailable", text },
      });
    }
    await JobQueue.add(tx, INBOX_TASK, { registrationId: contact.registrationId }, inboxJobKey(contact.registrationId));
  }
}

function lock(tx: EntityManager, networkId: string) {
  return rows(tx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 1))`, [networkId]);
}
