// Webhook mode: each bot's updates POSTed as JSON to its URL, one at a time and in order, retried
// until the receiver answers 2xx. A JSON body with a "method" in that answer is executed, as
// Telegram does (telegraf answers sendChatAction, deleteMessage… this way by default).
import type { BotState } from "./botState.ts";
import type { Outbound } from "./outbound.ts";
import { unixNow } from "./botState.ts";
import type { Update } from "./types.ts";

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

/** Telegram backs off over minutes; tests need milliseconds. */
const BACKOFF_MS = [50, 100, 200, 400, 800, 1000];
const TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 52 * 1024 * 1024;

export type ReplyHandler = (bot: BotState, contentType: string, body: Buffer) => Promise<void>;

export class WebhookDelivery {
  lastErrorDate: number | undefined;
  lastErrorMessage: string | undefined;
  #running = false;
  #stopped = false;
  #sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(
    readonly bot: BotState,
    readonly config: WebhookConfig,
    private readonly outbound: Outbound,
    private readonly onReply: ReplyHandler,
  ) {
    bot.updates.onPush(() => this.kick());
    this.kick();
  }

  kick(): void {
    if (!this.#running && !this.#stopped) void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.bot.updates.onPush(null);
    if (this.#sleeping) {
      clearTimeout(this.#sleeping.timer);
      this.#sleeping.resolve();
    }
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      let attempt = 0;
      for (;;) {
        const update = this.bot.updates.peek();
        if (!update || this.#stopped) return;
        const delivered = await this.#post(update);
        if (this.#stopped) return;
        if (delivered) {
          this.bot.updates.confirm(update.update_id + 1);
          attempt = 0;
        } else {
          await this.#sleep(BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)] as number);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #post(update: Update): Promise<boolean> {
    const body = JSON.stringify(update);
    const headers: Record<string, string | number> = {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
    };
    if (this.config.secretToken) headers["X-Telegram-Bot-Api-Secret-Token"] = this.config.secretToken;
    try {
      const res = await this.outbound.request(this.config.url, {
        method: "POST",
        headers,
        body,
        timeoutMs: TIMEOUT_MS,
        maxBytes: MAX_REPLY_BYTES,
      });
      if (res.status < 200 || res.status > 299) {
        return this.#failed(`Wrong response from the webhook: ${res.status}`);
      }
      if (res.body.length) await this.onReply(this.bot, res.contentType, res.body).catch(() => {});
      return true;
    } catch (err) {
      return this.#failed((err as NodeJS.ErrnoException).code === "ECONNREFUSED" ? "Connection refused" : (err as Error).message);
    }
  }

  #failed(message: string): false {
    this.lastErrorDate = unixNow();
    this.lastErrorMessage = message;
    return false;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeping = null;
        resolve();
      }, ms);
      this.#sleeping = { timer, resolve };
    });
  }
}

/** The webhook of every bot that has one. */
export class Webhooks {
  readonly #active = new Map<BotState, WebhookDelivery>();

  constructor(
    private readonly outbound: Outbound,
    private readonly onReply: ReplyHandler,
  ) {}

  get(bot: BotState): WebhookDelivery | undefined {
    return this.#active.get(bot);
  }

  /** Returns false when the same webhook was already set. */
  set(bot: BotState, config: WebhookConfig): boolean {
    const old = this.#active.get(bot);
    const same = old && old.config.url === config.url && old.config.secretToken === config.secretToken;
    old?.stop();
    this.#active.set(bot, new WebhookDelivery(bot, config, this.outbound, this.onReply));
    return !same;
  }

  delete(bot: BotState): boolean {
    const old = this.#active.get(bot);
    old?.stop();
    return this.#active.delete(bot);
  }

  stopAll(): void {
    for (const d of this.#active.values()) d.stop();
    this.#active.clear();
  }
}
