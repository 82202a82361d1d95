/**
 * The contract between the network-neutral core and one network adapter. An adapter translates
 * between the core's neutral shapes and its network's API; it never sees XMPP or SQL.
 */
import type { Logger } from "pino";

export type NetworkName = "sms" | "telegram" | "email";

/** A field of the registration form (rendered as an XEP-0004 data form by the XMPP side). */
export interface FormField {
  var: string;
  type: "text-single" | "text-private" | "list-single" | "boolean" | "fixed" | "hidden";
  label?: string;
  desc?: string;
  required?: boolean;
  options?: Array<{ label: string; value: string }>;
  value?: string;
}

export interface FormSpec {
  title: string;
  instructions: string;
  fields: FormField[];
}

/** What the network account of one registration is, as the core stores it. */
export interface Account {
  /** The user's own identity on the network: their phone number, bot id, mail address. */
  legacyAccountId: string;
  /** Secrets (tokens): encrypted by the core before they are stored, never logged. */
  credentials?: Record<string, string>;
  /** Non-secret settings the adapter wants back later. */
  settings?: Record<string, unknown>;
  /** Where the adapter's receiving left off (e.g. a Telegram getUpdates offset); see saveCursor. */
  cursor?: string;
}

/**
 * Optional features an adapter implements; the XMPP side advertises in disco exactly these, and
 * the core calls the matching optional method only when the capability is declared.
 */
export type Capability = "typing" | "edits" | "retractions" | "replies" | "reactions" | "attachments" | "subjects";

/** What the adapter gets to decide about a registration request. */
export interface RegistrationContext {
  userJid: string;
  /** The user's current account on this network, when they are re-registering. */
  current: Account | undefined;
  /** Legacy account ids already registered by other users (e.g. numbers in use). */
  takenByOthers(): Promise<Set<string>>;
}

export interface RegistrationResult {
  account: Account;
  /** A line for the user after registering (e.g. "Your number is +1 555…"). */
  welcome?: string;
}

export type AddressResult = { ok: true; address: string } | { ok: false; reason: string };

export interface OutgoingMessage {
  /** The core's id of this part, stable across retries (usable as an idempotency key). */
  id: string;
  body: string;
  mediaUrls: string[];
  /** The network id of the message this one answers (XEP-0461), when the network has it. */
  replyTo?: string;
  /** XMPP <subject/> (email Subject). */
  subject?: string;
  /** XMPP <thread/> (an email conversation). */
  thread?: string;
  /**
   * For adapters with "subjects": the network id of the latest message in this conversation,
   * either direction (email threads In-Reply-To/References on it).
   */
  previous?: string;
}

export interface SentRef {
  /** The network's id for what was sent (Twilio MessageSid, Telegram message_id…). */
  networkId: string;
  /** True when the network already confirmed delivery (no later report will come). */
  delivered?: boolean;
}

/** A message a contact sent, in neutral form. */
export interface IncomingMessage {
  /** Network-unique key: the same key is delivered to the user at most once. */
  key: string;
  /** Which registration it is for: the legacy account id it was addressed to. */
  account: string;
  /** The contact's legacy address. */
  from: string;
  /** Suggested display name for a new contact. */
  fromName?: string;
  body: string;
  /** Links the network already hosts (Twilio MMS media). */
  mediaUrls: string[];
  /** Files the adapter fetched; the core stores them and serves them under unguessable URLs. */
  attachments?: IncomingAttachment[];
  /** The network's id of this message (for replies, reactions and corrections). */
  networkId: string;
  /** The network id of the message this one answers. */
  replyTo?: string;
  subject?: string;
  thread?: string;
  sentAt?: Date;
}

export interface IncomingAttachment {
  fileName: string;
  contentType: string;
  /** The bytes, or why there are none (too big for the network to hand over…): the user gets the text. */
  content: Buffer | { unavailable: string };
}

/** Other things a contact does, in neutral form. `key` dedups like IncomingMessage.key. */
export type IncomingEvent =
  | { kind: "edit"; key: string; account: string; from: string; target: string; body: string }
  | { kind: "reaction"; key: string; account: string; from: string; target: string; emojis: string[] }
  | { kind: "retraction"; key: string; account: string; from: string; target: string }
  /** Not stored: passed on only while the user's link is up. */
  | { kind: "typing"; account: string; from: string; state: "composing" | "paused" | "active" };

/** What the network said about something we sent. */
export interface DeliveryReport {
  networkId: string;
  state: "sent" | "delivered" | "failed";
  errorCode?: string;
  /** Plain words for the user, naming the network's error code. */
  errorText?: string;
}

export type AcceptResult = "accepted" | "duplicate" | "unroutable";

/** The core's side of inbound traffic: every call returns only after the event is committed. */
export interface InboundSink {
  /**
   * Each call resolves once what it was given is committed. Calls for one account made without
   * waiting for the previous one are committed, and reach the user, in call order: an adapter
   * may hand over a whole batch of updates at once (and should: they share a commit).
   */
  message(msg: IncomingMessage): Promise<AcceptResult>;
  event(event: IncomingEvent): Promise<AcceptResult>;
  report(report: DeliveryReport): Promise<void>;
}

/** What the core offers an adapter when it starts. */
export interface AdapterHost {
  sink: InboundSink;
  /** The stored account behind a legacy account id (decrypted), or undefined. */
  findAccount(legacyAccountId: string): Promise<Account | undefined>;
  /**
   * Remembers where receiving left off for an account. Save it after the sink has taken the
   * events: a crash in between only re-reads events the sink's dedup then drops.
   */
  saveCursor(legacyAccountId: string, cursor: string): Promise<void>;
  /** The network refused the account's credentials for good (revoked token): tell the user. */
  accountBroken(legacyAccountId: string, reason: string): Promise<void>;
  /** The gateway's public base URL (for links to served media), when configured. */
  publicUrl: string | undefined;
  log: Logger;
}

/** What the network tells about a contact, for disco and vCard. */
export interface ContactInfo {
  name?: string;
  username?: string;
  description?: string;
}

/** A request to one of the adapter's webhooks, already read from the wire. */
export interface WebhookRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface WebhookResponse {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface WebhookRoute {
  method: "POST" | "GET";
  /** Exact path, or a prefix ending in "/" when `prefix` is set. */
  path: string;
  prefix?: boolean;
  handle(req: WebhookRequest): Promise<WebhookResponse>;
}

export interface Adapter {
  readonly network: NetworkName;
  /** XEP-0030 identity: category is always "gateway". */
  readonly identity: { type: string; name: string };
  /** XEP-0100 jabber:iq:gateway texts. */
  readonly addressPrompt: { desc: string; prompt: string };
  /** The longest body one network message carries; longer bodies are split by the core. */
  readonly maxBodyLength: number;
  readonly capabilities: ReadonlySet<Capability>;

  /** Start network-wide work (webhook routes are served from now on). */
  start(host: AdapterHost): Promise<void>;
  stop(): Promise<void>;
  readonly webhooks: WebhookRoute[];
  /** Health of the adapter's link to its network, for /healthz. */
  health(): { ok: boolean; detail?: string };

  registrationForm(ctx: RegistrationContext): Promise<FormSpec>;
  /** Validates the submitted fields against the network; throws GatewayError with a text. */
  register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult>;
  /** Called after a registration was removed (release numbers, stop polling). */
  unregistered?(account: Account): Promise<void>;
  /**
   * Starts receiving for one account (a bot's long poll). Called for every active registration at
   * start-up and after each registration; `unregistered` and `stop` end it.
   */
  openAccount?(account: Account): Promise<void>;

  /** Turns what a person typed into a legacy address, or says why it cannot. */
  parseAddress(input: string, account?: Account): AddressResult;
  /** How a contact is named on the roster when the network gives no name. */
  displayName(address: string): string;

  /**
   * Sends one message part from `account` to `to`. May be retried with the same `msg.id` when it
   * throws a retryable GatewayError; a non-retryable one fails the message for good.
   */
  send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef>;
  /**
   * After a crash between "about to send" and "stored the network id", finds what the network
   * already accepted for this part so it is not sent twice. Undefined: not sent (or no way to tell).
   */
  findSent?(account: Account, to: string, msg: OutgoingMessage, since: Date): Promise<SentRef | undefined>;

  /** "edits": replaces the text of a message sent earlier (XEP-0308). Same retry rules as send. */
  edit?(account: Account, to: string, target: string, msg: OutgoingMessage): Promise<void>;
  /** "retractions": deletes a message sent earlier (XEP-0424). */
  retract?(account: Account, to: string, target: string): Promise<void>;
  /** "reactions": sets the user's reactions on a message (XEP-0444); an empty list clears them. */
  react?(account: Account, to: string, target: string, emojis: string[]): Promise<void>;
  /** "typing": best effort, never queued or retried (XEP-0085). */
  typing?(account: Account, to: string, state: "composing" | "paused" | "active"): Promise<void>;
  /** What the network knows about a contact (disco identity name, vCard). */
  contactInfo?(account: Account, address: string): Promise<ContactInfo | undefined>;
}
