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
}

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
  mediaUrls: string[];
  /** The network's id of this message (for replies, reactions and corrections later). */
  networkId: string;
  sentAt?: Date;
}

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
  message(msg: IncomingMessage): Promise<AcceptResult>;
  report(report: DeliveryReport): Promise<void>;
}

/** What the core offers an adapter when it starts. */
export interface AdapterHost {
  sink: InboundSink;
  /** The stored account behind a legacy account id (decrypted), or undefined. */
  findAccount(legacyAccountId: string): Promise<Account | undefined>;
  log: Logger;
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
  body: string;
  contentType?: string;
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
}
