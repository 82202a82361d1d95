import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { NetworkName } from "./adapter.ts";
import type { ErrorCondition } from "./errors.ts";
import type { UserEvent, UserLink } from "./userLink.ts";
import type { RegistrationStore } from "../store/registrations.ts";
import type { InboxEvent, InboxStore } from "../store/inbox.ts";
import type { ConversationLocks } from "../queue/conversationLock.ts";
import { JobQueue } from "../queue/jobQueue.ts";
import { recordWithRetry } from "../store/retry.ts";
import { INBOX_TASK, inboxJobKey } from "./inboundService.ts";

/**
 * Passes a registration's inbox to its XMPP client in order. While the component link is down it
 * leaves everything in place; the link coming back re-arms every registration with pending events.
 */
export class InboxWorker {
  constructor(
    private readonly ds: DataSource,
    private readonly locks: ConversationLocks,
    private readonly registrations: RegistrationStore,
    private readonly inbox: InboxStore,
    private readonly link: UserLink,
    private readonly log: Logger,
  ) {}

  /** Registrations being drained in this process (see OutboundWorker.active). */
  private readonly active = new Set<string>();

  async drain(registrationId: string): Promise<void> {
    if (this.active.has(registrationId)) {
      return JobQueue.add(this.ds.manager, INBOX_TASK, { registrationId }, inboxJobKey(registrationId), { runAt: new Date(Date.now() + 500) });
    }
    this.active.add(registrationId);
    let result: Awaited<ReturnType<ConversationLocks["with"]>>;
    try {
      result = await this.locks.with(inboxJobKey(registrationId), (held) => this.drainLocked(registrationId, held));
    } finally {
      this.active.delete(registrationId);
    }
    if (!result.locked) {
      await JobQueue.add(this.ds.manager, INBOX_TASK, { registrationId }, inboxJobKey(registrationId), { runAt: new Date(Date.now() + 500) });
    }
  }

  private async drainLocked(registrationId: string, held: () => boolean): Promise<void> {
    const registration = await this.registrations.findById(registrationId);
    if (!registration) return;
    for (;;) {
      if (!this.link.isUp(registration.network) || !held()) return;
      const events = await this.inbox.pending(registrationId);
      if (events.length === 0) return;
      await this.link.deliver(registration.network, registration.userJid, events.map(toUserEvent));
      await recordWithRetry("delivered events", this.log, () => this.inbox.markDelivered(events.map((e) => e.id)));
    }
  }

  /** Re-arms delivery for every registration with pending events (startup, link back up). */
  async resume(network?: NetworkName): Promise<void> {
    for (const id of await this.inbox.dueRegistrations(network)) {
      await JobQueue.add(this.ds.manager, INBOX_TASK, { registrationId: id }, inboxJobKey(id));
    }
    this.log.debug({ network }, "inbox delivery resumed");
  }
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
