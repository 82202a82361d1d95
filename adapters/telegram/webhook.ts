// Receiving in webhook mode: Telegram POSTs each update to publicUrl + /webhooks/telegram/<path
// secret>, with X-Telegram-Bot-Api-Secret-Token. Both secrets are HMACs of the bot's token, so
// nothing extra is stored and neither reveals the token or the bot id. We answer 200 only once
// the core has committed the update; anything else makes Telegram send it again.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Account, AdapterHost, WebhookResponse, WebhookRoute } from "../../src/core/adapter.ts";
import type { BotApi, BotApiFactory } from "./api.ts";
import { backoffMs, pause } from "./timing.ts";
import type { ResolvedConfig } from "./config.ts";
import { isUnauthorized, logFields, REVOKED_TEXT } from "./errors.ts";
import { tokenOf } from "./ids.ts";
import type { InboundDelivery } from "./inbound.ts";
import { ALLOWED_UPDATES, type TgUpdate } from "./types.ts";

export const WEBHOOK_PREFIX = "/webhooks/telegram/";

export function webhookSecrets(token: string): { path: string; header: string } {
  const derive = (purpose: string) => createHmac("sha256", token).update(`switchboard telegram webhook ${purpose}`).digest("base64url");
  return { path: derive("path"), header: derive("secret_token") };
}

export interface WebhookDeps {
  config: ResolvedConfig;
  /** Set: webhook mode needs it. */
  publicUrl: string;
  apis: BotApiFactory;
  inbound: InboundDelivery;
  host(): AdapterHost | undefined;
}

interface HookedBot {
  id: string;
  api: BotApi;
  header: string;
  path: string;
  /** Ends the setWebhook retries of this opening. */
  setup: AbortController;
}

export class WebhookReceiver {
  readonly #byPath = new Map<string, HookedBot>();
  readonly #byBot = new Map<string, HookedBot>();

  constructor(private readonly deps: WebhookDeps) {}

  /**
   * Serves the bot's webhook from now on and points Telegram at it. setWebhook is retried in the
   * background until it succeeds, so a Telegram outage at start-up or registration loses nothing
   * (Telegram keeps the updates meanwhile).
   */
  async open(account: Account): Promise<void> {
    const token = tokenOf(account);
    const secrets = webhookSecrets(token);
    const existing = this.#byBot.get(account.legacyAccountId);
    if (existing?.path === secrets.path) return;
    if (existing) this.#forget(existing);
    const bot: HookedBot = { id: account.legacyAccountId, api: this.deps.apis.forToken(token), ...secrets, setup: new AbortController() };
    this.#byPath.set(bot.path, bot);
    this.#byBot.set(bot.id, bot);
    void this.#setWebhook(bot);
  }

  /** Stops serving the bot and asks Telegram to stop posting (best effort). */
  async close(botId: string): Promise<void> {
    const bot = this.#byBot.get(botId);
    if (!bot) return;
    this.#forget(bot);
    await bot.api.call("deleteWebhook", {}).catch((err: unknown) => {
      this.deps.host()?.log.info({ bot: botId, ...logFields(err) }, "could not remove the Telegram webhook");
    });
  }

  stopAll(): void {
    for (const bot of [...this.#byBot.values()]) this.#forget(bot);
  }

  route(): WebhookRoute {
    return { method: "POST", path: WEBHOOK_PREFIX, prefix: true, handle: (req) => this.#handle(req.url, req.headers, req.body) };
  }

  async #handle(url: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<WebhookResponse> {
    const host = this.deps.host();
    if (!host) return text(503, "the Telegram gateway is not started");
    const secret = (url.split("?")[0] ?? "").slice(WEBHOOK_PREFIX.length);
    const bot = this.#byPath.get(secret);
    if (!bot) return text(404, "no such webhook");
    const given = headers["x-telegram-bot-api-secret-token"];
    if (typeof given !== "string" || !sameSecret(given, bot.header)) {
      host.log.warn({ bot: bot.id }, "refused a Telegram webhook with a wrong secret token");
      return text(403, "wrong secret token");
    }
    let update: TgUpdate;
    try {
      update = JSON.parse(body.toString("utf8")) as TgUpdate;
      if (typeof update !== "object" || update === null || !Number.isSafeInteger(update.update_id)) throw new Error("no update_id");
    } catch {
      return text(400, "expected a JSON Update");
    }
    try {
      await this.deps.inbound.deliver(bot, update);
    } catch (err) {
      host.log.warn({ bot: bot.id, updateId: update.update_id, ...logFields(err) }, "could not pass a Telegram update on; Telegram will retry it");
      return text(500, "not stored; try again");
    }
    return text(200, "");
  }

  async #setWebhook(bot: HookedBot): Promise<void> {
    const { config, publicUrl } = this.deps;
    const signal = bot.setup.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await bot.api.call(
          "setWebhook",
          {
            url: `${publicUrl}${WEBHOOK_PREFIX}${bot.path}`,
            secret_token: bot.header,
            allowed_updates: ALLOWED_UPDATES,
            // One at a time keeps each bot's updates in order (an edit never overtakes its message).
            max_connections: 1,
          },
          { signal },
        );
        return;
      } catch (err) {
        if (signal.aborted) return;
        const host = this.deps.host();
        if (isUnauthorized(err)) {
          this.#forget(bot);
          host?.log.warn({ bot: bot.id }, "Telegram refused the bot's token; its webhook is not served until it is registered again");
          await host?.accountBroken(bot.id, REVOKED_TEXT).catch((e: unknown) => host.log.warn({ bot: bot.id, ...logFields(e) }, "could not mark the registration broken"));
          return;
        }
        host?.log.warn({ bot: bot.id, ...logFields(err) }, "Telegram setWebhook failed; retrying");
        await pause(backoffMs(attempt, config.retryInitialMs, config.retryMaxMs), signal);
      }
    }
  }

  #forget(bot: HookedBot): void {
    bot.setup.abort();
    if (this.#byPath.get(bot.path) === bot) this.#byPath.delete(bot.path);
    if (this.#byBot.get(bot.id) === bot) this.#byBot.delete(bot.id);
  }

  count(): number {
    return this.#byBot.size;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function text(status: number, body: string): WebhookResponse {
  return { status, body, contentType: "text/plain; charset=utf-8" };
}
