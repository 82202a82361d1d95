import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Adapter, NetworkName } from "./adapter.ts";
import { GatewayError } from "./errors.ts";
import type { UserLink } from "./userLink.ts";
import { RegistrationService, type AccessPolicy } from "./registrationService.ts";
import { ContactService } from "./contactService.ts";
import { OutboundService, OUTBOUND_TASK } from "./outboundService.ts";
import { OutboundWorker, type OutboundMetrics, type RetryPolicy } from "./outboundWorker.ts";
import { InboundService, INBOX_TASK, type InboundMetrics } from "./inboundService.ts";
import { InboxWorker } from "./inboxWorker.ts";
import { DeliveryReports } from "./deliveryReports.ts";
import { RateLimiter } from "./rateLimiter.ts";
import { RegistrationStore } from "../store/registrations.ts";
import { ContactStore } from "../store/contacts.ts";
import { OutboxStore } from "../store/outbox.ts";
import { InboxStore } from "../store/inbox.ts";
import { MediaStore } from "../store/media.ts";
import { RegistrationCache } from "../store/registrationCache.ts";
import type { TaskHandler } from "../queue/jobQueue.ts";
import type { ConversationLocks } from "../queue/conversationLock.ts";
import type { SecretBox } from "../crypto/secretBox.ts";

export interface GatewayDeps {
  ds: DataSource;
  adapters: Adapter[];
  secrets: SecretBox;
  access: AccessPolicy;
  retry: RetryPolicy;
  link: UserLink;
  locks: ConversationLocks;
  /** Conversations sent at once, and registrations passed to XMPP at once (delivery.concurrency). */
  concurrency: number;
  /** Outgoing messages per user per minute, by network (absent: no limit). */
  rateLimits: Partial<Record<NetworkName, number>>;
  metrics: OutboundMetrics & InboundMetrics;
  /** The gateway's public base URL (http.publicUrl), for links to served media. */
  publicUrl: string | undefined;
  log: Logger;
}

/** The network-neutral gateway: every service over the shared stores, for every enabled network. */
export class Gateway {
  readonly adapters: Map<NetworkName, Adapter>;
  readonly registrationStore: RegistrationStore;
  readonly outboxStore: OutboxStore;
  readonly inboxStore: InboxStore;
  readonly mediaStore: MediaStore;
  readonly registrations: RegistrationService;
  readonly contacts: ContactService;
  readonly outbound: OutboundService;
  readonly inbound: InboundService;
  readonly outboundWorker: OutboundWorker;
  readonly inboxWorker: InboxWorker;
  private readonly log: Logger;
  private readonly publicUrl: string | undefined;
  /** Registrations as the message paths read them (store/registrationCache.ts). */
  private readonly cache: RegistrationCache;

  constructor(deps: GatewayDeps) {
    const { ds, log } = deps;
    this.log = log;
    this.publicUrl = deps.publicUrl;
    this.adapters = new Map(deps.adapters.map((a) => [a.network, a]));
    this.registrationStore = new RegistrationStore(ds);
    const cache = (this.cache = new RegistrationCache(this.registrationStore));
    const contactStore = new ContactStore(ds);
    // Removing a registration removes its contacts (cascade).
    this.registrationStore.onChange(() => contactStore.forget());
    this.outboxStore = new OutboxStore(ds);
    this.inboxStore = new InboxStore(ds);
    this.registrations = new RegistrationService(this.registrationStore, contactStore, deps.secrets, deps.access, log);
    this.contacts = new ContactService(this.registrationStore, contactStore, (r) => this.registrations.account(r));
    const limiters = new Map(Object.entries(deps.rateLimits).filter(([, perMinute]) => perMinute !== undefined).map(([network, perMinute]) => [network, new RateLimiter(perMinute!)]));
    this.outbound = new OutboundService(cache, contactStore, this.outboxStore, limiters, (r) => this.registrations.account(r), log, {
      reserve: (id) => this.outboundWorker.reserve(id),
      queued: (id, reservation, parts) => this.outboundWorker.queued(id, reservation, parts),
    });
    const reports = new DeliveryReports(ds, contactStore, this.outboxStore, this.inboxStore, (id) => this.inboxWorker.wake(id));
    this.mediaStore = new MediaStore(ds);
    this.inbound = new InboundService({
      ds,
      registrations: this.registrationStore,
      contacts: contactStore,
      inbox: this.inboxStore,
      media: this.mediaStore,
      reports,
      link: deps.link,
      metrics: deps.metrics,
      publicUrl: deps.publicUrl,
      log,
      cache,
      wakeInbox: (id) => this.inboxWorker.wake(id),
      heardFrom: (id) => this.outboundWorker.heardFrom(id),
    });
    this.outboundWorker = new OutboundWorker(
      ds, deps.locks, this.adapters, cache, this.registrations, contactStore, this.outboxStore, this.inboxStore, reports, deps.retry, deps.metrics, log, deps.concurrency,
    );
    this.inboxWorker = new InboxWorker(deps.locks, cache, this.inboxStore, deps.link, log, deps.concurrency);
  }

  adapter(network: NetworkName): Adapter {
    const adapter = this.adapters.get(network);
    if (!adapter) throw new GatewayError("service-unavailable", `The ${network} network is not enabled.`);
    return adapter;
  }

  /** The job handlers the queue runs. */
  tasks(): Record<string, TaskHandler> {
    return {
      [OUTBOUND_TASK]: (p) => this.outboundWorker.drain(String(p.contactId)),
      [INBOX_TASK]: (p) => this.inboxWorker.drain(String(p.registrationId)),
    };
  }

  /** Starts every adapter, then opens every active registration that receives by itself. */
  async startAdapters(): Promise<void> {
    for (const adapter of this.adapters.values()) {
      await adapter.start({
        sink: this.inbound.sinkFor(adapter),
        // Asked for every webhook and every mail's recipient: read through the cache.
        findAccount: async (legacyAccountId) => {
          const r = await this.cache.findByAccount(adapter.network, legacyAccountId);
          return r ? this.registrations.account(r) : undefined;
        },
        saveCursor: (legacyAccountId, cursor) => this.registrationStore.saveCursor(adapter.network, legacyAccountId, cursor),
        accountBroken: (legacyAccountId, reason) => this.inbound.accountBroken(adapter, legacyAccountId, reason),
        publicUrl: this.publicUrl,
        log: this.log.child({ network: adapter.network }),
      });
      if (!adapter.openAccount) continue;
      for (const r of await this.registrationStore.list(adapter.network)) {
        if (r.state !== "active") continue;
        await adapter.openAccount(this.registrations.account(r)).catch((err) => this.log.warn({ err, network: adapter.network }, "could not open an account"));
      }
    }
  }

  async stopAdapters(): Promise<void> {
    for (const adapter of this.adapters.values()) await adapter.stop();
  }

  /**
   * Re-arms wake-ups for all due work. Jobs are only wake-ups, so this makes the tables the truth
   * after a crash (a killed worker's jobs stay locked in the queue for hours).
   */
  async sweep(): Promise<void> {
    for (const contactId of await this.outboxStore.dueConversations()) this.outboundWorker.wake(contactId);
    await this.inboxWorker.resume();
  }

  /** Starts no new drains and waits for those running. */
  async stopWorkers(): Promise<void> {
    await Promise.all([this.outboundWorker.stop(), this.inboxWorker.stop()]);
  }
}
