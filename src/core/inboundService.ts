import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import type { AcceptResult, Adapter, IncomingAttachment, IncomingEvent, IncomingMessage, InboundSink } from "./adapter.ts";
import type { UserLink } from "./userLink.ts";
import type { RegistrationStore, StoredRegistration } from "../store/registrations.ts";
import type { ContactStore, StoredContact } from "../store/contacts.ts";
import type { InboxStore } from "../store/inbox.ts";
import type { MediaStore } from "../store/media.ts";
import { JobQueue } from "../queue/jobQueue.ts";
import { GroupCommit, repeatsInBatch } from "../store/groupCommit.ts";
import { contactKey } from "../store/contacts.ts";
import type { RegistrationCache } from "../store/registrationCache.ts";
import { capBody, cleanText } from "./text.ts";
import type { DeliveryReports } from "./deliveryReports.ts";

export const INBOX_TASK = "inbox";
export const inboxJobKey = (registrationId: string) => `in:${registrationId}`;

export interface InboundMetrics {
  received(network: string, result: AcceptResult): void;
}

export interface InboundDeps {
  ds: DataSource;
  registrations: RegistrationStore;
  contacts: ContactStore;
  inbox: InboxStore;
  media: MediaStore;
  reports: DeliveryReports;
  link: UserLink;
  metrics: InboundMetrics;
  /** The gateway's public base URL, for links to served media. */
  publicUrl: string | undefined;
  log: Logger;
  /** Registrations as the message path reads them. */
  cache: RegistrationCache;
  /** Called once a registration has newly committed events. */
  wakeInbox: (registrationId: string) => void;
  /** Called once a contact's message is committed (the latest message of that conversation changed). */
  heardFrom?: (contactId: string) => void;
}

interface IntakeItem {
  adapter: Adapter;
  registration: StoredRegistration;
  msg: IncomingMessage;
}

/**
 * What networks tell us: messages and other events from contacts, and reports on what we sent.
 * Each call commits before it returns, so an adapter acknowledges its network only for what is
 * safely stored; the network's unique key is claimed in the same transaction (exactly once).
 */
export class InboundService {
  constructor(private readonly d: InboundDeps) {}

  sinkFor(adapter: Adapter): InboundSink {
    return {
      message: (msg) => this.message(adapter, msg),
      event: (event) => this.event(adapter, event),
      report: (report) => this.d.reports.apply(adapter, report),
    };
  }

  async message(adapter: Adapter, raw: IncomingMessage): Promise<AcceptResult> {
    const network = adapter.network;
    const msg = cleanMessage(raw);
    const result = await this.inOrder(`${network} ${msg.account}`, async (submitted, earlier) => {
      // Plain messages for a known account go in batches; attachments and replies need lookups of
      // their own, and an unknown account is rare enough to take the one-by-one path.
      const plain = (msg.attachments ?? []).length === 0 && !msg.replyTo;
      const registration = plain ? await this.d.cache.findByAccount(network, msg.account) : undefined;
      if (!registration) {
        // Its own transaction would overtake earlier messages still in the intake's queue.
        await earlier;
        return this.messageAlone(adapter, msg);
      }
      const committed = this.intake.submit({ adapter, registration, msg });
      // In the intake's queue now, behind everything submitted before: the next may go.
      submitted();
      return committed;
    });
    this.d.metrics.received(network, result);
    if (result === "unroutable") {
      this.d.log.warn({ network, account: msg.account }, "message for an account nobody has registered; kept as unroutable");
    }
    return result;
  }

  /** Commits every plain message that arrived while the previous commit ran, all at once. */
  private async commit(items: IntakeItem[]): Promise<AcceptResult[]> {
    return (await this.commitKnownContacts(items)) ?? (await this.commitCreatingContacts(items));
  }

  /**
   * The usual batch: every sender is a contact this process knows the id of, so keys and
   * messages go in as one statement. Undefined when a contact is new (or was deleted meanwhile):
   * the batch then takes the transaction below, which creates and announces contacts.
   */
  private async commitKnownContacts(items: IntakeItem[]): Promise<AcceptResult[] | undefined> {
    const contactIds: string[] = [];
    for (const i of items) {
      const id = this.d.contacts.knownId(i.registration.id, i.msg.from);
      if (!id) return undefined;
      contactIds.push(id);
    }
    // A repeat within the batch is a duplicate: only a key's first message goes to the database.
    const firstOfKey = repeatsInBatch(items.map((i) => `${i.adapter.network} ${i.msg.key}`)).map((repeat) => !repeat);
    let claimed: Set<string>;
    try {
      claimed = await this.d.inbox.addMessagesClaimingKeys(
        items.flatMap((i, n) =>
          firstOfKey[n]
            ? [{
                network: i.adapter.network,
                key: i.msg.key,
                registrationId: i.registration.id,
                contactId: contactIds[n]!,
                networkId: i.msg.networkId,
                body: i.msg.body,
                payload: { mediaUrls: i.msg.mediaUrls, subject: i.msg.subject, thread: i.msg.thread },
              }]
            : [],
        ),
      );
    } catch (err) {
      if ((err as { code?: string }).code !== "23503") throw err;
      this.d.contacts.forget();
      return undefined;
    }
    const results = items.map((i, n): AcceptResult => (firstOfKey[n] && claimed.has(`${i.adapter.network} ${i.msg.key}`) ? "accepted" : "duplicate"));
    for (const id of new Set(items.filter((_, n) => results[n] === "accepted").map((i) => i.registration.id))) this.d.wakeInbox(id);
    for (const id of new Set(contactIds.filter((_, n) => results[n] === "accepted"))) this.d.heardFrom?.(id);
    return results;
  }

  /** In one transaction: the keys, the contacts (announced when new) and the events, a statement each. */
  private async commitCreatingContacts(items: IntakeItem[]): Promise<AcceptResult[]> {
    const woken = new Set<string>();
    const heard = new Set<string>();
    const results = await this.d.ds.transaction(async (tx) => {
      woken.clear();
      heard.clear();
      const claimed = await this.d.inbox.claimKeys(tx, [...new Map(items.map((i) => [`${i.adapter.network} ${i.msg.key}`, { network: i.adapter.network, key: i.msg.key }])).values()]);
      const fresh = items.map((i) => claimed.delete(`${i.adapter.network} ${i.msg.key}`)); // a repeat within the batch is a duplicate too
      const nick = (i: IntakeItem) => i.msg.fromName ?? i.adapter.displayName(i.msg.from);
      const taken = items.filter((_, n) => fresh[n]);
      const contacts = await this.d.contacts.ensureMany(
        tx,
        taken.map((i) => ({ registrationId: i.registration.id, legacyAddress: i.msg.from, displayName: nick(i) })),
      );
      const events: Parameters<InboxStore["addMany"]>[1] = [];
      const announced = new Set<string>();
      for (const i of taken) {
        const contact = contacts.get(contactKey(i.registration.id, i.msg.from))!;
        // Should this transaction fail, the next batch's statement fails on the foreign key and
        // comes back here (commitKnownContacts forgets every remembered id first).
        this.d.contacts.remember(i.registration.id, i.msg.from, contact.id);
        if (contact.created && !announced.has(contact.id)) {
          announced.add(contact.id);
          events.push({ registrationId: i.registration.id, contactId: contact.id, kind: "subscribe", payload: { nick: nick(i) } });
        }
        events.push({
          registrationId: i.registration.id,
          contactId: contact.id,
          kind: "message",
          networkId: i.msg.networkId,
          body: i.msg.body,
          payload: { mediaUrls: i.msg.mediaUrls, subject: i.msg.subject, thread: i.msg.thread },
        });
        woken.add(i.registration.id);
        heard.add(contact.id);
      }
      await this.d.inbox.addMany(tx, events);
      return fresh.map((f): AcceptResult => (f ? "accepted" : "duplicate"));
    });
    for (const id of woken) this.d.wakeInbox(id);
    for (const id of heard) this.d.heardFrom?.(id);
    return results;
  }

  // One batch at a time: batches commit in the order their messages were handed over (see inOrder).
  private readonly intake = new GroupCommit<IntakeItem, AcceptResult>((items) => this.commit(items), { maxBatch: 500, parallel: 1, ordered: true });

  private async messageAlone(adapter: Adapter, msg: IncomingMessage): Promise<AcceptResult> {
    const network = adapter.network;
    let heard: string | undefined;
    const result = await this.d.ds.transaction(async (tx): Promise<AcceptResult> => {
      heard = undefined;
      if (!(await this.d.inbox.claimKey(tx, network, msg.key))) return "duplicate";
      const registration = await this.d.registrations.findByAccount(network, msg.account, tx);
      if (!registration) {
        await this.d.inbox.addUnroutable(tx, network, msg.account, msg.from, msg.body, { mediaUrls: msg.mediaUrls, networkId: msg.networkId });
        return "unroutable";
      }
      const contact = await this.contact(tx, adapter, registration, msg.from, msg.fromName);
      const { urls, notes } = await this.storeAttachments(tx, registration.id, msg.attachments ?? []);
      const body = [msg.body, ...notes].filter((t) => t.length > 0).join("\n");
      const replyTo = msg.replyTo ? await this.d.inbox.xmppIdOf(tx, contact.id, msg.replyTo) : undefined;
      await this.d.inbox.add(tx, {
        registrationId: registration.id,
        contactId: contact.id,
        kind: "message",
        networkId: msg.networkId,
        body,
        payload: { mediaUrls: [...msg.mediaUrls, ...urls], replyTo, subject: msg.subject, thread: msg.thread },
      });
      await wake(tx, registration.id);
      heard = contact.id;
      return "accepted";
    });
    if (heard) this.d.heardFrom?.(heard);
    return result;
  }

  async event(adapter: Adapter, raw: IncomingEvent): Promise<AcceptResult> {
    const event = { ...raw, from: cleanText(raw.from), ...(raw.kind === "edit" ? { body: capBody(cleanText(raw.body)) } : {}) } as IncomingEvent;
    if (event.kind === "typing") return this.typing(adapter, event);
    return this.inOrder(`${adapter.network} ${event.account}`, async (_submitted, earlier) => {
      await earlier;
      return this.eventAlone(adapter, event);
    });
  }

  /**
   * Runs `fn` after every earlier call for the same account has taken its place in the commit
   * order: a batched message once it is in the intake's queue (it calls `submitted`), anything
   * else once committed. The intake flushes one batch at a time, so batched messages commit in
   * call order; a call that commits on its own must first wait for `earlier` (every earlier call
   * of the account settled), or it would overtake messages still in the intake's queue.
   */
  private inOrder<T>(account: string, fn: (submitted: () => void, earlier: Promise<void>) => Promise<T>): Promise<T> {
    const previous = this.turns.get(account) ?? Promise.resolve();
    const earlier = this.settled.get(account) ?? Promise.resolve();
    let pass!: () => void;
    const turn = new Promise<void>((resolve) => (pass = resolve));
    const tail = previous.then(() => turn);
    this.turns.set(account, tail);
    void tail.then(() => {
      if (this.turns.get(account) === tail) this.turns.delete(account);
    });
    const result = previous.then(() => fn(pass, earlier)).finally(pass);
    const done = earlier.then(() => result.then(noop, noop));
    this.settled.set(account, done);
    void done.then(() => {
      if (this.settled.get(account) === done) this.settled.delete(account);
    });
    return result;
  }

  /** Per account, the end of the chain of calls waiting for their turn (see inOrder). */
  private readonly turns = new Map<string, Promise<void>>();
  /** Per account, settles once every call so far has (see inOrder). */
  private readonly settled = new Map<string, Promise<void>>();

  private async eventAlone(adapter: Adapter, event: Exclude<IncomingEvent, { kind: "typing" }>): Promise<AcceptResult> {
    return this.d.ds.transaction(async (tx): Promise<AcceptResult> => {
      if (!(await this.d.inbox.claimKey(tx, adapter.network, event.key))) return "duplicate";
      const registration = await this.d.registrations.findByAccount(adapter.network, event.account, tx);
      if (!registration) return "unroutable";
      const contact = await this.contact(tx, adapter, registration, event.from, undefined);
      const targetId = await this.d.inbox.xmppIdOf(tx, contact.id, event.target);
      if (!targetId) {
        // Acting on something the user never saw through us: an edit still carries its text.
        if (event.kind !== "edit") return "accepted";
        await this.d.inbox.add(tx, { registrationId: registration.id, contactId: contact.id, kind: "message", networkId: null, body: event.body, payload: {} });
      } else {
        const payload =
          event.kind === "reaction" ? { targetId, emojis: event.emojis } : event.kind === "edit" ? { targetId } : { targetId };
        await this.d.inbox.add(tx, {
          registrationId: registration.id,
          contactId: contact.id,
          kind: event.kind,
          body: event.kind === "edit" ? event.body : null,
          payload,
        });
      }
      await wake(tx, registration.id);
      return "accepted";
    });
  }

  private async typing(adapter: Adapter, event: Extract<IncomingEvent, { kind: "typing" }>): Promise<AcceptResult> {
    if (!this.d.link.isUp(adapter.network)) return "accepted";
    const registration = await this.d.registrations.findByAccount(adapter.network, event.account);
    if (!registration) return "unroutable";
    const contact = await this.d.contacts.find(registration.id, event.from);
    if (!contact) return "accepted"; // typing alone never creates a contact
    await this.d.link.deliver(adapter.network, registration.userJid, [{ kind: "typing", from: event.from, state: event.state }]).catch(() => undefined);
    return "accepted";
  }

  /** The network refused an account for good: mark it and tell the user, in order with the rest. */
  async accountBroken(adapter: Adapter, legacyAccountId: string, reason: string): Promise<void> {
    await this.d.ds.transaction(async (tx) => {
      const registration = await this.d.registrations.findByAccount(adapter.network, legacyAccountId, tx);
      if (!registration || registration.state === "broken") return;
      await this.d.registrations.markBroken(registration.id, reason, tx);
      await this.d.inbox.add(tx, { registrationId: registration.id, contactId: null, kind: "account-broken", body: reason, payload: {} });
      await wake(tx, registration.id);
    });
    // Committed now: a read between the update and the commit may have cached the old state.
    this.d.registrations.changed();
    this.d.log.warn({ network: adapter.network }, "account refused by the network; marked broken");
  }

  private async contact(tx: EntityManager, adapter: Adapter, registration: StoredRegistration, address: string, name: string | undefined): Promise<StoredContact> {
    const nick = name ?? adapter.displayName(address);
    const { contact, created } = await this.d.contacts.ensure(tx, registration.id, address, nick);
    if (created) {
      await this.d.inbox.add(tx, { registrationId: registration.id, contactId: contact.id, kind: "subscribe", payload: { nick } });
    }
    return contact;
  }

  private async storeAttachments(tx: EntityManager, registrationId: string, attachments: IncomingAttachment[]): Promise<{ urls: string[]; notes: string[] }> {
    const urls: string[] = [];
    const notes: string[] = [];
    for (const a of attachments) {
      if (!Buffer.isBuffer(a.content)) {
        notes.push(`[${a.fileName}: ${a.content.unavailable}]`);
      } else if (!this.d.publicUrl) {
        notes.push(`[${a.fileName}: not shown, the gateway has no http.publicUrl to serve files from]`);
      } else {
        const token = await this.d.media.add(tx, registrationId, { fileName: a.fileName, contentType: a.contentType, content: a.content });
        urls.push(`${this.d.publicUrl}/media/${token}/${encodeURIComponent(a.fileName)}`);
      }
    }
    return { urls, notes };
  }
}

/** Network text as the store and XMPP can carry it (see text.ts). */
function cleanMessage(msg: IncomingMessage): IncomingMessage {
  const optional = (t: string | undefined) => (t === undefined ? undefined : cleanText(t));
  return {
    ...msg,
    from: cleanText(msg.from),
    body: capBody(cleanText(msg.body)),
    fromName: optional(msg.fromName),
    subject: optional(msg.subject),
    thread: optional(msg.thread),
    mediaUrls: msg.mediaUrls.map(cleanText),
    attachments: msg.attachments?.map((a) => ({ ...a, fileName: cleanText(a.fileName) || "file", contentType: cleanText(a.contentType) })),
  };
}

function wake(tx: EntityManager, registrationId: string): Promise<void> {
  return JobQueue.add(tx, INBOX_TASK, { registrationId }, inboxJobKey(registrationId));
}

function noop(): void {}
