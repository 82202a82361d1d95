// The email network: registration, sending through the operator's relay and our own SMTP listener,
// behind the Adapter contract.
import type {
  Account,
  Adapter,
  AdapterHost,
  AddressResult,
  Capability,
  FormSpec,
  OutgoingMessage,
  RegistrationContext,
  RegistrationResult,
  SentRef,
  WebhookRoute,
} from "../../src/core/adapter.ts";
import { parseAddress } from "./addresses.ts";
import type { EmailAdapterConfig } from "./config.ts";
import { EmailInbound } from "./inbound.ts";
import { EmailOutbound } from "./outbound.ts";
import { EmailRegistration } from "./registration.ts";

/** Builds the adapter; nothing touches the network until it is started or used. */
export function createEmailAdapter(config: EmailAdapterConfig): EmailAdapter {
  return new EmailAdapter(config);
}

export class EmailAdapter implements Adapter {
  readonly network = "email" as const;
  readonly identity = { type: "smtp", name: "Email gateway" };
  readonly addressPrompt = {
    desc: "Enter the email address of the person you want to write to.",
    prompt: "Email address",
  };
  // A mail has no practical length limit: never split a message into several mails.
  readonly maxBodyLength = 1_000_000;
  // Files arrive as attachments (the core serves them); Subject and the mail thread map to XMPP's.
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["attachments", "subjects"]);
  // Mail arrives over SMTP, not HTTP.
  readonly webhooks: WebhookRoute[] = [];

  readonly #registration: EmailRegistration;
  readonly #outbound: EmailOutbound;
  readonly #inbound: EmailInbound;

  constructor(given: EmailAdapterConfig) {
    // Addresses at our domain are compared lowercased everywhere (accounts, RCPT TO, Message-IDs).
    const config = { ...given, addressDomain: given.addressDomain.toLowerCase() };
    this.#registration = new EmailRegistration(config.addressDomain);
    this.#outbound = new EmailOutbound(config);
    this.#inbound = new EmailInbound({
      addressDomain: config.addressDomain,
      listenAddress: config.inbound.listenAddress,
      maxMessageBytes: config.inbound.maxMessageBytes,
      hostname: config.hostname ?? config.addressDomain,
    });
  }

  /** Starts the inbound SMTP listener (a port that can't be bound is retried, and shown by health()). */
  async start(host: AdapterHost): Promise<void> {
    await this.#inbound.start(host);
  }

  async stop(): Promise<void> {
    await this.#inbound.stop();
    this.#outbound.close();
  }

  /** Where the inbound listener is bound, once started (the real port when configured with port 0). */
  get inboundAddress(): { host: string; port: number } | undefined {
    return this.#inbound.address;
  }

  /** Not ok while the listener is down or the relay was unreachable for the last few sends. */
  health(): { ok: boolean; detail?: string } {
    const inbound = this.#inbound.health();
    const outbound = this.#outbound.health();
    const detail = [inbound.detail, outbound.detail].filter((d) => d !== undefined).join("; ");
    return { ok: inbound.ok && outbound.ok, ...(detail !== "" ? { detail } : {}) };
  }

  registrationForm(ctx: RegistrationContext): Promise<FormSpec> {
    return this.#registration.form(ctx);
  }

  register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    return this.#registration.register(ctx, fields);
  }

  parseAddress(input: string): AddressResult {
    return parseAddress(input);
  }

  displayName(address: string): string {
    return address;
  }

  send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    return this.#outbound.send(account, to, msg);
  }
}
