// The Telegram simulator, driven through the real telegraf client pointed at it with apiRoot.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Telegraf, TelegramError } from "telegraf";
import type { Update } from "telegraf/types";
import { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { until as untilShared } from "../support/fakeHost.ts";

const TOKEN = "4242:AAtest_polling-bot";
const ALICE = 1001; // starts the bot by writing to it
const BOB = 1002; // never writes to the bot
// A real 1×1 PNG, so the simulator's image check and dimensions have something true to read.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

interface Hook {
  secret: string | undefined;
  update: Update;
}

/** A small HTTP server: serves the PNG at /cat.png and records webhook posts (first one answered 500). */
async function startHelper(): Promise<{ base: string; hooks: Hook[]; server: http.Server; downloads: number }> {
  const state = { base: "", hooks: [] as Hook[], server: undefined as unknown as http.Server, downloads: 0 };
  state.server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/cat.png") {
      state.downloads++;
      return void res.writeHead(200, { "Content-Type": "image/png" }).end(PNG);
    }
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      const secret = req.headers["x-telegram-bot-api-secret-token"] as string | undefined;
      state.hooks.push({ secret, update: JSON.parse(body) as Update });
      // Fail the first delivery so the retry is exercised.
      res.writeHead(state.hooks.length === 1 ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => state.server.listen(0, "127.0.0.1", r));
  state.base = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

/** test/support's `until`, with this file's 2 s default. */
const until = <T>(fn: () => T | undefined, timeoutMs = 2_000): Promise<T> => untilShared(fn, timeoutMs);

async function telegramError(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TelegramError, `expected a TelegramError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("telegram simulator", () => {
  const sim = new TelegramSimulator();
  let helper: Awaited<ReturnType<typeof startHelper>>;
  const client = (token: string) => new Telegraf(token, { telegram: { apiRoot: `${sim.url}/` } });
  let bot: Telegraf;
  let aliceMessageId = 0;

  before(async () => {
    sim.addBot({ token: TOKEN, id: 4242, username: "switchboard_test_bot", firstName: "Switchboard" });
    sim.addUser({ id: ALICE, firstName: "Alice", lastName: "Liddell", username: "alice_l" });
    sim.addUser({ id: BOB, firstName: "Bob" });
    await sim.start(0);
    helper = await startHelper();
    bot = client(TOKEN);
  });

  after(async () => {
    helper.server.closeAllConnections();
    await new Promise((r) => helper.server.close(r));
    try {
      // A long poll held open by a raw client must not hold stop() up.
      const idle = "7171:AAidle";
      sim.addBot({ token: idle, id: 7171, username: "idle_test_bot" });
      let answered = false;
      const held = fetch(`${sim.url}/bot${idle}/getUpdates?timeout=50`).then(
        () => (answered = true),
        () => (answered = true),
      );
      await until(() => (sim.methodCalls(idle).length ? true : undefined));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(answered, false, "nothing is pending, so the poll is held");
      const t0 = Date.now();
      await sim.stop();
      await held;
      assert.ok(Date.now() - t0 < 1_000, "stop() must not wait for held long polls");
    } finally {
      await sim.stop();
    }
  });

  test("getMe answers the bot's User", async () => {
    const me = await bot.telegram.getMe();
    assert.equal(me.id, 4242);
    assert.equal(me.is_bot, true);
    assert.equal(me.username, "switchboard_test_bot");
    assert.equal(me.first_name, "Switchboard");
  });

  test("long polling delivers a user's text, an edit and a reaction", async () => {
    const seen: Update[] = [];
    bot.on("message", (ctx) => void seen.push(ctx.update));
    bot.on("edited_message", (ctx) => void seen.push(ctx.update));
    bot.on("message_reaction", (ctx) => void seen.push(ctx.update));
    let launched!: () => void;
    const onLaunch = new Promise<void>((r) => (launched = r));
    const running = bot.launch({ allowedUpdates: ["message", "edited_message", "message_reaction"] }, () => launched());
    await onLaunch;

    const sent = sim.userSends(TOKEN, ALICE, "hello from Alice");
    aliceMessageId = sent.message_id;
    const first = await until(() => seen.find((u) => "message" in u));
    assert.ok("message" in first && "text" in first.message);
    assert.equal(first.message.text, "hello from Alice");
    assert.equal(first.message.from?.id, ALICE);
    assert.equal(first.message.chat.id, ALICE);
    assert.equal(first.message.chat.type, "private");
    assert.equal(first.message.message_id, sent.message_id);

    sim.userEdits(TOKEN, ALICE, sent.message_id, "hello (edited)");
    const edit = await until(() => seen.find((u) => "edited_message" in u));
    assert.ok("edited_message" in edit && "text" in edit.edited_message);
    assert.equal(edit.edited_message.text, "hello (edited)");
    assert.equal(edit.edited_message.message_id, sent.message_id);
    assert.equal(typeof edit.edited_message.edit_date, "number");
    assert.ok(edit.update_id > first.update_id);

    sim.userReacts(TOKEN, ALICE, sent.message_id, "👍");
    const reaction = await until(() => seen.find((u) => "message_reaction" in u));
    assert.ok("message_reaction" in reaction);
    assert.equal(reaction.message_reaction.message_id, sent.message_id);
    assert.equal(reaction.message_reaction.user?.id, ALICE);
    assert.deepEqual(reaction.message_reaction.old_reaction, []);
    assert.deepEqual(reaction.message_reaction.new_reaction, [{ type: "emoji", emoji: "👍" }]);

    bot.stop("test done");
    await running;
    assert.equal(seen.length, 3);
    // launch: getMe, deleteWebhook, then long polls with a timeout; stop: one offset sync.
    const calls = sim.methodCalls(TOKEN).map((c) => c.method);
    const launchAt = calls.indexOf("deleteWebhook") - 1;
    assert.deepEqual(calls.slice(launchAt, launchAt + 3), ["getMe", "deleteWebhook", "getUpdates"]);
  });

  test("sendMessage with a reply, editMessageText, deleteMessage", async () => {
    const reply = await bot.telegram.sendMessage(ALICE, "a <b>bold</b> reply", {
      parse_mode: "HTML",
      reply_parameters: { message_id: aliceMessageId },
    });
    assert.equal(reply.text, "a bold reply");
    assert.deepEqual(reply.entities, [{ type: "bold", offset: 2, length: 4 }]);
    assert.equal(reply.reply_to_message?.message_id, aliceMessageId);
    assert.equal(reply.from?.id, 4242);
    assert.equal(reply.chat.id, ALICE);
    assert.equal(reply.message_id, aliceMessageId + 1);
    const recorded = sim.botMessages(TOKEN).at(-1);
    assert.equal(recorded?.method, "sendMessage");
    assert.equal(recorded?.reply_to, aliceMessageId);
    assert.equal(recorded?.parse_mode, "HTML");
    assert.equal(recorded?.message_id, reply.message_id);

    const edited = await bot.telegram.editMessageText(ALICE, reply.message_id, undefined, "reworded");
    assert.ok(typeof edited === "object" && "text" in edited);
    assert.equal(edited.text, "reworded");
    assert.equal(typeof edited.edit_date, "number");
    const same = await telegramError(bot.telegram.editMessageText(ALICE, reply.message_id, undefined, "reworded"));
    assert.equal(same.code, 400);
    assert.match(same.description, /^Bad Request: message is not modified/);

    assert.equal(await bot.telegram.deleteMessage(ALICE, reply.message_id), true);
    const again = await telegramError(bot.telegram.deleteMessage(ALICE, reply.message_id));
    assert.equal(again.description, "Bad Request: message to delete not found");
    assert.deepEqual(
      sim.botMessages(TOKEN).slice(-2).map((m) => [m.method, m.message_id, m.text]),
      [["editMessageText", reply.message_id, "reworded"], ["deleteMessage", reply.message_id, undefined]],
    );
  });

  test("setMessageReaction and sendChatAction", async () => {
    assert.equal(await bot.telegram.setMessageReaction(ALICE, aliceMessageId, [{ type: "emoji", emoji: "🔥" }]), true);
    const recorded = await sim.waitForBot(TOKEN, (m) => m.method === "setMessageReaction");
    assert.deepEqual(recorded.reaction, ["🔥"]);
    assert.equal(recorded.message_id, aliceMessageId);
    // Only the emoji the Bot API lists, spelled as listed: "❤️" with U+FE0F is not one of them.
    const invalid = await telegramError(bot.telegram.setMessageReaction(ALICE, aliceMessageId, [{ type: "emoji", emoji: "❤️" as "❤" }]));
    assert.equal(invalid.description, "Bad Request: REACTION_INVALID");

    assert.equal(await bot.telegram.sendChatAction(ALICE, "typing"), true);
    assert.deepEqual(sim.chatActions(TOKEN), [{ chatId: ALICE, action: "typing" }]);
  });

  test("sendPhoto by URL (fetched by the simulator) and by upload", async () => {
    const byUrl = await bot.telegram.sendPhoto(ALICE, `${helper.base}/cat.png`, { caption: "from a URL" });
    assert.equal(helper.downloads, 1);
    assert.equal(byUrl.caption, "from a URL");
    const largest = byUrl.photo.at(-1);
    assert.equal(largest?.width, 1);
    assert.equal(largest?.height, 1);
    assert.equal(largest?.file_size, PNG.length);
    const urlRecord = sim.botMessages(TOKEN).at(-1);
    assert.deepEqual(urlRecord?.media && [urlRecord.media.type, urlRecord.media.source, urlRecord.media.length], ["photo", "url", PNG.length]);

    const uploaded = await bot.telegram.sendPhoto(ALICE, { source: PNG, filename: "dot.png" }, { caption: "uploaded" });
    assert.equal(uploaded.caption, "uploaded");
    assert.notEqual(uploaded.photo.at(-1)?.file_id, largest?.file_id);
    const upRecord = sim.botMessages(TOKEN).at(-1);
    assert.deepEqual(upRecord?.media && [upRecord.media.type, upRecord.media.source, upRecord.media.length], ["photo", "upload", PNG.length]);

    const notImage = await telegramError(bot.telegram.sendPhoto(ALICE, { source: Buffer.from("not a picture") }));
    assert.equal(notImage.description, "Bad Request: IMAGE_PROCESS_FAILED");
  });

  test("getFile and the file download of a user's photo; over 20 MB is refused", async () => {
    const msg = sim.userSendsPhoto(TOKEN, ALICE, PNG, { caption: "look" });
    const photo = msg.photo?.at(-1);
    assert.ok(photo);
    const file = await bot.telegram.getFile(photo.file_id);
    assert.equal(file.file_size, PNG.length);
    assert.match(file.file_path ?? "", /^photos\/file_\d+\.jpg$/);
    const link = await bot.telegram.getFileLink(photo.file_id);
    assert.equal(link.href, `${sim.url}/file/bot${TOKEN}/${file.file_path}`);
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);

    const big = sim.userSendsDocument(TOKEN, ALICE, Buffer.from("head"), { fileName: "film.mkv", size: 25 * 1024 * 1024 });
    assert.equal(big.document?.file_size, 25 * 1024 * 1024);
    const tooBig = await telegramError(bot.telegram.getFile(big.document?.file_id ?? ""));
    assert.equal(tooBig.description, "Bad Request: file is too big");
  });

  test("errors: 429 with retry_after, 403 for a user who never started the bot, limits, 401 after revoke", async () => {
    sim.injectFailures(TOKEN, 1, { status: 429, retryAfter: 7 });
    const limited = await telegramError(bot.telegram.sendMessage(ALICE, "too fast"));
    assert.equal(limited.code, 429);
    assert.equal(limited.parameters?.retry_after, 7);
    assert.equal(limited.description, "Too Many Requests: retry after 7");
    assert.equal((await bot.telegram.sendMessage(ALICE, "later")).text, "later");

    const forbidden = await telegramError(bot.telegram.sendMessage(BOB, "hi Bob"));
    assert.equal(forbidden.code, 403);
    assert.equal(forbidden.description, "Forbidden: bot can't initiate conversation with a user");
    const unknown = await telegramError(bot.telegram.sendMessage(999_999, "anyone?"));
    assert.equal(unknown.description, "Bad Request: chat not found");
    const long = await telegramError(bot.telegram.sendMessage(ALICE, "x".repeat(4097)));
    assert.equal(long.description, "Bad Request: message is too long");

    const raw = await fetch(`${sim.url}/bot${TOKEN}/sendMessage`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    assert.equal(raw.status, 400);
    assert.equal(((await raw.json()) as { error_code: number }).error_code, 400);

    const revokedToken = "5151:AArevoked";
    sim.addBot({ token: revokedToken, id: 5151, username: "revoked_test_bot" });
    const other = client(revokedToken);
    assert.equal((await other.telegram.getMe()).id, 5151);
    sim.revokeBot(revokedToken);
    const unauthorized = await telegramError(other.telegram.getMe());
    assert.equal(unauthorized.code, 401);
    assert.equal(unauthorized.description, "Unauthorized");
  });

  test("webhook mode posts updates with the secret token and retries a failed delivery", async () => {
    const hookToken = "6161:AAwebhook";
    sim.addBot({ token: hookToken, id: 6161, username: "webhook_test_bot" });
    const hookBot = client(hookToken);
    assert.equal(await hookBot.telegram.setWebhook(`${helper.base}/tg-hook`, { secret_token: "s3cret-Token_1" }), true);
    const conflict = await telegramError(hookBot.telegram.getUpdates(0, 100, 0, undefined));
    assert.equal(conflict.code, 409);

    const sent = sim.userSends(hookToken, ALICE, "via webhook");
    await until(() => (helper.hooks.length >= 2 ? true : undefined));
    const [failed, delivered] = helper.hooks;
    assert.equal(failed?.update.update_id, delivered?.update.update_id, "the failed delivery is retried, not skipped");
    assert.equal(delivered?.secret, "s3cret-Token_1");
    assert.ok(delivered && "message" in delivered.update && "text" in delivered.update.message);
    assert.equal(delivered.update.message.text, "via webhook");
    assert.equal(delivered.update.message.message_id, sent.message_id);

    // The update is confirmed once the simulator has read the 200, a moment after the post arrived.
    let info = await hookBot.telegram.getWebhookInfo();
    for (let i = 0; i < 100 && info.pending_update_count > 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      info = await hookBot.telegram.getWebhookInfo();
    }
    assert.equal(info.url, `${helper.base}/tg-hook`);
    assert.equal(info.pending_update_count, 0);
    assert.equal(info.last_error_message, "Wrong response from the webhook: 500");
    assert.equal(await hookBot.telegram.deleteWebhook(), true);
    assert.equal((await hookBot.telegram.getWebhookInfo()).url, "");
  });
});
