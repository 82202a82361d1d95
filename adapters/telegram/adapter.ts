// Telegram through the Bot API (telegraf's client): each user registers their own bot; people who
// write to it are the user's contacts. Composes registration, receiving (long polls or webhooks),
// sending with pacing, behind the Adapter contract.
import type {
  Account,
  Adapter,
  AdapterHost,
  AddressResult,
  Capability,
  ContactInfo,
  FormSpec,
  OutgoingMessage,
  RegistrationContext,
  RegistrationResult,
  SentRef,
  WebhookRoute,
} from "../../src/core/adapter.ts";
import { setMaxListeners } from "node:events";
import { BotApiFactory } from "./api.ts";
import { resolveConfig, type ResolvedConfig, type TelegramAdapterConfig } from "./config.ts";
import { logFields, REVOKED_TEXT } from "./errors.ts";
import { botLink, botUsernameOf, displayAddress, parseChatId, parseUsername } from "./ids.ts";
import { InboundDelivery } from "./inbound.ts";
import { TelegramOutbound } from "./outbound.ts";
import { Pacer } from "./pacing.ts";
import { Pollers } from "./polling.ts";
import { TelegramRegistration } from "./registration.ts";
import { KnownUsernames } from "./usernames.ts";
import { WebhookReceiver } from "./webhook.ts";

/** Builds the adapter; nothing touches the network until it is used. */
export function createTelegramAdapter(config: TelegramAdapterConfig): Adapter {
  return new TelegramAdapter(resolveConfig(config));
}

class TelegramAdapter implements Adapter {
  readonly network = "telegram" as const;
  readonly identity = { type: "telegram", name: "Telegram gateway" };
  readonly addressPrompt = {
    desc: "Enter the @username or chat id of a Telegram user who has started your bot.",
    prompt: "Telegram user",
  };
  readonly maxBodyLength = 4096;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["typing", "edits", "retractions", "replies", "reactions", "attachments"]);
  readonly webhooks: WebhookRoute[];

  readonly #config: ResolvedConfig;
  readonly #apis: BotApiFactory;
  readonly #usernames = new KnownUsernames();
  readonly #registration: TelegramRegistration;
  readonly #outbound: TelegramOutbound;
  readonly #pollers: Pollers;
  readonly #hooks: WebhookReceiver | undefined;
  // Every send waiting for its pacing slot listens on this one signal: hundreds at once is normal.
  readonly #stopping = unlimitedListeners(new AbortController());
  #host: AdapterHost | undefined;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#apis = new BotApiFactory(config.apiRoot, config.requestTimeoutMs);
    this.#registration = new TelegramRegistration(this.#apis);
    this.#outbound = new TelegramOutbound({
      apis: this.#apis,
      pacer: new Pacer(config.pacing),
      stopping: this.#stopping.signal,
      revoked: (account) => this.#revoked(account),
    });
    const inbound = new InboundDelivery(() => this.#host, this.#usernames);
    const receiving = { config, apis: this.#apis, inbound, host: () => this.#host };
    this.#pollers = new Pollers(receiving);
    const publicUrl = config.publicUrl;
    this.#hooks = config.mode === "webhook" && publicUrl !== undefined ? new WebhookReceiver({ ...receiving, publicUrl }) : undefined;
    this.webhooks = this.#hooks ? [this.#hooks.route()] : [];
  }

  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
    if (this.#config.mode === "webhook" && !this.#hooks) {
      host.log.warn("networks.telegram.mode is webhook but http.publicUrl is not set: receiving by long polling instead");
    }
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#hooks?.stopAll();
    await this.#pollers.stopAll();
    this.#apis.destroy();
    this.#host = undefined;
  }

  health(): { ok: boolean; detail?: string } {
    const { polling, revoked } = this.#pollers.counts();
    const parts = this.#hooks ? [`${this.#hooks.count()} bots on webhooks`] : [`polling ${polling} bots`];
    if (revoked > 0) parts.push(`${revoked} stopped: token refused by Telegram`);
    return { ok: true, detail: parts.join("; ") };
  }

  registrationForm(ctx: RegistrationContext): Promise<FormSpec> {
    return this.#registration.form(ctx);
  }

  register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    return this.#registration.register(ctx, fields);
  }

  async openAccount(account: Account): Promise<void> {
    if (this.#hooks) await this.#hooks.open(account);
    else await this.#pollers.open(account);
  }

  async unregistered(account: Account): Promise<void> {
    const botId = account.legacyAccountId;
    this.#usernames.forgetBot(botId);
    await this.#pollers.close(botId);
    await this.#hooks?.close(botId);
  }

  /**
   * A chat id passes as it is; an @username (or t.me link) only when a bot of this gateway has
   * heard from that person, since the Bot API cannot look a user's @username up.
   */
  parseAddress(input: string, account?: Account): AddressResult {
    const typed = input.trim();
    const chatId = parseChatId(typed);
    if (chatId !== undefined) return { ok: true, address: chatId };
    const username = parseUsername(typed);
    if (username === undefined) return { ok: false, reason: "Enter a Telegram @username or a numeric chat id." };
    const known = this.#usernames.lookup(username, account?.legacyAccountId);
    if (known !== undefined) return { ok: true, address: known };
    const bot = account && botUsernameOf(account);
    const link = bot ? ` (${botLink(bot)})` : "";
    return {
      ok: false,
      reason: `@${username} has not written to your bot yet: a bot can't find people by @username until they start it. Send them your bot's link${link}.`,
    };
  }

  displayName(address: string): string {
    return displayAddress(address);
  }

  send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    return this.#outbound.send(account, to, msg);
  }

  edit(account: Account, to: string, target: string, msg: OutgoingMessage): Promise<void> {
    return this.#outbound.edit(account, to, target, msg);
  }

  retract(account: Account, to: string, target: string): Promise<void> {
    return this.#outbound.retract(account, to, target);
  }

  react(account: Account, to: string, target: string, emojis: string[]): Promise<void> {
    return this.#outbound.react(account, to, target, emojis);
  }

  typing(account: Account, to: string, state: "composing" | "paused" | "active"): Promise<void> {
    return this.#outbound.typing(account, to, state);
  }

  contactInfo(account: Account, address: string): Promise<ContactInfo | undefined> {
    return this.#outbound.contactInfo(account, address);
  }

  /** A send was refused with 401: the same as a poll seeing it. */
  async #revoked(account: Account): Promise<void> {
    const host = this.#host;
    if (!host) return;
    await host.accountBroken(account.legacyAccountId, REVOKED_TEXT).catch((err: unknown) => {
      host.log.warn({ bot: account.legacyAccountId, ...logFields(err) }, "could not mark the registration broken");
    });
  }
}

function unlimitedListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
