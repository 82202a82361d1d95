// Email through the whole gateway: Alice registers alice@mail.example.test, someone mails it,
// Alice sees the mail as a chat from that sender, replies, and the reply threads in the sender's
// mail program. Plus escaping of awkward addresses, HTML-only mail, attachments, refusals at the
// SMTP level, malformed mail, relay failures and bounces.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { EMAIL_DOMAIN, MAIL_DOMAIN, is, startFixture, type Fixture } from "../support/gatewayFixture.ts";
import { IqError, type TestUser } from "../support/xmppUser.ts";
import { htmlOnlyMail, mailWithAttachment, plainTextMail, sendMail, sendRawMail } from "../../adapters/email/simulator/index.ts";
import { escapeLocalpart } from "../../src/core/jidEscape.ts";

let fx: Fixture;
let alice: TestUser;
const ALICE = `alice@${MAIL_DOMAIN}`;
const jidFor = (address: string) => `${escapeLocalpart(address)}@${EMAIL_DOMAIN}`.toLowerCase();
const bodyOf = (el: Element) => el.getChildText("body");
const smtp = () => fx.sims.inboundSmtp!;

before(async () => {
  fx = await startFixture({ networks: ["sms", "email"], emailMaxBytes: 200_000 });
  alice = await fx.user("alice");
});
after(async () => {
  await fx?.close();
});

async function refusal(p: Promise<unknown>): Promise<IqError> {
  const err = await p.then(() => assert.fail("expected a refusal"), (e: unknown) => e);
  assert.ok(err instanceof IqError);
  return err;
}

describe("registration", () => {
  test("Alice chooses her address; taken, reserved and invalid names are refused with a text", async () => {
    await fx.register(alice, EMAIL_DOMAIN, { localpart: "alice", name: "Alice Liddell" });
    const bob = await fx.user("bob");
    assert.equal((await refusal(fx.register(bob, EMAIL_DOMAIN, { localpart: "alice" }))).condition, "conflict");
    const reserved = await refusal(fx.register(bob, EMAIL_DOMAIN, { localpart: "postmaster" }));
    assert.equal(reserved.condition, "not-acceptable");
    assert.ok(reserved.text.length > 0);
    assert.equal((await refusal(fx.register(bob, EMAIL_DOMAIN, { localpart: "no..dots" }))).condition, "not-acceptable");
  });
});

describe("conversation", () => {
  const BOB = "Bob.Smith@example.net";
  let firstMessageId = "";

  test("a first mail asks to subscribe with the sender's name and arrives with its subject", async () => {
    const mail = plainTextMail({ from: { name: "Bob Smith", address: BOB }, to: ALICE, subject: "Lunch on Friday? ☕", text: "Are you free at noon?\n\nBob" });
    firstMessageId = mail.messageId!;
    const outcome = await sendMail(smtp(), mail);
    assert.equal(outcome.code, 250);
    const sub = await alice.waitFor(is.presence(jidFor(BOB), "subscribe"), { what: "subscription request" });
    assert.equal(sub.getChildText("nick", "http://jabber.org/protocol/nick"), "Bob Smith");
    const msg = await alice.waitFor(is.message(jidFor(BOB), (m) => bodyOf(m) !== null), { what: "the mail" });
    assert.equal(msg.getChildText("subject"), "Lunch on Friday? ☕");
    assert.match(bodyOf(msg)!, /Are you free at noon\?/);
  });

  test("Alice's reply is a mail from her address that threads on Bob's", async () => {
    await alice.send(xml("message", { type: "chat", to: jidFor(BOB), id: randomUUID() }, xml("body", {}, "Yes! See you there.")));
    const mail = await fx.sims.relay!.waitFor((m) => m.envelope.to.some((t) => t.toLowerCase() === BOB.toLowerCase()), 10_000);
    assert.equal(mail.from?.address, ALICE);
    assert.equal(mail.from?.name, "Alice Liddell");
    assert.equal(mail.inReplyTo, firstMessageId);
    assert.ok(mail.references.includes(firstMessageId));
    assert.match(mail.text ?? "", /Yes! See you there\./);
    assert.ok(mail.messageId && mail.date, "Message-ID and Date");
    assert.equal(mail.envelope.to[0], BOB, "the original spelling of the address");
  });

  test("a conversation threads on its latest mail, whichever side wrote it", async () => {
    const reply = async (text: string) => {
      await alice.send(xml("message", { type: "chat", to: jidFor(BOB), id: randomUUID() }, xml("body", {}, text)));
      return fx.sims.relay!.waitFor((m) => (m.text ?? "").includes(text), 10_000);
    };
    const first = await reply("One more thing:");
    const second = await reply("bring the map.");
    assert.equal(second.inReplyTo, first.messageId, "Alice's second mail threads on her first");
    const mail = plainTextMail({ from: { name: "Bob Smith", address: BOB }, to: ALICE, subject: "Re: Lunch on Friday? ☕", text: "Which map?" });
    assert.equal((await sendMail(smtp(), mail)).code, 250);
    await alice.waitFor(is.message(jidFor(BOB), (m) => (bodyOf(m) ?? "").includes("Which map?")), { what: "Bob's answer" });
    const third = await reply("The old one.");
    assert.equal(third.inReplyTo, mail.messageId, "the next mail threads on Bob's answer, not on Alice's last");
  });

  test("awkward addresses round-trip through their escaped JIDs", async () => {
    for (const address of ["o'brien+tag@example.net", "a&b@example.net", "x/y:z@example.org"]) {
      await sendMail(smtp(), plainTextMail({ from: { name: "", address }, to: ALICE, subject: "hi", text: `from ${address}` }));
      const msg = await alice.waitFor(is.message(jidFor(address), (m) => bodyOf(m) !== null), { what: `mail from ${address}` });
      assert.match(bodyOf(msg)!, new RegExp(`from ${address.replace(/[+/]/g, "\\$&")}`));
      await alice.send(xml("message", { type: "chat", to: jidFor(address), id: randomUUID() }, xml("body", {}, `back to ${address}`)));
      const out = await fx.sims.relay!.waitFor((m) => (m.text ?? "").includes(`back to ${address}`), 10_000);
      // On the wire the local part is quoted where RFC 5321 needs it ("x/y:z"@example.org).
      assert.deepEqual(out.envelope.to.map((a) => a.replace(/^"(.*)"@/, "$1@")), [address]);
    }
  });

  test("an HTML-only mail becomes readable text; an attachment becomes a link", async () => {
    await sendMail(smtp(), htmlOnlyMail({ from: "carol@example.com", to: ALICE, subject: "Newsletter", html: "<h1>News</h1><p>Hello <b>Alice</b>,<br>all is <i>well</i>.</p>" }));
    const html = await alice.waitFor(is.message(jidFor("carol@example.com"), (m) => bodyOf(m) !== null), { what: "html mail" });
    assert.match(bodyOf(html)!, /Hello Alice/);
    assert.doesNotMatch(bodyOf(html)!, /<b>|<p>/);

    const bytes = Buffer.from("%PDF-1.4 a small file");
    await sendMail(smtp(), mailWithAttachment({ from: "dan@example.com", to: ALICE, subject: "the file", text: "attached", attachments: [{ filename: "notes.pdf", content: bytes, contentType: "application/pdf" }] }));
    const msg = await alice.waitFor(is.message(jidFor("dan@example.com"), (m) => m.getChild("x", "jabber:x:oob") !== undefined), { what: "attachment" });
    const res = await fetch(msg.getChild("x", "jabber:x:oob")!.getChildText("url")!);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  });
});

describe("refusals and failures", () => {
  test("mail for an unknown address is refused at RCPT with 550", async () => {
    const outcome = await sendMail(smtp(), plainTextMail({ from: "eve@example.com", to: `nobody@${MAIL_DOMAIN}`, subject: "hi", text: "hi" }));
    assert.equal(outcome.code, 550);
    assert.equal(outcome.stage, "rcpt");
  });

  test("mail over networks.email.inbound.maxMessageBytes is refused with 552", async () => {
    const outcome = await sendMail(smtp(), plainTextMail({ from: "big@example.com", to: ALICE, subject: "huge", text: "x".repeat(300_000) }));
    assert.equal(outcome.code, 552);
    await alice.expectNone(is.message(jidFor("big@example.com"), () => true), 500);
  });

  test("malformed mail never crashes the listener", async () => {
    const raw = "From: broken\r\nSubject: =?utf-8?B?!!!?=\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@not base64@@@\r\n";
    const outcome = await sendRawMail(smtp(), { from: "weird@example.com", to: [ALICE] }, raw);
    assert.ok([250, 550, 554].includes(outcome.code), `a defined SMTP answer, got ${outcome.code}`);
    const after = await sendMail(smtp(), plainTextMail({ from: "frank@example.com", to: ALICE, subject: "still there?", text: "ping" }));
    assert.equal(after.code, 250);
    await alice.waitFor(is.message(jidFor("frank@example.com"), (m) => bodyOf(m) !== null), { what: "mail after the malformed one" });
  });

  test("a relay refusal becomes a message error in the conversation, in plain words", async () => {
    fx.sims.relay!.rejectRecipient("gone@example.org", { code: 550, message: "5.1.1 user unknown" });
    const msg = xml("message", { type: "chat", to: jidFor("gone@example.org"), id: randomUUID() }, xml("body", {}, "hello?"));
    await alice.send(msg);
    const err = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === msg.attrs.id, { what: "bounce", timeoutMs: 15_000 });
    assert.match(err.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")!, /550/);
  });

  test("a later bounce (DSN) becomes a message error", async () => {
    const msg = xml("message", { type: "chat", to: jidFor("later@example.org"), id: randomUUID() }, xml("body", {}, "will bounce"));
    await alice.send(msg);
    const sent = await fx.sims.relay!.waitFor((m) => m.envelope.to.includes("later@example.org"), 10_000);
    const dsn = fx.sims.relay!.bounce(sent.messageId!, { to: ALICE, recipient: "later@example.org", status: "5.1.1", diagnostic: "550 5.1.1 mailbox does not exist" });
    const outcome = await sendRawMail(smtp(), { from: "", to: [ALICE] }, dsn);
    assert.equal(outcome.code, 250);
    const err = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === msg.attrs.id, { what: "DSN error", timeoutMs: 10_000 });
    assert.match(err.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")!, /does not exist|5\.1\.1/);
  });

  test("mail accepted while the XMPP server is away survives a gateway restart and is delivered once", async () => {
    await fx.prosody.halt();
    const outcome = await sendMail(smtp(), plainTextMail({ from: "gina@example.com", to: ALICE, subject: "while away", text: "kept safe" }));
    assert.equal(outcome.code, 250);
    await fx.stopGateway();
    await fx.prosody.resume();
    await fx.startGateway();
    const { connectUser } = await import("../support/xmppUser.ts");
    const back = await connectUser({ service: `xmpp://127.0.0.1:${fx.prosody.c2sPort}`, domain: fx.prosody.host, username: "alice", password: "pw-alice" });
    fx.users.push(back);
    const msg = await back.waitFor(is.message(jidFor("gina@example.com"), (m) => bodyOf(m) !== null), { what: "the kept mail", timeoutMs: 20_000 });
    assert.match(bodyOf(msg)!, /kept safe/);
    await back.expectNone(is.message(jidFor("gina@example.com"), (m) => bodyOf(m) !== null), 1000);
  });
});
