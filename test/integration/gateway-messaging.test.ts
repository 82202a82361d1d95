// Messages both ways between a real XMPP client and the Twilio simulator, through Prosody, the
// gateway, PostgreSQL and the real twilio SDK: bodies, contacts, receipts, errors and retries.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { randomUUID } from "node:crypto";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import type { TestUser } from "../support/xmppUser.ts";

let fx: Fixture;
let alice: TestUser;
const ALICE_NUMBER = POOL[0]!;
const jidOf = (n: string) => `${n}@${SMS_DOMAIN}`;
const chat = (to: string, body: string, extra: Record<string, string> = {}) =>
  xml("message", { type: "chat", to, id: randomUUID(), ...extra }, xml("body", {}, body));

before(async () => {
  fx = await startFixture({ retryBudgetSeconds: 3, initialBackoffMs: 200 });
  alice = await fx.user("alice");
  await fx.registerSms(alice, { number: ALICE_NUMBER });
});
after(async () => {
  await fx?.close();
});

describe("XMPP → SMS", () => {
  test("a chat message becomes an SMS from the user's number with the body exactly", async () => {
    const body = `Tags <b> & "quotes" 'apostrophes' 😀🇺🇦 Привет 你好 مرحبا`;
    await alice.send(chat(jidOf("+15550102000"), body));
    const sms = await fx.twilio.waitForSent((m) => m.to === "+15550102000", 5000);
    assert.equal(sms.from, ALICE_NUMBER);
    assert.equal(sms.body, body);
  });

  test("a normal message is sent too; chat states alone are not", async () => {
    const to = "+15550102001";
    await alice.send(xml("message", { type: "chat", to: jidOf(to) }, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" })));
    await alice.send(xml("message", { to: jidOf(to), id: randomUUID() }, xml("body", {}, "normal type")));
    const sms = await fx.twilio.waitForSent((m) => m.to === to, 5000);
    assert.equal(sms.body, "normal type");
    assert.equal(fx.twilio.sent.filter((m) => m.to === to).length, 1);
  });

  test("bodies over 1,600 characters are split in order", async () => {
    const to = "+15550102002";
    const body = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ").padEnd(3500, "x");
    await alice.send(chat(jidOf(to), body));
    await waitUntil(() => fx.twilio.sent.filter((m) => m.to === to).length >= 3, 5000, "three parts");
    const parts = fx.twilio.sent.filter((m) => m.to === to);
    assert.equal(parts.length, 3);
    for (const p of parts) assert.ok(p.body.length <= 1600);
    assert.equal(parts.map((p) => p.body).join(""), body);
  });

  test("messages to one contact keep their order", async () => {
    const to = "+15550102003";
    for (let i = 0; i < 10; i++) await alice.send(chat(jidOf(to), `n${i}`));
    await waitUntil(() => fx.twilio.sent.filter((m) => m.to === to).length === 10, 5000, "ten messages");
    assert.deepEqual(fx.twilio.sent.filter((m) => m.to === to).map((m) => m.body), Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  test("a client resending a message with the same id (after a reconnect) sends one SMS", async () => {
    const to = "+15550102009";
    const first = chat(jidOf(to), "only once");
    // Back to back, then again once the first has gone out.
    await alice.send(first);
    await alice.send(first);
    await fx.twilio.waitForSent((m) => m.to === to, 5000);
    await alice.send(first);
    await alice.send(chat(jidOf(to), "after the resends"));
    await waitUntil(() => fx.twilio.sent.some((m) => m.to === to && m.body === "after the resends"), 5000, "the next message");
    assert.deepEqual(fx.twilio.sent.filter((m) => m.to === to).map((m) => m.body), ["only once", "after the resends"]);
  });

  test("a delivery receipt comes back when Twilio reports delivered", async () => {
    const msg = chat(jidOf("+15550102004"), "receipt please");
    msg.append(xml("request", { xmlns: "urn:xmpp:receipts" }));
    await alice.send(msg);
    const receipt = await alice.waitFor(is.message(jidOf("+15550102004"), (m) => m.getChild("received", "urn:xmpp:receipts") !== undefined), { what: "receipt" });
    assert.equal(receipt.getChild("received", "urn:xmpp:receipts")!.attrs.id, msg.attrs.id);
  });

  test("a message sent as several SMS gets one receipt, once every part is delivered", async () => {
    const to = "+15550102013";
    const msg = chat(jidOf(to), "x".repeat(1600) + "y".repeat(900));
    msg.append(xml("request", { xmlns: "urn:xmpp:receipts" }));
    await alice.send(msg);
    const receipt = await alice.waitFor(is.message(jidOf(to), (m) => m.getChild("received", "urn:xmpp:receipts") !== undefined), { what: "receipt" });
    assert.equal(receipt.getChild("received", "urn:xmpp:receipts")!.attrs.id, msg.attrs.id);
    const parts = fx.twilio.sent.filter((m) => m.to === to);
    assert.equal(parts.length, 2, "sent as two SMS");
    assert.ok(parts.every((m) => m.status === "delivered"), "the receipt waited for both parts");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alice.received.filter((m) => m.getChild("received", "urn:xmpp:receipts")?.attrs.id === msg.attrs.id).length, 1, "one receipt");
  });

  test("an undelivered SMS becomes a message error naming Twilio's code in plain words", async () => {
    const to = "+15550102005";
    fx.twilio.setOutcome(to, { status: "undelivered", errorCode: 21610 });
    const msg = chat(jidOf(to), "are you there?");
    await alice.send(msg);
    const error = await alice.waitFor(is.message(jidOf(to), (m) => m.attrs.type === "error"), { what: "message error" });
    assert.equal(error.attrs.id, msg.attrs.id);
    const text = error.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")!;
    assert.match(text, /21610/);
    assert.match(text, /opted out|STOP/i);
  });

  test("Twilio answering 429 and then 500 is retried until the SMS is sent once", async () => {
    const to = "+15550102006";
    fx.twilio.injectFailures(1, { status: 429, retryAfterSeconds: 1 });
    fx.twilio.injectFailures(1, { status: 500 });
    const before = fx.twilio.createCalls;
    await alice.send(chat(jidOf(to), "retry me"));
    await fx.twilio.waitForSent((m) => m.to === to, 8000);
    assert.equal(fx.twilio.sent.filter((m) => m.to === to).length, 1);
    assert.ok(fx.twilio.createCalls - before >= 3, "two failed attempts and one success");
  });

  test("Twilio down for longer than the retry budget gives remote-server-timeout", async () => {
    const to = "+15550102007";
    fx.twilio.injectFailures(1000, { status: 503 });
    const msg = chat(jidOf(to), "nobody home");
    await alice.send(msg);
    const error = await alice.waitFor(is.message(jidOf(to), (m) => m.attrs.type === "error"), { what: "timeout error", timeoutMs: 15_000 });
    fx.twilio.clearFailures();
    assert.ok(error.getChild("error")!.getChild("remote-server-timeout", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert.equal(fx.twilio.sent.filter((m) => m.to === to).length, 0);
  });

  test("an unregistered sender gets registration-required; a bad number item-not-found", async () => {
    const mallory = await fx.user("mallory");
    const m1 = chat(jidOf("+15550102008"), "hi");
    await mallory.send(m1);
    const e1 = await mallory.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === m1.attrs.id, { what: "bounce" });
    assert.ok(e1.getChild("error")!.getChild("registration-required", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    const m2 = chat(`notanumber@${SMS_DOMAIN}`, "hi");
    await alice.send(m2);
    const e2 = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === m2.attrs.id, { what: "bounce" });
    assert.ok(e2.getChild("error")!.getChild("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert.ok(e2.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  });
});

describe("SMS → XMPP", () => {
  test("a first SMS from a new number asks to subscribe with a nickname, then arrives as chat", async () => {
    const from = "+15550103000";
    const body = `Reply <&> "ok" 👍 Ελληνικά`;
    const res = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body });
    assert.equal(res.status, 200);
    const sub = await alice.waitFor(is.presence(jidOf(from), "subscribe"), { what: "subscription request" });
    assert.equal(sub.getChildText("nick", "http://jabber.org/protocol/nick"), "+1 555 010 3000");
    const msg = await alice.waitFor(is.message(jidOf(from)), { what: "the SMS" });
    assert.equal(msg.attrs.type, "chat");
    assert.equal(msg.getChildText("body"), body);
    assert.ok(msg.getChild("stanza-id", "urn:xmpp:sid:0")?.attrs.id);
    assert.equal(msg.getChild("delay", "urn:xmpp:delay"), undefined, "not late: no delay");
    const contacts = await fx.app!.db.ds.query(`SELECT legacy_address FROM contacts WHERE legacy_address = $1`, [from]);
    assert.equal(contacts.length, 1);
  });

  test("the same MessageSid delivered twice reaches the user once", async () => {
    const from = "+15550103001";
    const first = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "only once" });
    const again = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "only once", messageSid: first.messageSid });
    assert.equal(again.status, 200);
    await alice.waitFor(is.message(jidOf(from)), { what: "the SMS" });
    await alice.expectNone(is.message(jidOf(from)), 700);
  });

  test("a forged or missing signature gets 403 and changes nothing", async () => {
    const from = "+15550103002";
    const forged = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "forged", authTokenOverride: "wrong-token-wrong-token" });
    assert.equal(forged.status, 403);
    const unsigned = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "unsigned", unsigned: true });
    assert.equal(unsigned.status, 403);
    await alice.expectNone((el) => el.attrs.from?.startsWith(from) ?? false, 500);
    const keys = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM inbound_keys WHERE key IN ($1, $2)`, [forged.messageSid, unsigned.messageSid]);
    assert.equal(keys[0].n, 0);
  });

  test("an SMS for a number nobody registered is answered 200 and kept for the operator", async () => {
    const res = await fx.twilio.deliverInbound({ from: "+15550103003", to: POOL[2]!, body: "anyone?" });
    assert.equal(res.status, 200);
    const rows = await fx.app!.db.ds.query(`SELECT sender, body FROM unroutable_inbound WHERE sender = '+15550103003'`);
    assert.deepEqual(rows, [{ sender: "+15550103003", body: "anyone?" }]);
    const metrics = await (await fetch(`${fx.publicUrl}/metrics`)).text();
    assert.match(metrics, /switchboard_inbound_total\{network="sms",result="unroutable"\} 1/);
  });

  test("MMS media URLs arrive as XEP-0066 out-of-band links", async () => {
    const from = "+15550103004";
    await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "look", mediaUrls: ["https://media.example/cat.jpg"] });
    const msg = await alice.waitFor(is.message(jidOf(from)), { what: "the MMS" });
    assert.equal(msg.getChild("x", "jabber:x:oob")?.getChildText("url"), "https://media.example/cat.jpg");
  });

  test("subscribing to a number creates the contact and is approved with presence and a reverse request", async () => {
    const contact = jidOf("+442079460958");
    await alice.send(xml("presence", { type: "subscribe", to: contact }));
    await alice.waitFor(is.presence(contact, "subscribed"), { what: "subscribed" });
    await alice.waitFor(is.presence(contact, undefined), { what: "contact presence" });
    await alice.waitFor(is.presence(contact, "subscribe"), { what: "reverse subscribe" });
    const rows = await fx.app!.db.ds.query(`SELECT subscription FROM contacts WHERE legacy_address = '+442079460958'`);
    assert.deepEqual(rows, [{ subscription: "both" }]);
    await alice.send(xml("presence", { type: "unsubscribe", to: contact }));
    await alice.waitFor(is.rosterPush(contact, "none", "remove"), { what: "roster push ending the subscription" });
    await waitUntil(
      async () => (await fx.app!.db.ds.query(`SELECT 1 FROM contacts WHERE legacy_address = '+442079460958'`)).length === 0,
      3000,
      "the contact to be removed",
    );
  });

  test("a contact deleted by another process (the CLI, another instance) can be written to again", async () => {
    const n = "+15550102011";
    await alice.send(chat(jidOf(n), "before"));
    await fx.twilio.waitForSent((m) => m.to === n && m.body === "before", 5000);
    await waitUntil(async () => (await fx.app!.db.ds.query(`SELECT 1 FROM outbox o JOIN contacts c ON c.id = o.contact_id WHERE c.legacy_address = $1 AND o.state IN ('sent', 'delivered')`, [n])).length > 0, 5000, "the first message recorded");
    // Behind this gateway's back: its remembered contact id is now stale.
    await fx.app!.db.ds.query(`DELETE FROM contacts WHERE legacy_address = $1`, [n]);
    await alice.send(chat(jidOf(n), "after"));
    await fx.twilio.waitForSent((m) => m.to === n && m.body === "after", 5000);
  });

  test("an SMS from a contact deleted by another process still arrives, announced as new", async () => {
    const n = "+15550102012";
    assert.equal((await fx.twilio.deliverInbound({ from: n, to: ALICE_NUMBER, body: "first" })).status, 200);
    await alice.waitFor(is.message(jidOf(n), (m) => m.getChildText("body") === "first"), { what: "the first SMS" });
    // Behind this gateway's back: the contact id it remembers from the first SMS is now stale.
    await fx.app!.db.ds.query(`DELETE FROM contacts WHERE legacy_address = $1`, [n]);
    assert.equal((await fx.twilio.deliverInbound({ from: n, to: ALICE_NUMBER, body: "second" })).status, 200);
    await alice.waitFor(is.presence(jidOf(n), "subscribe"), { what: "the subscription request of the re-created contact" });
    await alice.waitFor(is.message(jidOf(n), (m) => m.getChildText("body") === "second"), { what: "the second SMS" });
  });

  test("/healthz reports the component link and the database", async () => {
    const res = await fetch(`${fx.publicUrl}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { components: Record<string, { state: string }>; database: { ok: boolean } };
    assert.equal(body.components.sms?.state, "online");
    assert.equal(body.database.ok, true);
  });

  test("/metrics times the message path's database statements, so an operator can see a slow disk", async () => {
    const countOf = async (statement: string) => {
      const text = await (await fetch(`${fx.publicUrl}/metrics`)).text();
      const m = text.match(new RegExp(`^switchboard_db_statement_seconds_count\\{statement="${statement}"\\} (\\d+)$`, "m"));
      return m ? Number(m[1]) : 0;
    };
    const before = await countOf("outbox_insert_unless_seen");
    await alice.send(chat(jidOf("+15550102090"), "timed"));
    await fx.twilio.waitForSent((m) => m.to === "+15550102090", 5000);
    await waitUntil(async () => (await countOf("record_sent")) > 0, 5000, "the sent part recorded");
    assert.equal(await countOf("outbox_insert_unless_seen"), before + 1);
  });
});

describe("hostile input found by the fuzzer", () => {
  test("messages to many numbers at once are all delivered (no pool deadlock)", async () => {
    const numbers = Array.from({ length: 15 }, (_, i) => `+1555011${String(i).padStart(4, "0")}`);
    for (const n of numbers) await alice.send(chat(jidOf(n), `fan-out ${n}`));
    await waitUntil(() => numbers.every((n) => fx.twilio.sent.some((m) => m.to === n)), 15_000, "every fan-out message");
  });

  test("characters XML cannot carry and NUL are dropped from inbound SMS; the link stays up", async () => {
    const from = "+15550109000";
    const res = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: "be\u0000fore\u0007 after\uFFFF" });
    assert.equal(res.status, 200);
    const msg = await alice.waitFor(is.message(jidOf(from), (m) => m.getChildText("body") !== null), { what: "cleaned SMS" });
    assert.equal(msg.getChildText("body"), "before after");
    assert.equal(fx.app!.xmpp.health().sms?.state, "online");
  });

  test("a message that would need more than ten texts is refused, not sent", async () => {
    const to = "+15550109001";
    const msg = chat(jidOf(to), "y".repeat(1600 * 10 + 1));
    await alice.send(msg);
    const err = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === msg.attrs.id, { what: "refusal" });
    assert.ok(err.getChild("error")!.getChild("not-acceptable", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert.equal(fx.twilio.sent.filter((m) => m.to === to).length, 0);
  });
});
