// Telegram through the whole gateway: a person registers their bot, Telegram users write to it,
// and the two hold a conversation from an ordinary XMPP client — text, edits, replies, deletions,
// reactions, typing, photos both ways, a group, pacing under 429, a revoked token, and a restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { TELEGRAM_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import { IqError, type TestUser } from "../support/xmppUser.ts";

const TOKEN = "123456:secret-bot-token-for-tests";
const BOT_ID = 123456;
const ANNA = { id: 5001, firstName: "Anna", lastName: "Petrova", username: "anna_p" };
const GROUP = { id: -100777, title: "Book club", members: [5001, 5002] };
const anna = `${ANNA.id}@${TELEGRAM_DOMAIN}`;
const group = `${GROUP.id}@${TELEGRAM_DOMAIN}`;

let fx: Fixture;
let alice: TestUser;
let files: http.Server;
let filesUrl = "";
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

const tg = () => fx.sims.telegram!;
const bodyOf = (el: Element) => el.getChildText("body");
const chat = (to: string, body: string, ...children: Element[]) =>
  xml("message", { type: "chat", to, id: randomUUID() }, xml("body", {}, body), ...children);

before(async () => {
  fx = await startFixture({ networks: ["sms", "telegram"] });
  tg().addBot({ token: TOKEN, id: BOT_ID, username: "alice_relay_bot", firstName: "Alice relay" });
  tg().addUser(ANNA);
  tg().addUser({ id: 5002, firstName: "Boris" });
  tg().addGroup(GROUP);
  files = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.end(PNG);
  });
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", () => r()));
  filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}/cat.png`;
  alice = await fx.user("alice");
});
after(async () => {
  files?.close();
  await fx?.close();
});

describe("registration", () => {
  test("the domain is a Telegram gateway advertising what Telegram can carry", async () => {
    const res = await alice.iq(xml("iq", { type: "get", to: TELEGRAM_DOMAIN }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })));
    const q = res.getChild("query")!;
    assert.equal(q.getChild("identity")!.attrs.type, "telegram");
    const features = q.getChildren("feature").map((f) => f.attrs.var);
    for (const f of ["urn:xmpp:message-correct:0", "urn:xmpp:message-retract:1", "urn:xmpp:reactions:0", "urn:xmpp:reply:0", "http://jabber.org/protocol/chatstates"]) {
      assert.ok(features.includes(f), `missing ${f}`);
    }
  });

  test("a bad token is refused with not-authorized; a good one registers and gives the t.me link", async () => {
    const bad = await fx.register(alice, TELEGRAM_DOMAIN, { token: "999:nope" }).then(() => assert.fail("accepted a bad token"), (e: unknown) => e);
    assert.ok(bad instanceof IqError);
    assert.equal(bad.condition, "not-authorized");
    await fx.register(alice, TELEGRAM_DOMAIN, { token: TOKEN });
    const welcome = await alice.waitFor(is.message(TELEGRAM_DOMAIN, (m) => bodyOf(m) !== null), { what: "welcome" });
    assert.match(bodyOf(welcome)!, /t\.me\/alice_relay_bot/);
    const raw = await fx.app!.db.ds.query(`SELECT credentials FROM registrations WHERE network = 'telegram'`);
    assert.ok(!String(raw[0].credentials).includes("secret-bot-token"), "the token is stored encrypted");
  });
});

describe("conversation", () => {
  let firstStanzaId = "";

  test("a Telegram user's first message asks to subscribe with their name, then arrives exactly", async () => {
    const text = "Привет! <b>&amp;</b> 👋🏽 \"quotes\"";
    tg().userSends(TOKEN, ANNA.id, text);
    const sub = await alice.waitFor(is.presence(anna, "subscribe"), { what: "subscription request", timeoutMs: 10_000 });
    assert.equal(sub.getChildText("nick", "http://jabber.org/protocol/nick"), "Anna Petrova");
    const msg = await alice.waitFor(is.message(anna, (m) => bodyOf(m) !== null), { what: "the message" });
    assert.equal(bodyOf(msg), text);
    firstStanzaId = msg.attrs.id!;
  });

  test("text, a reply and a correction from XMPP reach Telegram", async () => {
    const hello = chat(anna, "Hi Anna <3 & welcome 🎉");
    await alice.send(hello);
    const sent = await tg().waitForBot(TOKEN, (m) => m.method === "sendMessage" && m.text === "Hi Anna <3 & welcome 🎉", 5000);
    const reply = chat(anna, "answering you", xml("reply", { xmlns: "urn:xmpp:reply:0", id: firstStanzaId, to: anna }));
    await alice.send(reply);
    const replied = await tg().waitForBot(TOKEN, (m) => m.method === "sendMessage" && m.text === "answering you", 5000);
    assert.ok(replied.reply_to, "sent as a Telegram reply");
    await alice.send(chat(anna, "Hi Anna, welcome!", xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: hello.attrs.id })));
    const edited = await tg().waitForBot(TOKEN, (m) => m.method === "editMessageText", 5000);
    assert.equal(edited.message_id, sent.message_id);
    assert.equal(edited.text, "Hi Anna, welcome!");
  });

  test("a reaction and a retraction from XMPP reach Telegram", async () => {
    const oops = chat(anna, "sent by mistake");
    await alice.send(oops);
    const sent = await tg().waitForBot(TOKEN, (m) => m.text === "sent by mistake", 5000);
    await alice.send(xml("message", { type: "chat", to: anna, id: randomUUID() }, xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: firstStanzaId }, xml("reaction", {}, "👍"))));
    const reacted = await tg().waitForBot(TOKEN, (m) => m.method === "setMessageReaction", 5000);
    assert.deepEqual(reacted.reaction, ["👍"]);
    await alice.send(xml("message", { type: "chat", to: anna, id: randomUUID() }, xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: oops.attrs.id })));
    const deleted = await tg().waitForBot(TOKEN, (m) => m.method === "deleteMessage", 5000);
    assert.equal(deleted.message_id, sent.message_id);
  });

  test("typing in XMPP shows as typing in Telegram", async () => {
    await alice.send(xml("message", { type: "chat", to: anna }, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" })));
    await waitUntil(() => tg().chatActions(TOKEN).some((a) => a.chatId === ANNA.id && a.action === "typing"), 5000, "sendChatAction");
  });

  test("edits, replies and reactions from Telegram arrive as XEP-0308, XEP-0461 and XEP-0444", async () => {
    const original = tg().userSends(TOKEN, ANNA.id, "see you at 5");
    const msg = await alice.waitFor(is.message(anna, (m) => bodyOf(m) === "see you at 5"), { what: "original" });
    tg().userEdits(TOKEN, ANNA.id, original.message_id, "see you at 6");
    const correction = await alice.waitFor(is.message(anna, (m) => m.getChild("replace", "urn:xmpp:message-correct:0") !== undefined), { what: "correction" });
    assert.equal(correction.getChild("replace", "urn:xmpp:message-correct:0")!.attrs.id, msg.attrs.id);
    assert.equal(bodyOf(correction), "see you at 6");
    tg().userSends(TOKEN, ANNA.id, "re: that", { replyTo: original.message_id });
    const reply = await alice.waitFor(is.message(anna, (m) => bodyOf(m) === "re: that"), { what: "reply" });
    assert.equal(reply.getChild("reply", "urn:xmpp:reply:0")?.attrs.id, msg.attrs.id);
    tg().userReacts(TOKEN, ANNA.id, original.message_id, "❤");
    const reaction = await alice.waitFor(is.message(anna, (m) => m.getChild("reactions", "urn:xmpp:reactions:0") !== undefined), { what: "reaction" });
    assert.equal(reaction.getChild("reactions", "urn:xmpp:reactions:0")!.attrs.id, msg.attrs.id);
    // Telegram's plain heart is the emoji clients show as ❤️ (with the emoji variation selector).
    assert.equal(reaction.getChild("reactions", "urn:xmpp:reactions:0")!.getChildText("reaction"), "❤️");
  });

  test("a photo from Telegram arrives as a link the user's client can fetch; one from XMPP is sent as a photo", async () => {
    tg().userSendsPhoto(TOKEN, ANNA.id, PNG, { caption: "my cat" });
    const msg = await alice.waitFor(is.message(anna, (m) => m.getChild("x", "jabber:x:oob") !== undefined), { what: "photo", timeoutMs: 10_000 });
    const url = msg.getChild("x", "jabber:x:oob")!.getChildText("url")!;
    assert.ok(url.startsWith(fx.publicUrl + "/media/"), url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
    const guessed = await fetch(url.replace(/\/media\/[^/]+\//, "/media/" + "A".repeat(43) + "/"));
    assert.equal(guessed.status, 404, "no file without its token");

    await alice.send(xml("message", { type: "chat", to: anna, id: randomUUID() }, xml("body", {}, filesUrl), xml("x", { xmlns: "jabber:x:oob" }, xml("url", {}, filesUrl))));
    const photo = await tg().waitForBot(TOKEN, (m) => m.method === "sendPhoto", 5000);
    assert.equal(photo.media?.length, PNG.length);
  });

  test("a group the bot is in is one contact; messages carry the sender's name; replies go to the group", async () => {
    tg().userSends(TOKEN, 5002, "hello club", { chatId: GROUP.id });
    const msg = await alice.waitFor(is.message(group, (m) => bodyOf(m) !== null), { what: "group message", timeoutMs: 10_000 });
    assert.equal(bodyOf(msg), "Boris: hello club");
    await alice.send(chat(group, "hi all"));
    const sent = await tg().waitForBot(TOKEN, (m) => m.text === "hi all", 5000);
    assert.equal(sent.chat_id, GROUP.id);
  });

  test("a message to someone who never started the bot comes back as an error saying so", async () => {
    tg().addUser({ id: 5003, firstName: "Stranger" });
    const msg = chat(`5003@${TELEGRAM_DOMAIN}`, "hello?");
    await alice.send(msg);
    const err = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === msg.attrs.id, { what: "error", timeoutMs: 10_000 });
    assert.match(err.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")!, /t\.me\/alice_relay_bot/);
  });

  test("Telegram's 429 is obeyed: the message is sent once after retry_after", async () => {
    tg().injectFailures(TOKEN, 1, { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    await alice.send(chat(anna, "after a pause"));
    const sent = await tg().waitForBot(TOKEN, (m) => m.text === "after a pause", 10_000);
    assert.ok(sent.at - t0 >= 900, "waited for retry_after");
    assert.equal(tg().botMessages(TOKEN).filter((m) => m.text === "after a pause").length, 1);
  });
});

describe("restart and revocation", () => {
  test("updates sent while the gateway is down arrive once, in order, after it restarts", async () => {
    await fx.stopGateway();
    // One getUpdates answer with texts and a photo between them: the texts share a commit, the
    // photo takes the one-by-one path, and the user still sees them in Telegram's order.
    for (let i = 0; i < 3; i++) tg().userSends(TOKEN, ANNA.id, `while down ${i}`);
    tg().userSendsPhoto(TOKEN, ANNA.id, PNG, { caption: "while down 3" });
    for (let i = 4; i < 8; i++) tg().userSends(TOKEN, ANNA.id, `while down ${i}`);
    await fx.startGateway();
    const got: string[] = [];
    for (let i = 0; i < 8; i++) {
      const m = await alice.waitFor(is.message(anna, (m) => bodyOf(m)?.startsWith("while down") ?? false), { what: `update ${i}`, timeoutMs: 10_000 });
      got.push(bodyOf(m)!.split("\n")[0]!);
    }
    assert.deepEqual(got, Array.from({ length: 8 }, (_, i) => `while down ${i}`));
    await fx.stopGateway();
    await fx.startGateway();
    await alice.expectNone(is.message(anna, (m) => bodyOf(m)?.startsWith("while down") ?? false), 1500);
  });

  test("a revoked token marks the registration broken and tells the user", async () => {
    tg().revokeBot(TOKEN);
    const notice = await alice.waitFor(is.message(TELEGRAM_DOMAIN, (m) => /needs attention/.test(bodyOf(m) ?? "")), { what: "notice", timeoutMs: 40_000 });
    assert.ok(notice);
    await alice.waitFor(is.presence(TELEGRAM_DOMAIN, "error"), { what: "presence error" });
    const rows = await fx.app!.db.ds.query(`SELECT state FROM registrations WHERE network = 'telegram'`);
    assert.deepEqual(rows, [{ state: "broken" }]);
  });
});

describe("receipts and contact details", () => {
  test("a receipt comes back once Telegram accepted the message; the contact has a vCard", async () => {
    // Runs after the revocation above: register the bot again with a fresh token first.
    const token = "123456:fresh-token-after-revocation";
    tg().addBot({ token, id: BOT_ID, username: "alice_relay_bot", firstName: "Alice relay" });
    await fx.register(alice, TELEGRAM_DOMAIN, { token });
    const msg = chat(anna, "receipt please", xml("request", { xmlns: "urn:xmpp:receipts" }));
    await alice.send(msg);
    const receipt = await alice.waitFor(is.message(anna, (m) => m.getChild("received", "urn:xmpp:receipts")?.attrs.id === msg.attrs.id), { what: "receipt", timeoutMs: 10_000 });
    assert.ok(receipt);
    const vcard = await alice.iq(xml("iq", { type: "get", to: anna }, xml("vCard", { xmlns: "vcard-temp" })));
    assert.equal(vcard.getChild("vCard", "vcard-temp")!.getChildText("FN"), "Anna Petrova");
    assert.match(vcard.getChild("vCard", "vcard-temp")!.getChildText("NICKNAME") ?? "", /anna_p/);
  });
});
