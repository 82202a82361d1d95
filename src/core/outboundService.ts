import type { Logger } from "pino";
import type { Account, Adapter, Capability } from "./adapter.ts";
import { GatewayError } from "./errors.ts";
import { splitBody } from "./splitBody.ts";
import type { RegistrationCache } from "../store/registrationCache.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { NewOutboxMessage, OutboxPart, OutboxStore } from "../store/outbox.ts";
import type { StoredRegistration } from "../store/registrations.ts";

interface IntakeItem {
  registrationId: string;
  legacyAddress: string;
  displayName: string | null;
  message: NewOutboxMessage;
}
import { GroupCommit, repeatsInBatch } from "../store/groupCommit.ts";
import { contactKey } from "../store/contacts.ts";
import { groupByKey } from "../store/sql.ts";
import type { RateLimiter } from "./rateLimiter.ts";

/** A message the user sent to a contact, already parsed from XMPP. */
export interface OutgoingRequest {
  userJid: string;
  /** The sending client's full JID, where an error about this message must go. */
  senderJid: string;
  /** The contact as addressed by the user (the JID localpart, unescaped). */
  to: string;
  body: string;
  mediaUrls: string[];
  xmppId: string | null;
  wantReceipt: boolean;
  /** The XMPP id of the message this one replies to (XEP-0461). */
  replyTo?: string;
  subject?: string;
  thread?: string;
  /** Instead of a new message: an action on an earlier one (XMPP id of the target). */
  action?: { kind: "edit" | "retract"; targetId: string } | { kind: "react"; targetId: string; emojis: string[] };
}

export const OUTBOUND_TASK = "outbound";
/** One user message never turns into more network messages than this (16,000 SMS characters). */
export const MAX_PARTS = 10;
export const outboundJobKey = (contactId: string) => `out:${contactId}`;

/** What the intake tells the conversations' senders (OutboundWorker). */
export interface OutboundQueue {
  /** A token when the intake may claim the conversation's next part itself (OutboundWorker.reserve). */
  reserve(contactId: string): object | undefined;
  /** The intake is over for a conversation: what went in for it, oldest first (nothing if it failed). */
  queued(contactId: string, reservation: object | undefined, parts: OutboxPart[]): void;
}

/** Accepting a user's message: it is accepted once it is committed to the outbox. */
export class OutboundService {
  constructor(
    private readonly registrations: RegistrationCache,
    private readonly contacts: ContactStore,
    private readonly outbox: OutboxStore,
    private readonly limits: Map<string, RateLimiter>,
    private readonly accountOf: (registration: StoredRegistration) => Account,
    private readonly log: Logger,
    private readonly senders: OutboundQueue,
  ) {}

  private readonly intake = new GroupCommit<IntakeItem, "accepted" | "duplicate">((items) => this.commit(items), { maxBatch: 500, parallel: 2 });

  /** Returns "duplicate" for a resend of an already accepted message id. */
  async accept(adapter: Adapter, req: OutgoingRequest): Promise<"accepted" | "duplicate"> {
    const registration = await this.registrations.find(req.userJid, adapter.network);
    if (!registration) {
      throw new GatewayError("registration-required", "You must register with this gateway before sending messages.");
    }
    if (registration.state === "broken") {
      throw new GatewayError("not-authorized", `Your ${adapter.network} account needs attention: ${registration.stateReason ?? "re-register"}.`);
    }
    const limiter = this.limits.get(adapter.network);
    const key = `${req.userJid} ${adapter.network}`;
    if (limiter && !limiter.take(key)) {
      throw new GatewayError(
        "resource-constraint",
        `You are sending messages faster than this gateway allows; try again in ${limiter.retryAfterSeconds(key)} s. This message was not sent.`,
      );
    }
    const parsed = adapter.parseAddress(req.to, this.accountOf(registration));
    if (!parsed.ok) throw new GatewayError("item-not-found", parsed.reason);
    const message = this.shape(adapter, req);
    const result = await this.intake.submit({
      registrationId: registration.id,
      legacyAddress: parsed.address,
      displayName: adapter.displayName(parsed.address),
      message,
    });
    this.log.debug({ user: req.userJid, network: adapter.network, kind: message.kind, parts: message.bodies.length, result }, "outgoing message");
    return result;
  }

  /**
   * Commits everything accepted while the previous commit ran, in one statement: the contacts
   * are known ids (asked for only when new), the resend check is part of the insert. The
   * conversations are woken once it is committed (the sweep finds them if this process dies first).
   */
  private async commit(items: IntakeItem[]): Promise<Array<"accepted" | "duplicate">> {
    try {
      return await this.commitOnce(items);
    } catch (err) {
      // A remembered contact was deleted meanwhile (by the CLI, another instance): the insert
      // failed on its foreign key, nothing was written. Look the contacts up again, once.
      if ((err as { code?: string }).code !== "23503") throw err;
      this.contacts.forget();
      return await this.commitOnce(items);
    }
  }

  private async commitOnce(items: IntakeItem[]): Promise<Array<"accepted" | "duplicate">> {
    const contacts = await this.contacts.resolveMany(items);
    const contactIds = items.map((i) => contacts.get(contactKey(i.registrationId, i.legacyAddress))!);
    // A resend inside the same batch: only its first copy goes to the database.
    const batchDuplicate = repeatsInBatch(items.map((i, n) => (i.message.xmppId ? `${contactIds[n]} ${i.message.xmppId}` : undefined)));
    // A conversation's first message in the batch may have its first part claimed by the insert.
    const reservations = new Map<string, object | undefined>();
    const queued = items.flatMap((i, n) => {
      if (batchDuplicate[n]) return [];
      const contactId = contactIds[n]!;
      let claim = false;
      if (!reservations.has(contactId)) {
        const plain = (i.message.kind ?? "message") === "message";
        const reservation = plain ? this.senders.reserve(contactId) : undefined;
        reservations.set(contactId, reservation);
        claim = reservation !== undefined;
      }
      return [{ contactId, message: i.message, claim }];
    });
    let parts: OutboxPart[];
    try {
      parts = await this.outbox.insertUnlessSeen(queued);
    } catch (err) {
      for (const [contactId, reservation] of reservations) this.senders.queued(contactId, reservation, []);
      throw err;
    }
    const byContact = groupByKey([...reservations.keys()], parts, (part) => part.contactId);
    const inserted = new Set(parts.map((p) => `${p.contactId} ${p.xmppId}`));
    const results = items.map((i, n): "accepted" | "duplicate" =>
      batchDuplicate[n] || (i.message.xmppId !== null && !inserted.has(`${contactIds[n]} ${i.message.xmppId}`)) ? "duplicate" : "accepted",
    );
    for (const [contactId, reservation] of reservations) this.senders.queued(contactId, reservation, byContact.get(contactId)!);
    return results;
  }

  /** What to queue for the request, given what the network can carry. */
  private shape(adapter: Adapter, req: OutgoingRequest): NewOutboxMessage {
    const can = (c: Capability) => adapter.capabilities.has(c);
    const common = { xmppId: req.xmppId, senderJid: req.senderJid, wantReceipt: req.wantReceipt };
    const action = req.action;
    if (action?.kind === "retract") {
      if (!can("retractions")) throw new GatewayError("feature-not-implemented", `${adapter.identity.name} cannot delete a message once it is sent.`);
      return { ...common, kind: "retract", targetId: action.targetId, bodies: [""], mediaUrls: [] };
    }
    if (action?.kind === "react") {
      if (!can("reactions")) throw new GatewayError("feature-not-implemented", `${adapter.identity.name} cannot carry reactions.`);
      return { ...common, kind: "react", targetId: action.targetId, emojis: action.emojis, bodies: [""], mediaUrls: [] };
    }
    // Without attachments the links go in the text; without edits a correction is a new message.
    const body = can("attachments") || req.mediaUrls.length === 0 ? req.body : [req.body, ...req.mediaUrls].filter((t) => t).join("\n");
    const mediaUrls = can("attachments") ? req.mediaUrls : [];
    if (body.length === 0 && mediaUrls.length === 0) throw new GatewayError("bad-request", "The message has no body to send.");
    const edit = action?.kind === "edit" && can("edits");
    const bodies = body.length > 0 ? (edit ? [body.slice(0, adapter.maxBodyLength)] : splitBody(body, adapter.maxBodyLength)) : [""];
    if (bodies.length > MAX_PARTS) {
      throw new GatewayError(
        "not-acceptable",
        `This message is too long for ${adapter.identity.name}: it would be sent as ${bodies.length} separate messages, and the most sent for one is ${MAX_PARTS}. Nothing was sent.`,
      );
    }
    return {
      ...common,
      kind: edit ? "edit" : "message",
      targetId: edit ? action.targetId : null,
      bodies,
      mediaUrls: edit ? [] : mediaUrls,
      replyTo: can("replies") ? (req.replyTo ?? null) : null,
      subject: can("subjects") ? (req.subject ?? null) : null,
      thread: can("subjects") ? (req.thread ?? null) : null,
    };
  }

  /** A chat state: passed straight on, best effort (never queued, never retried). */
  async typing(adapter: Adapter, userJid: string, to: string, state: "composing" | "paused" | "active"): Promise<void> {
    if (!adapter.capabilities.has("typing") || !adapter.typing) return;
    const registration = await this.registrations.find(userJid, adapter.network);
    if (!registration || registration.state !== "active") return;
    const account = this.accountOf(registration);
    const parsed = adapter.parseAddress(to, account);
    if (!parsed.ok) return;
    try {
      await adapter.typing(account, parsed.address, state);
    } catch (err) {
      this.log.debug({ err, network: adapter.network }, "typing notification not passed on");
    }
  }
}
