import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Account, Adapter, NetworkName, OutgoingMessage } from "./adapter.ts";
import { asGatewayError, GatewayError } from "./errors.ts";
import type { RegistrationService } from "./registrationService.ts";
import type { RegistrationCache } from "../store/registrationCache.ts";
import { Wakeups } from "../queue/wakeups.ts";
import { GroupCommit } from "../store/groupCommit.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { OutboxPart, OutboxStore } from "../store/outbox.ts";
import type { InboxStore } from "../store/inbox.ts";
import { JobQueue } from "../queue/jobQueue.ts";
import { recordWithRetry } from "../store/retry.ts";
import type { ConversationLocks } from "../queue/conversationLock.ts";
import { OUTBOUND_TASK, outboundJobKey } from "./outboundService.ts";
import { INBOX_TASK, inboxJobKey } from "./inboundService.ts";
import type { DeliveryReports } from "./deliveryReports.ts";

/** Parts read per query while draining a conversation. */
const PENDING_BATCH = 50;

export interface RetryPolicy {
  retryBudgetSeconds: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface OutboundMetrics {
  sent(network: NetworkName): void;
  failed(network: NetworkName): void;
  retried(network: NetworkName): void;
}

/**
 * Sends one conversation's queued parts in order. A transient failure stops the conversation and
 * schedules a retry (honouring the network's Retry-After) so later messages never overtake it;
 * a permanent failure, or the retry budget running out, fails the message with an error to the user.
 */
export class OutboundWorker {
  constructor(
    private readonly ds: DataSource,
    private readonly locks: ConversationLocks,
    private readonly adapters: Map<NetworkName, Adapter>,
    private readonly registrations: RegistrationCache,
    private readonly registrationService: RegistrationService,
    private readonly contacts: ContactStore,
    private readonly outbox: OutboxStore,
    private readonly inbox: InboxStore,
    private readonly reports: DeliveryReports,
    private readonly policy: RetryPolicy,
    private readonly metrics: OutboundMetrics,
    private readonly log: Logger,
    concurrency: number,
  ) {
    this.wakeups = new Wakeups("sending queued messages", (id) => this.drainNow(id), concurrency, log);
  }

  /**
   * The network id of each conversation's latest message, for a network that threads (email's
   * In-Reply-To): set when a part is sent, dropped when the contact's message comes in
   * (`heardFrom`), read from the tables when unknown. A query per part read the conversation's
   * whole history, and each part had to wait for the previous one's record first.
   */
  private readonly latest = new Map<string, string>();

  /** A contact's message was committed: its conversation's latest network id is read afresh. */
  heardFrom(contactId: string): void {
    this.latest.delete(contactId);
  }

  /** Who each conversation is with: a contact's registration and address never change. */
  private readonly conversations = new Map<string, { registrationId: string; legacyAddress: string }>();
  readonly wakeups: Wakeups;
  /** What each conversation has queued, read for every conversation woken at that moment at once. */
  private readonly pendingReads = new GroupCommit<string, OutboxPart[]>(
    async (contactIds) => {
      const found = await this.outbox.pendingMany([...new Set(contactIds)], PENDING_BATCH);
      return contactIds.map((id) => found.get(id) ?? []);
    },
    { maxBatch: 500, parallel: 2 },
  );
  /**
   * Attempts claimed before the network is called (see OutboxStore.markManySending), many to one
   * statement: every conversation being sent at that moment shares the round trip.
   */
  private readonly claims = new GroupCommit<{ id: string; attempts: number }, boolean>(
    async (parts) => {
      const claimed = await this.outbox.markManySending(parts);
      return parts.map((p) => claimed.has(p.id));
    },
    { maxBatch: 500, parallel: 1 },
  );

  /** Conversations whose intake may be claiming their next part right now: their drain waits for it. */
  private readonly claiming = new Set<string>();
  /** Parts an intake queued with the first one claimed, sent without reading the queue. */
  private readonly handed = new Map<string, { parts: OutboxPart[]; lock: object }>();
  /**
   * Conversations whose drain was put off while an intake claimed. What woke it (the sweep, a
   * retry's job, `queue retry` putting failed parts back) may have work the hand-over does not
   * carry, so the queue is read after it. (Two intakes of one conversation never overlap: the
   * XMPP side handles one message per user and contact at a time.)
   */
  private readonly deferred = new Set<string>();

  /**
   * Lets the intake claim a conversation's next part in its insert (OutboxStore.insertUnlessSeen)
   * and hand it here, so the part goes to the network without a read and a claim of its own.
   * Only while this process holds the conversation and no drain of it runs or waits: a drain
   * reading a part claimed that way would take it for one cut off mid-send. Returns the lock's
   * token, which must come back through `queued`.
   */
  reserve(contactId: string): object | undefined {
    if (this.claiming.has(contactId) || this.handed.has(contactId) || !this.wakeups.isIdle(contactId)) return undefined;
    const lock = this.locks.heldToken(outboundJobKey(contactId));
    if (!lock) return undefined;
    this.claiming.add(contactId);
    return lock;
  }

  /** The intake is over for a conversation (see OutboundService): its parts, oldest first. */
  queued(contactId: string, reservation: object | undefined, parts: OutboxPart[]): void {
    if (reservation) {
      this.claiming.delete(contactId);
      if (parts[0]?.state === "sending") this.handed.set(contactId, { parts, lock: reservation });
    }
    if (parts.length > 0 || reservation) this.wakeups.wake(contactId);
  }

  /**
   * Parts handed over by the intake, if the lock has been held all along since (no one else can
   * have read or sent them). Otherwise the queue is read, and the claimed part is checked with
   * the network before it is sent, as after a crash.
   */
  private takeHanded(contactId: string): OutboxPart[] | undefined {
    const handed = this.handed.get(contactId);
    if (!handed) return undefined;
    this.handed.delete(contactId);
    if (this.locks.heldToken(outboundJobKey(contactId)) === handed.lock) return handed.parts;
    this.log.debug({ contact: contactId }, "conversation lock lost since the intake claimed its part; reading the queue");
    return undefined;
  }

  /** Wakes a conversation with queued parts: it is drained in this process as soon as a slot is free. */
  wake(contactId: string): void {
    this.wakeups.wake(contactId);
  }

  /** The job handler's entry (a scheduled retry, a sweep): the same as a local wake-up. */
  async drain(contactId: string): Promise<void> {
    this.wakeups.wake(contactId);
  }

  async stop(): Promise<void> {
    await this.wakeups.stop();
  }

  private async drainNow(contactId: string): Promise<void> {
    const result = await this.locks.with(outboundJobKey(contactId), (held) => this.drainLocked(contactId, held));
    // Another instance has the conversation, or our lock died with its connection mid-drain:
    // look again shortly (the sweep would also find it, later).
    if (!result.locked || result.value === "lost") this.wakeups.later(contactId, 1000);
  }

  private async conversation(contactId: string): Promise<{ registrationId: string; legacyAddress: string } | undefined> {
    const known = this.conversations.get(contactId);
    if (known) return known;
    const contact = await this.contacts.findById(contactId);
    if (!contact) return undefined;
    if (this.conversations.size >= 100_000) this.conversations.clear();
    const found = { registrationId: contact.registrationId, legacyAddress: contact.legacyAddress };
    this.conversations.set(contactId, found);
    return found;
  }

  private async drainLocked(contactId: string, held: () => boolean): Promise<"done" | "lost"> {
    const contact = await this.conversation(contactId);
    if (!contact) return "done";
    const registration = await this.registrations.findById(contact.registrationId);
    if (!registration) return "done";
    const adapter = this.adapters.get(registration.network);
    if (!adapter) {
      this.log.warn({ network: registration.network }, "queued messages for a network that is not enabled");
      return "done";
    }
    const account = this.registrationService.account(registration);
    // Records of sent parts still being written: the next part goes out meanwhile (the network
    // sees the same order; a crash before a record lands leaves the part 'sending', which the
    // next drain checks with the network before sending again).
    const recording: Array<Promise<void>> = [];
    const threads = adapter.capabilities.has("subjects");
    try {
      for (;;) {
        this.wakeups.consume(contactId);
        // An intake is claiming this conversation's next part: it wakes the conversation when done.
        if (this.claiming.has(contactId)) {
          this.deferred.add(contactId);
          return "done";
        }
        const handed = this.takeHanded(contactId);
        if (!handed) this.deferred.delete(contactId); // this read sees whatever was put off
        const parts = handed ?? (await this.pendingReads.submit(contactId));
        if (parts.length === 0) return "done";
        for (const part of parts) {
          // Our lock died with its connection: another drainer may own the conversation now.
          if (!held()) return "lost";
          if (part.nextAttemptAt.getTime() > Date.now()) {
            await this.rearm(contactId, part.nextAttemptAt);
            return "done";
          }
          // These look up network ids of earlier parts: those must be recorded first.
          if (part.replyTo || part.kind !== "message" || (threads && !this.latest.has(contactId))) await settle(recording);
          const claimed = handed !== undefined && part === handed[0];
          const outcome = await this.sendPart(adapter, account, contact.legacyAddress, part, recording, claimed);
          if (outcome === "stop") return "done";
        }
        // The next read must not see parts whose record is still on its way.
        await settle(recording);
        // A short page was all there was, unless a message was queued meanwhile (it wakes us) or
        // a drain was put off while the intake claimed (the hand-over carries its parts only).
        if (parts.length < PENDING_BATCH && !this.deferred.has(contactId) && !this.wakeups.consume(contactId)) return "done";
      }
    } finally {
      await settle(recording);
    }
  }

  /** `claimed`: the part's attempt was claimed when it was queued (its `attempts` counts it already). */
  private async sendPart(adapter: Adapter, account: Account, to: string, part: OutboxPart, recording: Array<Promise<void>>, claimed: boolean): Promise<"next" | "stop"> {
    const attempt = claimed ? part.attempts : part.attempts + 1;
    try {
      const replyTo = part.replyTo ? await this.outbox.networkIdOf(part.contactId, part.replyTo) : undefined;
      const threads = adapter.capabilities.has("subjects");
      const previous = threads ? (this.latest.get(part.contactId) ?? (await this.outbox.lastNetworkId(part.contactId))) : undefined;
      const msg = {
        id: part.id,
        body: part.body ?? "",
        mediaUrls: part.mediaUrls,
        ...(replyTo ? { replyTo } : {}),
        ...(part.subject ? { subject: part.subject } : {}),
        ...(part.thread ? { thread: part.thread } : {}),
        ...(previous ? { previous } : {}),
      };
      if (part.kind !== "message") {
        await this.act(adapter, account, to, part, msg);
        return "next";
      }
      if (!claimed && part.state === "sending" && part.attemptStartedAt && adapter.findSent) {
        // We crashed (or lost the answer) after calling the network: ask it before sending again.
        const found = await adapter.findSent(account, to, msg, part.attemptStartedAt);
        if (found) {
          await this.reports.recordSent(adapter, part, found.networkId, found.delivered ?? false);
          if (threads) this.noteLatest(part.contactId, found.networkId);
          this.log.info({ part: part.id, network: adapter.network }, "found a part sent before a crash; not sending it again");
          return "next";
        }
      }
      if (!claimed && !(await this.claims.submit({ id: part.id, attempts: part.attempts }))) return "stop"; // another drainer has it
      this.log.debug({ part: part.id }, "sending part");
      const sent = await adapter.send(account, to, msg);
      if (threads) this.noteLatest(part.contactId, sent.networkId);
      this.metrics.sent(adapter.network);
      recording.push(recordWithRetry("a sent part", this.log, () => this.reports.recordSent(adapter, part, sent.networkId, sent.delivered ?? false)));
      return "next";
    } catch (err) {
      const error = asGatewayError(err);
      if (error.condition === "internal-server-error") this.log.error({ err, part: part.id }, "sending failed unexpectedly");
      const elapsed = Date.now() - part.createdAt.getTime();
      if (error.retryable && elapsed < this.policy.retryBudgetSeconds * 1000) {
        const delay = this.backoff(attempt, error.retryAfterMs);
        const at = new Date(Date.now() + delay);
        await this.outbox.scheduleRetry(part.id, attempt, at, error.message);
        await this.rearm(part.contactId, at);
        this.metrics.retried(adapter.network);
        this.log.info({ part: part.id, network: adapter.network, delayMs: delay, code: error.networkCode }, "send failed, will retry");
        return "stop";
      }
      await this.fail(adapter, part, error, elapsed);
      return "next";
    }
  }

  private noteLatest(contactId: string, networkId: string): void {
    if (this.latest.size >= 100_000) this.latest.clear();
    this.latest.set(contactId, networkId);
  }

  /** A correction, retraction or reaction: resolved to the network's id of its target now. */
  private async act(adapter: Adapter, account: Account, to: string, part: OutboxPart, msg: OutgoingMessage): Promise<void> {
    const target = part.targetId ? await this.outbox.networkIdOf(part.contactId, part.targetId) : undefined;
    if (!target) {
      throw new GatewayError("item-not-found", `That message never reached ${adapter.identity.name}, so it cannot be changed there.`);
    }
    if (!(await this.claims.submit({ id: part.id, attempts: part.attempts }))) return;
    if (part.kind === "edit") await adapter.edit!(account, to, target, msg);
    else if (part.kind === "retract") await adapter.retract!(account, to, target);
    else await adapter.react!(account, to, target, part.emojis ?? []);
    await this.outbox.markDone(part.id);
  }

  private async fail(adapter: Adapter, part: OutboxPart, error: GatewayError, elapsedMs: number): Promise<void> {
    const text = error.retryable
      ? `Not sent: ${adapter.identity.name} could not be reached for ${Math.round(elapsedMs / 1000)} s (${error.message}).`
      : error.message;
    const condition = error.retryable ? "remote-server-timeout" : error.condition;
    await this.ds.transaction(async (tx) => {
      const changed = await this.outbox.failMessage(tx, part, text, error.networkCode ?? null, error.retryable);
      if (changed === 0) return;
      const contact = await this.contacts.findById(part.contactId, tx);
      await this.inbox.add(tx, {
        registrationId: contact!.registrationId,
        contactId: part.contactId,
        kind: "error",
        payload: { xmppId: part.xmppId, to: part.senderJid, condition, text },
      });
      await JobQueue.add(tx, INBOX_TASK, { registrationId: contact!.registrationId }, inboxJobKey(contact!.registrationId));
    });
    this.metrics.failed(adapter.network);
    this.log.info({ part: part.id, network: adapter.network, code: error.networkCode }, "message failed");
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const exponential = Math.min(this.policy.maxBackoffMs, this.policy.initialBackoffMs * 2 ** (attempt - 1));
    const jittered = exponential * (0.8 + Math.random() * 0.4);
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  private rearm(contactId: string, at: Date): Promise<void> {
    return JobQueue.add(this.ds.manager, OUTBOUND_TASK, { contactId }, outboundJobKey(contactId), { runAt: at });
  }
}

/** Waits for every pending record; the first failure is thrown once all have settled. */
async function settle(recording: Array<Promise<void>>): Promise<void> {
  if (recording.length === 0) return;
  const results = await Promise.allSettled(recording.splice(0));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
