import type { Logger } from "pino";
import type { NetworkName } from "./adapter.ts";
import type { ErrorCondition } from "./errors.ts";
import type { UserEvent, UserLink } from "./userLink.ts";
import type { RegistrationCache } from "../store/registrationCache.ts";
import { Wakeups } from "../queue/wakeups.ts";
import { GroupCommit } from "../store/groupCommit.ts";
import type { InboxEvent, InboxStore } from "../store/inbox.ts";
import type { ConversationLocks } from "../queue/conversationLock.ts";
import { recordWithRetry } from "../store/retry.ts";
import { inboxJobKey } from "./inboundService.ts";

/** Events read per query while draining a registration. */
const PENDING_BATCH = 100;

/**
 * Passes a registration's inbox to its XMPP client in order. While the component link is down it
 * leaves everything in place; the link coming back re-arms every registration with pending events.
 */
export class InboxWorker {
  constructor(
    private readonly locks: ConversationLocks,
    private readonly registrations: RegistrationCache,
    private readonly inbox: InboxStore,
    private readonly link: UserLink,
    private readonly log: Logger,
    concurrency: number,
  ) {
    this.wakeups = new Wakeups("passing events to XMPP", (id) => this.drainNow(id), concurrency, log);
  }

  readonly wakeups: Wakeups;
  /** Pending events, read for every registration woken at that moment at once. */
  private readonly pendingReads = new GroupCommit<string, InboxEvent[]>(
    async (ids) => {
      const found = await this.inbox.pendingMany([...new Set(ids)], PENDING_BATCH);
      return ids.map((id) => found.get(id) ?? []);
    },
    { maxBatch: 500, parallel: 2 },
  );
  /** Events passed to XMPP, recorded for every registration at that moment in one statement. */
  private readonly delivered = new GroupCommit<string[], true>(
    async (batches) => {
      await this.inbox.markDelivered(batches.flat());
      return batches.map(() => true as const);
    },
    { maxBatch: 500, parallel: 2 },
  );

  /** Wakes a registration with pending events: drained in this process as soon as a slot is free. */
  wake(registrationId: string): void {
    this.wakeups.wake(registrationId);
  }

  /** The job handler's entry: the same as a local wake-up. */
  async drain(registrationId: string): Promise<void> {
    this.wakeups.wake(registrationId);
  }

  async stop(): Promise<void> {
    await this.wakeups.stop();
  }

  private async drainNow(registrationId: string): Promise<void> {
    const result = await this.locks.with(inboxJobKey(registrationId), (held) => this.drainLocked(registrationId, held));
    if (!result.locked || result.value === "lost") this.wakeups.later(registrationId, 500);
  }

  private async drainLocked(registrationId: string, held: () => boolean): Promise<"done" | "lost"> {
    const registration = await this.registrations.findById(registrationId);
    if (!registration) return "done";
    for (;;) {
      // While the link is down everything stays; the link coming back resumes every registration.
      if (!this.link.isUp(registration.network)) return "done";
      if (!held()) return "lost";
      this.wakeups.consume(registrationId);
      const events = await this.pendingReads.submit(registrationId);
      if (events.length === 0) return "done";
      const deliverable = events.filter(hasSender);
      if (deliverable.length < events.length) {
        this.log.warn({ registrationId, network: registration.network, dropped: events.length - deliverable.length }, "events from a contact with no address dropped");
      }
      try {
        await this.link.deliver(registration.network, registration.userJid, deliverable.map(toUserEvent));
      } catch (err) {
        // The link went down since the check above (our own shutdown, the XMPP server restarting):
        // not a failure of this drain. The events stay pending; the link coming back resumes them.
        if (!this.link.isUp(registration.network)) return "done";
        throw err;
      }
      await recordWithRetry("delivered events", this.log, () => this.delivered.submit(events.map((e) => e.id)));
      if (events.length < PENDING_BATCH && !this.wakeups.consume(registrationId)) return "done";
    }
  }

  /** Re-arms delivery for every registration with pending events (startup, link back up). */
  async resume(network?: NetworkName): Promise<void> {
    for (const id of await this.inbox.dueRegistrations(network)) this.wake(id);
    this.log.debug({ network }, "inbox delivery resumed");
  }
}

/**
 * Whether the event can be said to come from someone: a contact's event needs its address as
 * the JID localpart, and a stanza from "@domain" makes the XMPP server close the component link
 * for every user. Such an event is passed over (and marked delivered) instead of blocking the inbox.
 */
function hasSender(e: InboxEvent): boolean {
  return e.kind === "notice" || e.kind === "account-broken" || (e.legacyAddress ?? "") !== "";
}

function toUserEvent(e: InboxEvent): UserEvent {
  const from = e.legacyAddress ?? "";
  const p = e.payload;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  switch (e.kind) {
    case "message":
      return {
        kind: "message",
        from,
        body: e.body ?? "",
        mediaUrls: (p.mediaUrls as string[] | undefined) ?? [],
        stanzaId: e.stanzaId,
        receivedAt: new Date(e.receivedAt),
        replyTo: str(p.replyTo),
        subject: str(p.subject),
        thread: str(p.thread),
      };
    case "subscribe":
      return { kind: "subscribe", from, nick: String(p.nick ?? from) };
    case "receipt":
      return { kind: "receipt", from, xmppId: String(p.xmppId) };
    case "error":
      return { kind: "error", from, to: str(p.to) ?? null, xmppId: str(p.xmppId) ?? null, condition: p.condition as ErrorCondition, text: String(p.text) };
    case "edit":
      return { kind: "edit", from, targetId: String(p.targetId), body: e.body ?? "", stanzaId: e.stanzaId };
    case "reaction":
      return { kind: "reaction", from, targetId: String(p.targetId), emojis: (p.emojis as string[] | undefined) ?? [], stanzaId: e.stanzaId };
    case "retraction":
      return { kind: "retraction", from, targetId: String(p.targetId), stanzaId: e.stanzaId };
    case "account-broken":
      return { kind: "account-broken", reason: e.body ?? "", stanzaId: e.stanzaId };
    case "notice":
      return { kind: "notice", body: e.body ?? "", stanzaId: e.stanzaId, receivedAt: new Date(e.receivedAt) };
  }
}
