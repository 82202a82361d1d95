// Receiving by long polling: one loop per bot, each mostly parked in a getUpdates that Telegram
// holds open, so an idle bot costs one idle socket and no timer. The offset is the stored cursor
// (last update handed to the core) + 1, saved after every batch; the core dedups update keys in
// the inbox transaction, so a crash between the two only re-offers updates it then drops.
import type { Account, AdapterHost } from "../../src/core/adapter.ts";
import type { BotApi, BotApiFactory } from "./api.ts";
import { backoffMs, pause } from "./timing.ts";
import type { ResolvedConfig } from "./config.ts";
import { failureOf, logFields, REVOKED_TEXT } from "./errors.ts";
import { tokenOf } from "./ids.ts";
import type { InboundDelivery } from "./inbound.ts";
import { ALLOWED_UPDATES, type TgUpdate } from "./types.ts";

export interface PollingDeps {
  config: ResolvedConfig;
  apis: BotApiFactory;
  inbound: InboundDelivery;
  host(): AdapterHost | undefined;
}

type PollerState = "polling" | "revoked" | "stopped";

class BotPoller {
  readonly botId: string;
  readonly token: string;
  state: PollerState = "polling";
  /** The last update_id handed to the core. */
  handled: number | undefined;
  readonly #api: BotApi;
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;

  constructor(
    private readonly deps: PollingDeps,
    private readonly host: AdapterHost,
    account: Account,
    cursor: number | undefined,
  ) {
    this.botId = account.legacyAccountId;
    this.token = tokenOf(account);
    this.handled = cursor;
    this.#api = deps.apis.forToken(this.token);
    this.#done = this.#run().catch((err: unknown) => {
      this.host.log.error({ bot: this.botId, ...logFields(err) }, "Telegram polling loop ended unexpectedly");
    });
  }

  /** Ends the loop, aborting a held long poll; resolves once the loop has returned. */
  async stop(): Promise<void> {
    if (this.state === "polling") this.state = "stopped";
    this.#abort.abort();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { signal } = this.#abort;
    const { config } = this.deps;
    const log = this.host.log;
    const bot = { id: this.botId, api: this.#api };
    let failures = 0;
    while (!signal.aborted) {
      let updates: TgUpdate[];
      try {
        updates = await this.#api.call<TgUpdate[]>(
          "getUpdates",
          {
            ...(this.handled !== undefined ? { offset: this.handled + 1 } : {}),
            timeout: config.pollTimeoutSeconds,
            allowed_updates: ALLOWED_UPDATES,
          },
          { signal, timeoutMs: (config.pollTimeoutSeconds + 15) * 1000 },
        );
      } catch (err) {
        if (signal.aborted) return;
        const f = failureOf(err);
        if (f?.kind === "api" && f.code === 401) return this.#revoked(signal);
        if (f?.kind === "api" && f.code === 409 && /webhook/i.test(f.description)) {
          // The bot was in webhook mode (this gateway's, or another program's): polling takes over.
          log.warn({ bot: this.botId }, "the bot had a webhook; removing it to poll");
          await this.#api.call("deleteWebhook", {}, { signal }).catch(() => undefined);
        } else if (f?.kind === "api" && f.code === 409) {
          log.warn({ bot: this.botId }, "another program is polling this bot (Telegram allows one); retrying");
        } else {
          log.warn({ bot: this.botId, ...logFields(err) }, "Telegram getUpdates failed; retrying");
        }
        const retryAfter = f?.kind === "api" ? (f.retryAfterSeconds ?? 0) * 1000 : 0;
        await pause(backoffMs(++failures, config.retryInitialMs, config.retryMaxMs, retryAfter), signal);
        continue;
      }

      // The whole batch at once: it shares commits, and the sink keeps the order.
      const { taken, error } = await this.deps.inbound.deliverBatch(bot, updates, signal);
      const last = taken > 0 ? updates[taken - 1]!.update_id : undefined;
      const failed = error !== undefined;
      if (failed) {
        if (signal.aborted) return;
        log.warn({ bot: this.botId, updateId: updates[taken]?.update_id, ...logFields(error) }, "could not pass a Telegram update on; retrying it");
      }
      if (last !== undefined) {
        this.handled = last;
        await this.host.saveCursor(this.botId, String(last)).catch((err: unknown) => {
          // Not fatal: the next save covers it, and until then a restart re-reads updates the core drops as duplicates.
          log.warn({ bot: this.botId, ...logFields(err) }, "could not save the Telegram cursor");
        });
      }
      if (failed) await pause(backoffMs(++failures, config.retryInitialMs, config.retryMaxMs), signal);
      else failures = 0;
    }
  }

  /** The token no longer works: tell the core (until it listens), then stay stopped. */
  async #revoked(signal: AbortSignal): Promise<void> {
    this.state = "revoked";
    const { config } = this.deps;
    this.host.log.warn({ bot: this.botId }, "Telegram refused the bot's token; polling stopped until it is registered again");
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.host.accountBroken(this.botId, REVOKED_TEXT);
        return;
      } catch (err) {
        this.host.log.warn({ bot: this.botId, ...logFields(err) }, "could not mark the registration broken; retrying");
        await pause(backoffMs(attempt, config.retryInitialMs, config.retryMaxMs), signal);
      }
    }
  }
}

/** Every bot's poll loop, by bot id. */
export class Pollers {
  readonly #bots = new Map<string, BotPoller>();

  constructor(private readonly deps: PollingDeps) {}

  /**
   * Starts (or keeps) the bot's loop. A running loop with the same token is left alone; a new
   * token or a stopped loop (revoked token) gets a fresh one that continues from the newer cursor.
   */
  async open(account: Account): Promise<void> {
    const host = this.deps.host();
    if (!host) throw new Error("the Telegram adapter is not started");
    const botId = account.legacyAccountId;
    const existing = this.#bots.get(botId);
    if (existing?.state === "polling" && existing.token === tokenOf(account)) return;
    await existing?.stop();
    const stored = account.cursor !== undefined && /^\d+$/.test(account.cursor) ? Number(account.cursor) : undefined;
    const cursor = Math.max(stored ?? -1, existing?.handled ?? -1);
    this.#bots.set(botId, new BotPoller(this.deps, host, account, cursor >= 0 ? cursor : undefined));
  }

  async close(botId: string): Promise<void> {
    const poller = this.#bots.get(botId);
    this.#bots.delete(botId);
    await poller?.stop();
  }

  async stopAll(): Promise<void> {
    const all = [...this.#bots.values()];
    this.#bots.clear();
    await Promise.all(all.map((p) => p.stop()));
  }

  counts(): { polling: number; revoked: number } {
    let polling = 0;
    let revoked = 0;
    for (const p of this.#bots.values()) {
      if (p.state === "polling") polling++;
      else if (p.state === "revoked") revoked++;
    }
    return { polling, revoked };
  }
}
