// One update from either receiving path (long poll or webhook) → the core's sink. Returns once
// the sink has committed it; throws when it could not, so the caller retries the same update.
import type { AdapterHost } from "../../src/core/adapter.ts";
import type { BotApi } from "./api.ts";
import { fetchAttachment } from "./files.ts";
import type { TgUpdate } from "./types.ts";
import { translate } from "./updates.ts";
import type { KnownUsernames } from "./usernames.ts";

export interface BotRef {
  id: string;
  api: BotApi;
}

export class InboundDelivery {
  constructor(
    private readonly host: () => AdapterHost | undefined,
    private readonly usernames: KnownUsernames,
  ) {}

  async deliver(bot: BotRef, update: TgUpdate, signal?: AbortSignal): Promise<void> {
    const handOver = await this.prepare(bot, update, signal);
    await handOver();
  }

  /**
   * Hands a batch of updates over in their order without waiting for each commit (the sink keeps
   * the call order of one account, and updates handed over together share a commit). Resolves
   * with how many updates, from the first, were taken; `error` is why the next one was not.
   */
  async deliverBatch(bot: BotRef, updates: TgUpdate[], signal?: AbortSignal): Promise<{ taken: number; error?: unknown }> {
    const handedOver: Array<Promise<void>> = [];
    let error: unknown;
    for (const update of updates) {
      try {
        // Files are fetched one update at a time, so each sink call is made in update order.
        handedOver.push((await this.prepare(bot, update, signal))());
      } catch (err) {
        error = err;
        break;
      }
    }
    const settled = await Promise.allSettled(handedOver);
    const firstFailure = settled.findIndex((r) => r.status === "rejected");
    if (firstFailure < 0) return { taken: handedOver.length, ...(error === undefined ? {} : { error }) };
    return { taken: firstFailure, error: (settled[firstFailure] as PromiseRejectedResult).reason };
  }

  /** Everything an update needs before the sink (files fetched); the result hands it over. */
  private async prepare(bot: BotRef, update: TgUpdate, signal?: AbortSignal): Promise<() => Promise<void>> {
    const host = this.host();
    if (!host) throw new Error("the Telegram adapter is not started");
    const t = translate(bot.id, update);
    if (t.kind === "skip") {
      const level = t.why === "malformed update" ? "warn" : "debug";
      host.log[level]({ bot: bot.id, updateId: update.update_id, why: t.why }, "Telegram update skipped");
      return async () => {};
    }
    if (t.person) this.usernames.learn(bot.id, t.person.username, t.person.chatId);
    if (t.kind === "event") {
      const event = t.event;
      return async () => {
        const result = await host.sink.event(event);
        host.log.debug({ bot: bot.id, updateId: update.update_id, kind: event.kind, result }, "Telegram update");
      };
    }
    const message = t.message;
    if (t.media.length > 0) {
      message.attachments = [];
      for (const m of t.media) message.attachments.push(await fetchAttachment(bot.api, m, signal));
    }
    return async () => {
      const result = await host.sink.message(message);
      host.log.debug({ bot: bot.id, updateId: update.update_id, kind: "message", files: t.media.length, result }, "Telegram update");
    };
  }
}
