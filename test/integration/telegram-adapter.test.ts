// The Telegram adapter driven directly (no XMPP, no database) against the Telegram simulator
// through telegraf's real `Telegram` client. The core's side (sink, cursors, broken accounts) is a
// small in-memory fake; webhooks are served by a bare node:http server at `publicUrl`, and files
// sent by URL come from another one.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Telegram } from "telegraf";
import type { Account, Adapter, WebhookRoute } from "../../src/core/adapter.ts";
import { createTelegramAdapter, type TelegramAdapterConfig } from "../../adapters/telegram/index.ts";
import { webhookSecrets } from "../../adapters/telegram/webhook.ts";
import { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { FakeHost, registrationContext as ctx, rejectsWithGatewayError as rejects, until } from "../support/fakeHost.ts";

const BOT = { token: "7001:AAmain-bot-secret_0001", id: 7001, username: "alice_gw_bot" };
const OTHER = { token: "7004:AAother-bot-secret_004", id: 7004, username: "other_gw_bot" };
const REVOKED = { token: "7002:AArevoke-bot-secret_02", id: 7002, username: "revoke_me_bot" };
const RENEWED_TOKEN = "7002:AArenewed-bot-secret_02";
const RESTART = { token: "7005:AArestart-bot-secret_05", id: 7005, username: "restart_gw_bot" };
const HOOKED = { token: "7003:AAwebhook-bot-secret_03", id: 7003, username: "hooked_gw_bot" };
const ALICE = 1001; // writes to every bot
const BOB = 1002; // never starts any bot
const CAROL = 1003; // in the group
const DAVE = 1004; // rate-limited
const GROUP = -100200;
// A real 1×1 PNG: the simulator decodes photos it is given by URL.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n% not much of a document\n");

/** A tiny HTTP server: the adapter's webhook routes (prefix-aware) plus static files. */
async function serve(routes: () => WebhookRoute[]): Promise<{ url: string; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const files: Record<string, { type: string; body: Buffer }> = {
    "/cat.png": { type: "image/png", body: PNG },
    "/picture": { type: "image/png", body: PNG },
    "/notes.pdf": { type: "application/pdf", body: PDF },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const file = files[path];
      if (file && (req.method === "GET" || req.method === "HEAD")) {
        if (req.method === "HEAD") heads.push(path);
        return void res.writeHead(200, { "content-type": file.type, "content-length": file.body.length }).end(req.method === "GET" ? file.body : undefined);
      }
      const route = routes().find((r) => r.method === req.method && (r.prefix ? path.startsWith(r.path) : path === r.path));
      if (!route) return void res.writeHead(404).end();
      route
        .handle({ method: req.method ?? "POST", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) })
        .then((out) => res.writeHead(out.status, { "content-type": out.contentType ?? "text/plain" }).end(out.body))
        .catch(() => res.writeHead(599).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const accountOf = (b: { token: string; id: number; username: string }, cursor?: string): Account => ({
  legacyAccountId: String(b.id),
  credentials: { token: b.token },
  settings: { username: b.username },
  ...(cursor !== undefined ? { cursor } : {}),
});
const updateIdOf = (key: string) => Number(key.split(":")[1]);

describe("Telegram adapter", () => {
  const sim = new TelegramSimulator();
  const fake = new FakeHost();
  let web: Awaited<ReturnType<typeof serve>>;
  let hooked: Adapter | undefined;
  let adapter: Adapter;
  let config: TelegramAdapterConfig;
  const extra: Adapter[] = [];
  const account = accountOf(BOT);
  let seq = 0;
  const msg = (body: string, more: { mediaUrls?: string[]; replyTo?: string } = {}) => ({ id: `part-${++seq}`, body, mediaUrls: more.mediaUrls ?? [], ...(more.replyTo ? { replyTo: more.replyTo } : {}) });

  const variant = (patch: Partial<TelegramAdapterConfig>): Adapter => {
    const a = createTelegramAdapter({ ...config, ...patch });
    extra.push(a);
    return a;
  };

  before(async () => {
    for (const b of [BOT, OTHER, REVOKED, RESTART, HOOKED]) sim.addBot(b);
    sim.addUser({ id: ALICE, firstName: "Alice", lastName: "Liddell", username: "alice_l" });
    sim.addUser({ id: BOB, firstName: "Bob", username: "bob_never" });
    sim.addUser({ id: CAROL, firstName: "Carol", lastName: "Cole" });
    sim.addUser({ id: DAVE, firstName: "Dave" });
    sim.addGroup({ id: GROUP, title: "Book club", members: [ALICE, CAROL] });
    await sim.start(0);
    web = await serve(() => hooked?.webhooks ?? []);
    config = {
      apiRoot: sim.url,
      mode: "polling",
      publicUrl: undefined,
      pollTimeoutSeconds: 1,
      pacing: { chatIntervalMs: 50, groupIntervalMs: 50, botIntervalMs: 1 },
      retryInitialMs: 50,
      requestTimeoutMs: 2_000,
    };
    adapter = createTelegramAdapter(config);
    await adapter.start(fake.host);
  });

  after(async () => {
    const t0 = Date.now();
    for (const a of [adapter, ...extra]) await a.stop();
    assert.ok(Date.now() - t0 < 1_000, "stop() ends held long polls at once");
    await web.close();
    await sim.stop();
    // No log line carries a token's secret half, whatever happened.
    const logs = JSON.stringify(fake.logLines);
    for (const t of [BOT.token, REVOKED.token, RENEWED_TOKEN, HOOKED.token]) assert.ok(!logs.includes(t.split(":")[1]!));
  });

  test("describes itself", () => {
    assert.equal(adapter.network, "telegram");
    assert.deepEqual(adapter.identity, { type: "telegram", name: "Telegram gateway" });
    assert.deepEqual(adapter.addressPrompt, {
      desc: "Enter the @username or chat id of a Telegram user who has started your bot.",
      prompt: "Telegram user",
    });
    assert.equal(adapter.maxBodyLength, 4096);
    assert.deepEqual([...adapter.capabilities].sort(), ["attachments", "edits", "reactions", "replies", "retractions", "typing"]);
    assert.deepEqual(adapter.parseAddress(" 1001 "), { ok: true, address: "1001" });
    assert.deepEqual(adapter.parseAddress("-100200"), { ok: true, address: "-100200" });
    const junk = adapter.parseAddress("call me maybe");
    assert.deepEqual(junk, { ok: false, reason: "Enter a Telegram @username or a numeric chat id." });
    assert.equal(adapter.displayName("1001"), "Telegram user 1001");
    assert.equal(adapter.displayName("-100200"), "Telegram group -100200");
    assert.deepEqual(adapter.webhooks, [], "polling mode serves no webhook");
  });

  describe("registration", () => {
    test("the form asks for the token", async () => {
      const form = await adapter.registrationForm(ctx());
      assert.deepEqual(form.fields, [{ var: "token", type: "text-private", label: "Bot token from @BotFather", required: true }]);
      assert.match(form.instructions, /@BotFather.*\/newbot/);
      const again = await adapter.registrationForm(ctx([], account));
      assert.match(again.instructions, /You are registered with @alice_gw_bot\./);
      assert.ok(!JSON.stringify(again).includes(BOT.token));
    });

    test("a good token: the bot's id, the token as a secret, a t.me link; re-registering works", async () => {
      const r = await adapter.register(ctx([String(OTHER.id)]), { token: ` ${BOT.token} ` });
      assert.deepEqual(r.account, { legacyAccountId: "7001", credentials: { token: BOT.token }, settings: { username: "alice_gw_bot" } });
      assert.equal(
        r.welcome,
        "Your Telegram bot is @alice_gw_bot: https://t.me/alice_gw_bot\nGive this link to your Telegram contacts: a bot cannot write to someone first. Whoever writes to it appears here as a contact.",
      );
      const again = await adapter.register(ctx([String(OTHER.id)], r.account), { token: BOT.token });
      assert.equal(again.account.legacyAccountId, "7001");
    });

    test("a bad, malformed or taken token; Telegram unreachable", async () => {
      const bad = await rejects(adapter.register(ctx(), { token: "7001:AAthis-is-not-it" }));
      assert.deepEqual([bad.condition, bad.message, bad.retryable], ["not-authorized", "Telegram rejected that bot token", false]);
      const short = await rejects(adapter.register(ctx(), { token: "999:nope" }));
      assert.deepEqual([short.condition, short.networkCode], ["not-authorized", "401"]);
      const malformed = await rejects(adapter.register(ctx(), { token: "7001:AA/../../getMe?x" }));
      assert.equal(malformed.condition, "not-acceptable");
      assert.match(malformed.message, /not a bot token/);
      const empty = await rejects(adapter.register(ctx(), {}));
      assert.equal(empty.condition, "not-acceptable");
      const taken = await rejects(adapter.register(ctx(["7004"]), { token: OTHER.token }));
      assert.deepEqual([taken.condition, taken.message], ["conflict", "@other_gw_bot is already registered with this gateway by another user."]);
      const offline = variant({ apiRoot: "http://127.0.0.1:1" });
      const down = await rejects(offline.register(ctx(), { token: BOT.token }));
      assert.deepEqual([down.condition, down.retryable], ["remote-server-timeout", true]);
    });
  });

  describe("receiving by long polling", () => {
    let first = 0;

    before(async () => {
      await adapter.openAccount!(account);
    });

    test("a first message: key, contact, name, ids; the cursor is saved after it", async () => {
      const sent = sim.userSends(BOT.token, ALICE, "/start");
      first = sent.message_id;
      const m = await fake.message((x) => x.body === "/start");
      assert.match(m.key, /^7001:\d+$/);
      assert.deepEqual(
        { ...m, key: undefined, sentAt: undefined },
        { key: undefined, account: "7001", from: "1001", fromName: "Alice Liddell", body: "/start", mediaUrls: [], networkId: String(sent.message_id), sentAt: undefined },
      );
      assert.equal(m.sentAt?.getTime(), sent.date * 1000);
      assert.equal(await until(() => fake.cursors.get("7001")), String(updateIdOf(m.key)));
    });

    test("text arrives exactly; a reply names its target", async () => {
      const text = `Привет <&> "quotes" 'apos' 🎉👨‍👩‍👧 \n second line\ttab`;
      const sent = sim.userSends(BOT.token, ALICE, text, { replyTo: first });
      const m = await fake.message((x) => x.networkId === String(sent.message_id));
      assert.equal(m.body, text);
      assert.equal(m.replyTo, String(first));
    });

    test("an edit and reactions", async () => {
      const sent = sim.userSends(BOT.token, ALICE, "typo heer");
      await fake.message((x) => x.networkId === String(sent.message_id));
      sim.userEdits(BOT.token, ALICE, sent.message_id, "typo here");
      const edit = await fake.event("edit", (e) => e.target === String(sent.message_id));
      assert.deepEqual({ ...edit, key: "" }, { kind: "edit", key: "", account: "7001", from: "1001", target: String(sent.message_id), body: "typo here" });
      assert.match(edit.key, /^7001:\d+$/);

      sim.userReacts(BOT.token, ALICE, sent.message_id, "❤");
      const heart = await fake.event("reaction", (e) => e.target === String(sent.message_id));
      assert.deepEqual(heart.emojis, ["❤️"], "Telegram's ❤ becomes the fully-qualified emoji clients use");
      sim.userReacts(BOT.token, ALICE, sent.message_id, null);
      const cleared = await fake.event("reaction", (e) => e.target === String(sent.message_id) && e.emojis.length === 0);
      assert.equal(cleared.from, "1001");
    });

    test("a photo arrives with its bytes; a file over 20 MB as a note", async () => {
      const photo = sim.userSendsPhoto(BOT.token, ALICE, PNG, { caption: "a cat" });
      const m = await fake.message((x) => x.networkId === String(photo.message_id));
      assert.equal(m.body, "a cat");
      assert.equal(m.attachments?.length, 1);
      const a = m.attachments![0]!;
      assert.equal(a.fileName, `photo_${photo.message_id}.png`);
      assert.equal(a.contentType, "image/png");
      assert.ok(Buffer.isBuffer(a.content) && a.content.equals(PNG));

      const big = sim.userSendsDocument(BOT.token, ALICE, Buffer.from("head"), { fileName: "film.zip", size: 25 * 1024 * 1024 });
      const bm = await fake.message((x) => x.networkId === String(big.message_id));
      assert.equal(bm.body, "");
      assert.deepEqual(bm.attachments, [
        { fileName: "film.zip", contentType: "application/zip", content: { unavailable: "file too big for Telegram bots to download (over 20 MB)" } },
      ]);
    });

    test("a group is one contact; lines carry the sender's name", async () => {
      const sent = sim.userSends(BOT.token, CAROL, "hi all", { chatId: GROUP });
      const m = await fake.message((x) => x.networkId === String(sent.message_id) && x.from === String(GROUP));
      assert.deepEqual([m.from, m.fromName, m.body], ["-100200", "Book club", "Carol Cole: hi all"]);
    });

    test("@username: known once the person wrote to that bot", () => {
      assert.deepEqual(adapter.parseAddress("@alice_l", account), { ok: true, address: "1001" });
      assert.deepEqual(adapter.parseAddress("https://t.me/Alice_L", account), { ok: true, address: "1001" });
      // Without the asker's account nothing is resolved: another user's bot must not reveal who wrote to it.
      assert.equal(adapter.parseAddress("@alice_l").ok, false);
      // Only the bot the person wrote to knows them.
      assert.equal(adapter.parseAddress("@alice_l", accountOf(OTHER)).ok, false);
      const bob = adapter.parseAddress("@bob_never", account);
      assert.deepEqual(bob, {
        ok: false,
        reason: "@bob_never has not written to your bot yet: a bot can't find people by @username until they start it. Send them your bot's link (https://t.me/alice_gw_bot).",
      });
    });

    test("a sink failure is retried: the update arrives once", async () => {
      fake.failNext = true;
      const sent = sim.userSends(BOT.token, ALICE, "retry me");
      const m = await fake.message((x) => x.networkId === String(sent.message_id));
      assert.equal(fake.offered.filter((k) => k === m.key).length, 1);
      assert.ok(fake.logLines.some((l) => l.msg === "could not pass a Telegram update on; retrying it"));
    });

    test("a restarted adapter continues from the saved cursor: nothing lost, nothing repeated", async () => {
      const h1 = new FakeHost();
      const a1 = variant({});
      await a1.start(h1.host);
      await a1.openAccount!(accountOf(RESTART));
      sim.userSends(RESTART.token, ALICE, "one");
      sim.userSends(RESTART.token, ALICE, "two");
      await until(() => (h1.messages.length === 2 ? true : undefined));
      const cursor = await until(() => (h1.cursors.get("7005") === String(updateIdOf(h1.messages[1]!.key)) ? h1.cursors.get("7005") : undefined));
      await a1.stop();

      sim.userSends(RESTART.token, ALICE, "while down");
      const h2 = new FakeHost();
      const a2 = variant({});
      await a2.start(h2.host);
      await a2.openAccount!(accountOf(RESTART, cursor));
      await h2.message((x) => x.body === "while down");
      sim.userSends(RESTART.token, ALICE, "three");
      await h2.message((x) => x.body === "three");
      await sleep(100);
      assert.deepEqual(h2.messages.map((x) => x.body), ["while down", "three"]);
      assert.deepEqual(h2.offered.filter((k) => h1.offered.includes(k)), [], "nothing the first instance took is offered again");
      assert.equal(h2.cursors.get("7005"), String(updateIdOf(h2.messages[1]!.key)));
    });

    test("a revoked token: the account is broken once and polling stops; a new token resumes", async () => {
      await adapter.openAccount!(accountOf(REVOKED));
      sim.userSends(REVOKED.token, ALICE, "before");
      await fake.message((x) => x.account === "7002" && x.body === "before");
      sim.revokeBot(REVOKED.token);
      const broken = await until(() => fake.broken.find((b) => b.account === "7002"));
      assert.match(broken.reason, /^Telegram no longer accepts your bot's token/);
      await sleep(300);
      assert.equal(fake.broken.filter((b) => b.account === "7002").length, 1, "a stopped loop does not keep knocking");
      assert.match(adapter.health().detail ?? "", /1 stopped: token refused by Telegram/);

      const refused = await rejects(adapter.send(accountOf(REVOKED), String(ALICE), msg("x")));
      assert.deepEqual([refused.condition, refused.retryable, refused.networkCode], ["not-authorized", false, "401"]);
      assert.equal(fake.broken.filter((b) => b.account === "7002").length, 2, "a refused send reports it too");

      sim.addBot({ ...REVOKED, token: RENEWED_TOKEN });
      await adapter.openAccount!({ ...accountOf(REVOKED), credentials: { token: RENEWED_TOKEN } });
      sim.userSends(RENEWED_TOKEN, ALICE, "after");
      await fake.message((x) => x.account === "7002" && x.body === "after");
      assert.doesNotMatch(adapter.health().detail ?? "", /stopped/);
    });
  });

  describe("sending", () => {
    const to = String(ALICE);

    test("text exactly, and a reply", async () => {
      const body = `<&> 🎉 Привет "x"`;
      const ref = await adapter.send(account, to, msg(body));
      const seen = await sim.waitForBot(BOT.token, (m) => m.message_id === Number(ref.networkId) && m.chat_id === ALICE);
      assert.deepEqual([seen.method, seen.text, seen.parse_mode, seen.reply_to], ["sendMessage", body, undefined, undefined]);

      const theirs = sim.userSends(BOT.token, ALICE, "question?");
      const reply = await adapter.send(account, to, msg("answer", { replyTo: String(theirs.message_id) }));
      const r = await sim.waitForBot(BOT.token, (m) => m.message_id === Number(reply.networkId) && m.chat_id === ALICE);
      assert.deepEqual([r.text, r.reply_to], ["answer", theirs.message_id]);
    });

    test("edit, delete (both idempotent), typing", async () => {
      const ref = await adapter.send(account, to, msg("draft"));
      await adapter.edit!(account, to, ref.networkId, msg("final"));
      const edit = await sim.waitForBot(BOT.token, (m) => m.method === "editMessageText" && m.message_id === Number(ref.networkId));
      assert.equal(edit.text, "final");
      await adapter.edit!(account, to, ref.networkId, msg("final"));

      await adapter.retract!(account, to, ref.networkId);
      await sim.waitForBot(BOT.token, (m) => m.method === "deleteMessage" && m.message_id === Number(ref.networkId));
      await adapter.retract!(account, to, ref.networkId);
      const gone = await rejects(adapter.edit!(account, to, ref.networkId, msg("too late")));
      assert.deepEqual([gone.condition, gone.message], ["item-not-found", "Not edited: that message no longer exists on Telegram."]);

      const before = sim.chatActions(BOT.token).length;
      await adapter.typing!(account, to, "composing");
      await adapter.typing!(account, to, "paused");
      await adapter.typing!(account, to, "active");
      assert.deepEqual(sim.chatActions(BOT.token).slice(before), [{ chatId: ALICE, action: "typing" }]);
    });

    test("reactions: Telegram's set, one at a time, cleared with none", async () => {
      const theirs = sim.userSends(BOT.token, ALICE, "react to me");
      const target = String(theirs.message_id);
      const reactions = () => sim.botMessages(BOT.token).filter((m) => m.method === "setMessageReaction" && m.message_id === theirs.message_id).map((m) => m.reaction);
      await adapter.react!(account, to, target, ["👍"]);
      await adapter.react!(account, to, target, ["👍", "❤️"]);
      await adapter.react!(account, to, target, []);
      assert.deepEqual(reactions(), [["👍"], ["❤"], []]);
      const odd = await rejects(adapter.react!(account, to, target, ["😺"]));
      assert.deepEqual([odd.condition, odd.retryable], ["not-acceptable", false]);
      assert.match(odd.message, /^Reaction not set: Telegram bots can't react with 😺;/);
      assert.equal(reactions().length, 3);
    });

    test("files by URL: the method follows the extension or the HEAD content type", async () => {
      const photo = await adapter.send(account, to, msg("look", { mediaUrls: [`${web.url}/cat.png`] }));
      const p = await sim.waitForBot(BOT.token, (m) => m.message_id === Number(photo.networkId) && m.chat_id === ALICE);
      assert.deepEqual([p.method, p.caption, p.media?.type, p.media?.length, p.media?.source], ["sendPhoto", "look", "photo", PNG.length, "url"]);
      assert.deepEqual(web.heads, [], "an extension needs no HEAD");

      const bare = await adapter.send(account, to, msg("", { mediaUrls: [`${web.url}/picture`] }));
      const b = await sim.waitForBot(BOT.token, (m) => m.message_id === Number(bare.networkId) && m.chat_id === ALICE);
      assert.deepEqual([b.method, b.caption, web.heads], ["sendPhoto", undefined, ["/picture"]]);

      const long = "x".repeat(1500);
      const doc = await adapter.send(account, to, msg(long, { mediaUrls: [`${web.url}/notes.pdf`] }));
      const [d, t] = sim.botMessages(BOT.token).slice(-2);
      assert.deepEqual([d?.method, d?.media?.file_name, d?.media?.length, d?.caption], ["sendDocument", "notes.pdf", PDF.length, undefined]);
      assert.deepEqual([t?.method, t?.text, String(t?.message_id)], ["sendMessage", long, doc.networkId], "a body too long for a caption follows as text");
    });

    test("a group gets what the user writes to it; contact info from getChat", async () => {
      const ref = await adapter.send(account, String(GROUP), msg("hello club"));
      const seen = await sim.waitForBot(BOT.token, (m) => m.chat_id === GROUP && m.message_id === Number(ref.networkId));
      assert.equal(seen.text, "hello club");
      assert.deepEqual(await adapter.contactInfo!(account, to), { name: "Alice Liddell", username: "alice_l" });
      assert.deepEqual(await adapter.contactInfo!(account, String(GROUP)), { name: "Book club" });
    });

    test("someone who never started the bot; an unknown chat", async () => {
      const err = await rejects(adapter.send(account, String(BOB), msg("hello?")));
      assert.deepEqual([err.condition, err.type, err.retryable, err.networkCode], ["recipient-unavailable", "cancel", false, "403"]);
      assert.equal(err.message, "This person has not started your bot yet: send them https://t.me/alice_gw_bot");
      const unknown = await rejects(adapter.send(account, "987654", msg("anyone?")));
      assert.deepEqual([unknown.condition, unknown.retryable], ["item-not-found", false]);
      const junk = await rejects(adapter.send(account, "@alice_l", msg("x")));
      assert.equal(junk.condition, "item-not-found");
    });

    test("429 is transient with Telegram's retry_after; 500 is transient", async () => {
      sim.userSends(BOT.token, DAVE, "hi");
      sim.injectFailures(BOT.token, 1, { status: 429, retryAfter: 3 });
      const limited = await rejects(adapter.send(account, String(DAVE), msg("too fast")));
      assert.deepEqual([limited.condition, limited.retryable, limited.retryAfterMs, limited.networkCode], ["remote-server-timeout", true, 3_000, "429"]);
      sim.injectFailures(BOT.token, 1, { status: 500 });
      const broken = await rejects(adapter.send(account, to, msg("server trouble")));
      assert.deepEqual([broken.retryable, broken.networkCode], [true, "500"]);
      assert.ok(!sim.botMessages(BOT.token).some((m) => m.text === "too fast" || m.text === "server trouble"));
    });

    test("pacing: sends to one chat are spaced by the chat interval, none dropped", async () => {
      const bodies = ["p1", "p2", "p3", "p4", "p5"];
      const t0 = Date.now();
      await Promise.all(bodies.map((b) => adapter.send(account, to, msg(b))));
      const seen = sim.botMessages(BOT.token).filter((m) => m.chat_id === ALICE && bodies.includes(m.text ?? ""));
      assert.deepEqual(seen.map((m) => m.text).sort(), bodies);
      // Arrival times at the simulator include each request's time in transit, which varies on a
      // busy machine and can shrink one gap while widening the next: the span over all of them is
      // what pacing guarantees (unpaced, all five arrive within a few ms).
      const gaps = seen.slice(1).map((m, i) => m.at - seen[i]!.at);
      const span = seen.at(-1)!.at - seen[0]!.at;
      assert.ok(span >= 4 * 50 - 30, `four gaps of about 50 ms, got ${gaps.join(", ")} (span ${span} ms)`);
      assert.ok(Date.now() - t0 >= 200);
    });
  });

  describe("webhook mode", () => {
    const fw = new FakeHost();
    const tg = () => new Telegram(HOOKED.token, { apiRoot: `${sim.url}/` });

    before(async () => {
      hooked = variant({ mode: "webhook", publicUrl: web.url });
      await hooked.start(fw.host);
      await hooked.openAccount!(accountOf(HOOKED));
    });

    test("setWebhook with a derived path and secret token; updates reach the sink", async () => {
      await until(() => (sim.methodCalls(HOOKED.token).some((c) => c.method === "setWebhook") ? true : undefined));
      const wh = await tg().getWebhookInfo();
      const secrets = webhookSecrets(HOOKED.token);
      assert.equal(wh.url, `${web.url}/webhooks/telegram/${secrets.path}`);
      assert.ok(!wh.url.includes(HOOKED.token.split(":")[1]!) && !wh.url.includes("7003"));
      assert.deepEqual([wh.max_connections, wh.allowed_updates], [1, ["message", "edited_message", "message_reaction"]]);
      assert.deepEqual(hooked!.webhooks.map((r) => [r.method, r.path, r.prefix]), [["POST", "/webhooks/telegram/", true]]);

      const sent = sim.userSends(HOOKED.token, ALICE, "via webhook");
      const m = await fw.message((x) => x.networkId === String(sent.message_id));
      assert.deepEqual([m.account, m.from, m.body], ["7003", "1001", "via webhook"]);
    });

    test("a forged or missing secret → 403, an unknown path → 404; nothing reaches the sink", async () => {
      const { path } = webhookSecrets(HOOKED.token);
      const update = { update_id: 5, message: { message_id: 99, date: 0, chat: { id: ALICE, type: "private" }, from: { id: ALICE, is_bot: false, first_name: "Mallory" }, text: "forged" } };
      const post = (p: string, headers: Record<string, string>) =>
        fetch(`${web.url}/webhooks/telegram/${p}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(update) });
      const before = fw.offered.length;
      assert.equal((await post(path, { "x-telegram-bot-api-secret-token": "forged" })).status, 403);
      assert.equal((await post(path, {})).status, 403);
      assert.equal((await post("not-a-bot", { "x-telegram-bot-api-secret-token": webhookSecrets(HOOKED.token).header })).status, 404);
      assert.equal(fw.offered.length, before);
      assert.ok(fw.logLines.some((l) => l.msg === "refused a Telegram webhook with a wrong secret token"));

      const good = await post(path, { "x-telegram-bot-api-secret-token": webhookSecrets(HOOKED.token).header });
      assert.equal(good.status, 200);
      assert.equal(fw.messages.at(-1)?.key, "7003:5");
    });

    test("a failing sink → 500, and Telegram's retry delivers the update once", async () => {
      fw.failNext = true;
      const sent = sim.userSends(HOOKED.token, ALICE, "retried by Telegram");
      const m = await fw.message((x) => x.networkId === String(sent.message_id));
      assert.equal(fw.offered.filter((k) => k === m.key).length, 1);
      assert.match((await tg().getWebhookInfo()).last_error_message ?? "", /500/);
    });

    test("unregistering removes the webhook", async () => {
      await hooked!.unregistered!(accountOf(HOOKED));
      assert.equal((await tg().getWebhookInfo()).url, "");
    });
  });
});
