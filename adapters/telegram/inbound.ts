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
    const host = this.host();
    if (!host) throw new Error("the Telegram adapter is not started");
    const t = translate(bot.id, update);
    if (t.kind === "skip") {
      const level = t.why === "malformed update" ? "warn" : "debug";
      host.log[level]({ bot: bot.id, updateId: update.update_id, why: t.why }, "Telegram update skipped");
      return;
    }
    if (t.person) this.usernames.learn(bot.id, t.person.username, t.person.chatId);
    if (t.kind === "event") {
      const result = await host.sink.event(t.event);
      host.log.debug({ bot: bot.id, updateId: update.update_id, kind: t.event.kind, result }, "Telegram update");
      return;
    }
    const message = t.message;
    if (t.media.length > 0) {
      message.attachments = [];
      for (const m of t.media) message.attachments.push(await fetchAttachment(bot.api, m, signal));
    }
    const result = await host.sink.message(message);
    host.log.debug({ bot: bot.id, updateId: update.update_id, kind: "message", files: t.media.length, result }, "Telegram update");
  }
}
