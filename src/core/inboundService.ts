import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { AcceptResult, Adapter, DeliveryReport, IncomingMessage, InboundSink } from "./adapter.ts";
import type { RegistrationStore } from "../store/registrations.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { InboxStore } from "../store/inbox.ts";
import type { DeliveryReports } from "./deliveryReports.ts";
import { JobQueue } from "../queue/jobQueue.ts";

export const INBOX_TASK = "inbox";
export const inboxJobKey = (registrationId: string) => `in:${registrationId}`;

export interface InboundMetrics {
  received(network: string, result: AcceptResult): void;
}

/**
 * What networks tell us: messages from contacts and reports on what we sent. Each call commits
 * before it returns, so an adapter acknowledges its network only for what is safely stored.
 */
export class InboundService {
  constructor(
    private readonly ds: DataSource,
    private readonly registrations: RegistrationStore,
    private readonly contacts: ContactStore,
    private readonly inbox: InboxStore,
    private readonly reports: DeliveryReports,
    private readonly metrics: InboundMetrics,
    private readonly log: Logger,
  ) {}

  sinkFor(adapter: Adapter): InboundSink {
    return {
      message: (msg) => this.message(adapter, msg),
      report: (report) => this.report(adapter, report),
    };
  }

  async message(adapter: Adapter, msg: IncomingMessage): Promise<AcceptResult> {
    const network = adapter.network;
    const result = await this.ds.transaction(async (tx): Promise<AcceptResult> => {
      if (!(await this.inbox.claimKey(tx, network, msg.key))) return "duplicate";
      const registration = await this.registrations.findByAccount(network, msg.account, tx);
      if (!registration) {
        await this.inbox.addUnroutable(tx, network, msg.account, msg.from, msg.body, { mediaUrls: msg.mediaUrls, networkId: msg.networkId });
        return "unroutable";
      }
      const nick = msg.fromName ?? adapter.displayName(msg.from);
      const { contact, created } = await this.contacts.ensure(tx, registration.id, msg.from, nick);
      if (created) {
        await this.inbox.add(tx, { registrationId: registration.id, contactId: contact.id, kind: "subscribe", payload: { nick } });
      }
      await this.inbox.add(tx, {
        registrationId: registration.id,
        contactId: contact.id,
        kind: "message",
        networkId: msg.networkId,
        body: msg.body,
        payload: { mediaUrls: msg.mediaUrls },
      });
      await JobQueue.add(tx, INBOX_TASK, { registrationId: registration.id }, inboxJobKey(registration.id));
      return "accepted";
    });
    this.metrics.received(network, result);
    if (result === "unroutable") {
      this.log.warn({ network, account: msg.account }, "message for an account nobody has registered; kept as unroutable");
    } else {
      this.log.debug({ network, result }, "incoming message");
    }
    return result;
  }

  report(adapter: Adapter, report: DeliveryReport): Promise<void> {
    return this.reports.apply(adapter, report);
  }
}
