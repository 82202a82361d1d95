// The SMS network through Twilio: composes registration, sending and webhooks behind the Adapter contract.
import type {
  Capability,
  Account,
  Adapter,
  AdapterHost,
  AddressResult,
  FormSpec,
  OutgoingMessage,
  RegistrationContext,
  RegistrationResult,
  SentRef,
  WebhookRoute,
} from "../../src/core/adapter.ts";
import { TwilioClients } from "./clients.ts";
import type { SmsAdapterConfig } from "./config.ts";
import { displayNumber, parseAddress } from "./ids.ts";
import { SmsOutbound } from "./outbound.ts";
import { SmsRegistration } from "./registration.ts";
import { twilioWebhooks } from "./webhooks.ts";

/** Builds the adapter; nothing touches the network until it is used (safe to call just to inspect config). */
export function createSmsAdapter(config: SmsAdapterConfig): Adapter {
  return new SmsAdapter(config);
}

class SmsAdapter implements Adapter {
  readonly network = "sms" as const;
  readonly identity = { type: "sms", name: "SMS gateway" };
  readonly addressPrompt: { desc: string; prompt: string };
  readonly maxBodyLength = 1600; // Twilio's limit for one Messages.create (it splits into segments itself)
  // MMS: MediaUrl out, MediaUrlN in. Nothing else SMS can carry (no edits, reactions, typing).
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["attachments"]);
  readonly webhooks: WebhookRoute[];

  readonly #config: SmsAdapterConfig;
  readonly #clients: TwilioClients;
  readonly #registration: SmsRegistration;
  readonly #outbound: SmsOutbound;
  #host: AdapterHost | undefined;
  #apiProblem: { text: string; at: Date } | undefined;

  constructor(config: SmsAdapterConfig) {
    this.#config = config;
    this.addressPrompt = {
      desc:
        "Enter the phone number of the person you want to text, with its country code (+44 20 7946 0958) " +
        `or in ${config.defaultRegion} national format.`,
      prompt: "Phone number",
    };
    const operator = { accountSid: config.twilio.accountSid, authToken: config.twilio.authToken };
    this.#clients = new TwilioClients({ apiBase: config.twilio.apiBase, timeoutMs: config.timeoutMs, operator });
    this.#registration = new SmsRegistration(config, this.#clients);
    this.#outbound = new SmsOutbound(this.#clients, config.publicUrl, (problem) => {
      this.#apiProblem = problem === undefined ? undefined : { text: problem, at: new Date() };
    });
    this.webhooks = twilioWebhooks({ publicUrl: config.publicUrl, operator, host: () => this.#host });
  }

  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
    if (this.#config.publicUrl === undefined) {
      host.log.warn("http.publicUrl is not set: incoming texts and delivery reports can't reach the gateway");
    }
  }

  async stop(): Promise<void> {
    this.#host = undefined;
    this.#clients.destroy();
  }

  /** Always ok (Twilio trouble is retried, not a reason to restart us); the detail names the last API problem. */
  health(): { ok: boolean; detail?: string } {
    const problem = this.#apiProblem;
    return problem ? { ok: true, detail: `last Twilio API call failed at ${problem.at.toISOString()}: ${problem.text}` } : { ok: true };
  }

  registrationForm(ctx: RegistrationContext): Promise<FormSpec> {
    return this.#registration.form(ctx);
  }

  register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    return this.#registration.register(ctx, fields);
  }

  parseAddress(input: string): AddressResult {
    return parseAddress(input, this.#config.defaultRegion);
  }

  displayName(address: string): string {
    return displayNumber(address);
  }

  send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    return this.#outbound.send(account, to, msg);
  }

  findSent(account: Account, to: string, msg: OutgoingMessage, since: Date): Promise<SentRef | undefined> {
    return this.#outbound.findSent(account, to, msg, since);
  }
}
