import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Adapter } from "./adapter.ts";
import { GatewayError } from "./errors.ts";
import { splitBody } from "./splitBody.ts";
import type { RegistrationStore } from "../store/registrations.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { OutboxStore } from "../store/outbox.ts";
import { JobQueue } from "../queue/jobQueue.ts";
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
}

export const OUTBOUND_TASK = "outbound";
export const outboundJobKey = (contactId: string) => `out:${contactId}`;

/** Accepting a user's message: it is accepted once it is committed to the outbox. */
export class OutboundService {
  constructor(
    private readonly ds: DataSource,
    private readonly registrations: RegistrationStore,
    private readonly contacts: ContactStore,
    private readonly outbox: OutboxStore,
    private readonly limits: Map<string, RateLimiter>,
    private readonly log: Logger,
  ) {}

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
    const parsed = adapter.parseAddress(req.to);
    if (!parsed.ok) throw new GatewayError("item-not-found", parsed.reason);
    if (req.body.length === 0 && req.mediaUrls.length === 0) {
      throw new GatewayError("bad-request", "The message has no body to send.");
    }
    const bodies = req.body.length > 0 ? splitBody(req.body, adapter.maxBodyLength) : [""];
    const result = await this.ds.transaction(async (tx) => {
      const { contact } = await this.contacts.ensure(tx, registration.id, parsed.address, adapter.displayName(parsed.address));
      if (req.xmppId && (await this.outbox.seen(tx, contact.id, req.xmppId))) return "duplicate" as const;
      await this.outbox.insertParts(tx, contact.id, { xmppId: req.xmppId, senderJid: req.senderJid, bodies, mediaUrls: req.mediaUrls, wantReceipt: req.wantReceipt });
      await JobQueue.add(tx, OUTBOUND_TASK, { contactId: contact.id }, outboundJobKey(contact.id), { preserveRunAt: true });
      return "accepted" as const;
    });
    this.log.debug({ user: req.userJid, network: adapter.network, parts: bodies.length, result }, "outgoing message");
    return result;
  }
}
