// The email adapter driven directly (no XMPP, no database): real nodemailer sending to the relay
// simulator, real SMTP sessions (nodemailer and a raw socket) delivering to our listener, and the
// core's side (sink, account lookup) as a small in-memory fake.
import assert from "node:assert/strict";
import { type KeyObject, createHash, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import type { Account, OutgoingMessage } from "../../src/core/adapter.ts";
import { type EmailAdapter, type EmailAdapterConfig, createEmailAdapter } from "../../adapters/email/index.ts";
import { trimReply } from "../../adapters/email/trimReply.ts";
import {
  MailRelaySink,
  type SinkAddress,
  htmlOnlyMail,
  mailWithAttachment,
  plainTextMail,
  sendMail,
  sendRawMail,
} from "../../adapters/email/simulator/index.ts";
import { FakeHost, registrationContext as ctx, rejectsWithGatewayError as rejects, until } from "../support/fakeHost.ts";

const DOMAIN = "mail.example.org";
const ALICE = `alice@${DOMAIN}`;
const CAROL = `carol@${DOMAIN}`;
const RELAY_USER = "gateway";
const RELAY_PASS = "relay:p@ss/word";

const account = (address: string, name?: string): Account => ({ legacyAccountId: address, settings: name ? { name } : {} });
let seq = 0;
const out = (body: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({ id: `part-${++seq}`, body, mediaUrls: [], ...extra });

function config(relay: SinkAddress, extra: Partial<EmailAdapterConfig> = {}): EmailAdapterConfig {
  return {
    addressDomain: DOMAIN,
    smtp: { url: relay.url },
    inbound: { listenAddress: { host: "127.0.0.1", port: 0 }, maxMessageBytes: 64 * 1024 },
    timeoutMs: 2_000,
    ...extra,
  };
}

describe("email adapter", () => {
  let relay: MailRelaySink;
  let relayAddr: SinkAddress;
  let adapter: EmailAdapter;
  let fake: FakeHost;
  let target: { host: string; port: number };

  before(async () => {
    relay = new MailRelaySink({ user: RELAY_USER, password: RELAY_PASS });
    relayAddr = await relay.start();
    fake = new FakeHost();
    fake.accounts.set(ALICE, account(ALICE, "Alice Ångström"));
    fake.accounts.set(CAROL, account(CAROL));
    adapter = createEmailAdapter(config(relayAddr));
    await adapter.start(fake.host);
    target = adapter.inboundAddress!;
    assert.ok(target.port > 0);
  });

  after(async () => {
    await adapter.stop();
    await relay.stop();
  });

  test("identity, prompt and capabilities", () => {
    assert.equal(adapter.network, "email");
    assert.deepEqual(adapter.identity, { type: "smtp", name: "Email gateway" });
    assert.deepEqual(adapter.addressPrompt, {
      desc: "Enter the email address of the person you want to write to.",
      prompt: "Email address",
    });
    assert.deepEqual([...adapter.capabilities].sort(), ["attachments", "subjects"]);
    assert.equal(adapter.maxBodyLength, 1_000_000);
    assert.deepEqual(adapter.webhooks, []);
    assert.deepEqual(adapter.health(), { ok: true });
  });

  describe("registration", () => {
    test("the form asks for the local part and the name; re-registering shows the current ones", async () => {
      const form = await adapter.registrationForm(ctx());
      assert.deepEqual(
        form.fields.map((f) => [f.var, f.type, f.label, f.required ?? false]),
        [
          ["localpart", "text-single", `Your address (before @${DOMAIN})`, true],
          ["name", "text-single", "Your name as recipients see it", false],
        ],
      );
      assert.match(form.instructions, /can't read your XMPP profile/);
      const again = await adapter.registrationForm(ctx([], account(ALICE, "Alice Ångström")));
      assert.deepEqual(again.fields.map((f) => f.value), ["alice", "Alice Ångström"]);
    });

    test("a good local part becomes the lowercased address; the name is kept for From", async () => {
      const res = await adapter.register(ctx([CAROL]), { localpart: "  Alice.Smith+chat ", name: "  Alice   Smith " });
      assert.deepEqual(res.account, { legacyAccountId: `alice.smith+chat@${DOMAIN}`, settings: { name: "Alice Smith" } });
      assert.match(res.welcome ?? "", /^Your email address is alice\.smith\+chat@mail\.example\.org\./);
      const bare = await adapter.register(ctx(), { localpart: "bob_2-x" });
      assert.deepEqual(bare.account, { legacyAccountId: `bob_2-x@${DOMAIN}`, settings: {} });
    });

    test("taken → conflict; reserved and invalid → not-acceptable with a text", async () => {
      const taken = await rejects(adapter.register(ctx([CAROL]), { localpart: "Carol" }));
      assert.deepEqual([taken.condition, taken.message], ["conflict", `${CAROL} is already someone else's address; choose another name.`]);

      for (const reserved of ["postmaster", "Abuse", "mailer-daemon", "no-reply", "postmaster+x"]) {
        const err = await rejects(adapter.register(ctx(), { localpart: reserved }));
        assert.equal(err.condition, "not-acceptable");
        assert.equal(err.message, `"${reserved.toLowerCase()}" is reserved for the operator of this mail domain; choose another name.`);
      }
      for (const invalid of ["a..b", ".alice", "alice.", "al ice", "élise", "a".repeat(65), "x@y"]) {
        const err = await rejects(adapter.register(ctx(), { localpart: invalid }));
        assert.equal(err.condition, "not-acceptable", invalid);
        assert.match(err.message, /can't be an address: use 1 to 64 letters, digits and \. _ - \+/);
      }
      const empty = await rejects(adapter.register(ctx(), { localpart: "  " }));
      assert.deepEqual([empty.condition, empty.message], ["not-acceptable", "Choose the part of your address before the @."]);
      const longName = await rejects(adapter.register(ctx(), { localpart: "dave", name: "n".repeat(65) }));
      assert.equal(longName.condition, "not-acceptable");
    });
  });

  test("parseAddress: display names, mailto:, JID localparts and awkward local parts", () => {
    const ok: Array<[string, string]> = [
      ["bob@example.net", "bob@example.net"],
      ["  Bob Smith <bob.smith@Example.NET> ", "bob.smith@example.net"],
      ['"O\'Brien, Pat" <pat@example.net>', "pat@example.net"],
      ["mailto:bob@example.net?subject=hi", "bob@example.net"],
      ["<mailto:a%2Bb@example.net>", "a+b@example.net"],
      ["Bob.Smith@EXAMPLE.net", "Bob.Smith@example.net"], // the local part keeps its case
      ["bob.smith@example.net", "bob.smith@example.net"], // as a JID-lowercased localpart gives it back
      ["o'brien@example.net", "o'brien@example.net"],
      ["a+b@example.net", "a+b@example.net"],
      // Quoted local parts: one unquoted spelling (as XEP-0106 JIDs carry it), quoted again on the wire.
      ['"a b"@example.net', "a b@example.net"],
      ["a b@example.net", "a b@example.net"],
      ['"a\\"b"@example.net', 'a"b@example.net'],
      ['"plain"@example.net', "plain@example.net"],
      ['"x/y:z"@example.org', "x/y:z@example.org"],
      ["x/y:z@example.org", "x/y:z@example.org"],
      ["a&b\\c@example.net", "a&b\\c@example.net"],
      ['Pat <"a..b"@example.net>', "a..b@example.net"],
      ["bob@example.net (Bob)", "bob@example.net"],
      ["jörg@Bücher.DE", "jörg@bücher.de"],
      ["bob@xn--bcher-kva.de", "bob@bücher.de"],
    ];
    for (const [input, address] of ok) assert.deepEqual(adapter.parseAddress(input), { ok: true, address }, input);

    const bad: Array<[string, RegExp]> = [
      ["", /^Enter an email address/],
      ["bob", /has no @/],
      ["@example.net", /before the @ is missing/],
      ["bob@", /domain after the @ is missing/],
      ['"a"b"@example.net', /not a valid quoted name/],
      ['"a<b>"@example.net', /can't be used before the @/],
      ["a<b@example.net", /can't be used before the @/],
      ['" a"@example.net', /can't be used before the @/],
      ["tab\there@example.net", /can't be used before the @/],
      ["bob@localhost", /not a valid domain name/],
      ["bob@exa_mple.net", /not a valid domain name/],
      ["bob@[192.0.2.1]", /not an IP address/],
      [`${"x".repeat(65)}@example.net`, /longer than 64/],
    ];
    for (const [input, reason] of bad) {
      const r = adapter.parseAddress(input);
      assert.equal(r.ok, false, input);
      if (!r.ok) assert.match(r.reason, reason, input);
    }
    assert.equal(adapter.displayName("bob@example.net"), "bob@example.net");
  });

  describe("sending", () => {
    test("UTF-8 subject and body, display name, our Message-ID returned, Date", async () => {
      const before = Date.now() - 1_000;
      const body = "Grüße aus Köln 🎉\n<&> \"quoted\" — and a long line ".padEnd(300, "x");
      const ref = await adapter.send(account(ALICE, "Alice Ångström"), "Bob.Smith@example.net", out(body, { subject: "Привет, Bob ✉️" }));
      assert.match(ref.networkId, /^[A-Za-z0-9_-]{32}@mail\.example\.org$/);
      const m = await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
      assert.equal(m.authUser, RELAY_USER);
      assert.deepEqual(m.envelope, { from: ALICE, to: ["Bob.Smith@example.net"] });
      assert.deepEqual(m.from, { name: "Alice Ångström", address: ALICE });
      assert.deepEqual(m.to, [{ name: "", address: "Bob.Smith@example.net" }]);
      assert.equal(m.subject, "Привет, Bob ✉️");
      assert.equal(m.text, `${body}\n`);
      assert.equal(m.html, undefined);
      assert.ok(m.date && m.date.getTime() >= before && m.date.getTime() <= Date.now());
      assert.equal(m.inReplyTo, undefined);
      assert.deepEqual(m.references, []);
      assert.equal(m.dkimSignature, undefined);
    });

    test("a part sent again (its answer was lost) carries the same Message-ID; other mail never does", async () => {
      const part = out("only once, I hope");
      const first = await adapter.send(account(ALICE), "dup@example.net", part);
      const again = await adapter.send(account(ALICE), "dup@example.net", part);
      assert.equal(again.networkId, first.networkId, "receivers that drop a repeated Message-ID show it once");
      await until(() => (relay.received.filter((x) => x.messageId === `<${first.networkId}>`).length === 2 ? true : undefined));
      const otherText = await adapter.send(account(ALICE), "dup@example.net", { ...part, body: "something else" });
      const otherPart = await adapter.send(account(ALICE), "dup@example.net", out("only once, I hope"));
      const otherRecipient = await adapter.send(account(ALICE), "dup2@example.net", part);
      assert.equal(new Set([first.networkId, otherText.networkId, otherPart.networkId, otherRecipient.networkId]).size, 4);
    });

    test("a default subject; links of attachments in the text; awkward local parts reach the relay", async () => {
      const ref = await adapter.send(account(CAROL), "o'brien@example.net", out("see this", { mediaUrls: ["https://up.example.org/a/cat.jpg"] }));
      const m = await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
      assert.equal(m.subject, `Message from ${CAROL}`);
      assert.equal(m.text, "see this\nhttps://up.example.org/a/cat.jpg\n");
      assert.deepEqual(m.envelope.to, ["o'brien@example.net"]);
      assert.deepEqual(m.from, { name: "", address: CAROL });

      const named = await adapter.send(account(ALICE, "Alice Ångström"), "a+b@example.net", out("https://up.example.org/x.png", { mediaUrls: ["https://up.example.org/x.png"] }));
      const n = await relay.waitFor((x) => x.messageId === `<${named.networkId}>`);
      assert.equal(n.subject, "Message from Alice Ångström");
      assert.equal(n.text, "https://up.example.org/x.png\n");
    });

    test("a local part that needs quoting is quoted on the wire, and comes back unquoted", async () => {
      const ref = await adapter.send(account(ALICE), "x/y:z@example.org", out("quoted"));
      const m = await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
      assert.deepEqual(m.envelope.to, ['"x/y:z"@example.org']);
      assert.deepEqual(m.to, [{ name: "", address: '"x/y:z"@example.org' }]);
      const raw = `From: "X" <"x/y:z"@example.org>\r\nTo: ${ALICE}\r\nSubject: back\r\nMessage-ID: <q-1@example.org>\r\n\r\nback\r\n`;
      assert.equal((await sendRawMail(target, { from: "bounces@example.org", to: [ALICE] }, raw)).code, 250);
      assert.deepEqual([fake.calls.at(-1)?.from, fake.calls.at(-1)?.fromName], ["x/y:z@example.org", "X"]);
    });

    test("threading: In-Reply-To is the message answered, else the conversation's last; References starts at the thread root", async () => {
      const replied = await adapter.send(account(ALICE), "bob@example.net", out("re", { replyTo: "orig-1@example.net", thread: "root-0@example.net", previous: "last-2@example.net" }));
      const a = await relay.waitFor((x) => x.messageId === `<${replied.networkId}>`);
      assert.equal(a.inReplyTo, "<orig-1@example.net>");
      assert.deepEqual(a.references, ["<root-0@example.net>", "<orig-1@example.net>"]);

      const followUp = await adapter.send(account(ALICE), "bob@example.net", out("more", { previous: "last-2@example.net" }));
      const b = await relay.waitFor((x) => x.messageId === `<${followUp.networkId}>`);
      assert.equal(b.inReplyTo, "<last-2@example.net>");
      assert.deepEqual(b.references, ["<last-2@example.net>"]);

      // A thread an XMPP client made up is no msg-id: it becomes one in our domain, and comes back.
      const started = await adapter.send(account(ALICE), "bob@example.net", out("new topic", { thread: "e0ff-42 b/ü" }));
      const c = await relay.waitFor((x) => x.messageId === `<${started.networkId}>`);
      const root = c.references[0]!;
      assert.match(root, /^<[A-Za-z0-9_-]+\.thread@mail\.example\.org>$/);
      assert.equal(c.inReplyTo, root);
      const answer = await sendMail(
        target,
        plainTextMail({ from: "bob@example.net", to: ALICE, subject: "Re: new topic", text: "ok", inReplyTo: `<${started.networkId}>`, references: [root, `<${started.networkId}>`] }),
      );
      assert.equal(answer.code, 250);
      const got = fake.calls.at(-1)!;
      assert.equal(got.thread, "e0ff-42 b/ü");
      assert.equal(got.replyTo, started.networkId);
    });

    test("DKIM-Signature is added and verifies when a key is configured", async () => {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const signer = createEmailAdapter(config(relayAddr, { dkim: { domainName: DOMAIN, keySelector: "sb2026", privateKey: pem } }));
      try {
        const ref = await signer.send(account(ALICE, "Alice"), "bob@example.net", out("signed ✓", { subject: "DKIM" }));
        const m = await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
        assert.match(m.dkimSignature ?? "", /\bd=mail\.example\.org;/);
        assert.match(m.dkimSignature ?? "", /\bs=sb2026;/);
        assert.equal(verifyDkim(m.raw, publicKey), true);
        // The check is real: a changed body or a changed signed header fails it.
        const raw = m.raw.toString("latin1");
        assert.equal(verifyDkim(Buffer.from(raw.replace("signed", "signeD"), "latin1"), publicKey), false);
        assert.equal(verifyDkim(Buffer.from(raw.replace("Subject: DKIM", "Subject: DKIN"), "latin1"), publicKey), false);
      } finally {
        await signer.stop();
      }
    });

    test("relay 550 at RCPT → permanent item-not-found naming the reply in plain words", async () => {
      relay.rejectRecipient("nobody@example.net", { code: 550, message: "5.1.1 user unknown" });
      try {
        const err = await rejects(adapter.send(account(ALICE), "nobody@example.net", out("x")));
        assert.deepEqual([err.condition, err.type, err.retryable, err.networkCode], ["item-not-found", "cancel", false, "550"]);
        assert.equal(err.message, "Not sent: the mail server for example.net refused the address nobody@example.net: there is no such mailbox (550 5.1.1 user unknown).");
      } finally {
        relay.clearRecipient("nobody@example.net");
      }
    });

    test("relay 554 after the data → permanent; 552 → not-acceptable", async () => {
      relay.rejectNext(1, { code: 554, message: "5.7.1 Message refused as spam", at: "data" });
      const spam = await rejects(adapter.send(account(ALICE), "bob@example.net", out("x")));
      assert.deepEqual([spam.condition, spam.retryable, spam.networkCode], ["policy-violation", false, "554"]);
      assert.equal(spam.message, "Not sent: the mail server for example.net refused the message: the recipient's mail server refused it by policy (554 5.7.1 Message refused as spam).");
      relay.rejectNext(1, { code: 552, message: "5.3.4 Message size exceeds fixed limit", at: "data" });
      const big = await rejects(adapter.send(account(ALICE), "bob@example.net", out("x")));
      assert.deepEqual([big.condition, big.retryable], ["not-acceptable", false]);
      assert.match(big.message, /the message is too big \(552 5\.3\.4 Message size exceeds fixed limit\)/);
    });

    test("relay 451 → transient naming 451; the next send goes through", async () => {
      relay.rejectNext(1, { code: 451 });
      const err = await rejects(adapter.send(account(ALICE), "bob@example.net", out("x")));
      assert.deepEqual([err.condition, err.retryable, err.networkCode], ["remote-server-timeout", true, "451"]);
      assert.equal(err.message, "Not sent yet: the mail server for example.net refused the address bob@example.net: the mail server had a local problem (451 4.3.0 Local error in processing, try again later); trying again.");
      assert.match(adapter.health().detail ?? "", /last send failed: Not sent yet/);
      const ref = await adapter.send(account(ALICE), "bob@example.net", out("again"));
      await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
      assert.deepEqual(adapter.health(), { ok: true });
    });

    test("connection refused → transient; three in a row make health not ok", async () => {
      const closed = await closedPort();
      const offline = createEmailAdapter(config({ host: "127.0.0.1", port: closed, url: `smtp://127.0.0.1:${closed}` }));
      try {
        for (let i = 0; i < 3; i++) {
          const err = await rejects(offline.send(account(ALICE), "bob@example.net", out("x")));
          assert.deepEqual([err.condition, err.retryable], ["remote-server-timeout", true]);
          assert.equal(err.message, "Not sent yet: the mail relay could not be reached (ECONNREFUSED).");
        }
        const health = offline.health();
        assert.equal(health.ok, false);
        assert.match(health.detail ?? "", /the last 3 sends could not reach the mail relay/);
      } finally {
        await offline.stop();
      }
    });
  });

  describe("receiving", () => {
    test("a plain mail: subject, body, sender and name, thread and reply from the headers", async () => {
      const messageId = "<m-1.plain@example.net>";
      const date = new Date("2026-11-20T10:00:00Z");
      const res = await sendMail(
        target,
        plainTextMail({
          from: { name: "Bob Smith", address: "Bob.Smith@Example.NET" },
          to: "Alice@Mail.Example.Org",
          subject: "Grüße 🎉 aus Köln",
          text: "Hello Alice,\r\nsecond line <&>\r\n",
          messageId,
          inReplyTo: "<parent@mail.example.org>",
          references: ["<root@example.net>", "<parent@mail.example.org>"],
          date,
        }),
      );
      assert.deepEqual([res.code, res.accepted], [250, ["Alice@mail.example.org"]]); // nodemailer lowercases the domain
      assert.deepEqual(fake.calls.at(-1), {
        key: `${ALICE}:m-1.plain@example.net`,
        account: ALICE,
        from: "Bob.Smith@example.net",
        fromName: "Bob Smith",
        body: "Hello Alice,\nsecond line <&>",
        mediaUrls: [],
        attachments: [],
        networkId: "m-1.plain@example.net",
        subject: "Grüße 🎉 aus Köln",
        thread: "root@example.net",
        replyTo: "parent@mail.example.org",
        sentAt: date,
      });
      // Neither subject nor body is logged at info level.
      assert.ok(!fake.infoLogs().includes("Köln"));
      assert.ok(!fake.infoLogs().includes("second line"));
    });

    test("a first mail starts its own thread; one mail to two users gives each their own key", async () => {
      const res = await sendMail(target, plainTextMail({ from: "dan@example.net", to: [ALICE, CAROL], subject: "both", text: "hi both", messageId: "<two@example.net>" }));
      assert.equal(res.code, 250);
      const [a, c] = fake.calls.slice(-2);
      assert.deepEqual([a?.account, a?.key, a?.thread, a?.replyTo], [ALICE, `${ALICE}:two@example.net`, "two@example.net", undefined]);
      assert.deepEqual([c?.account, c?.key, c?.networkId], [CAROL, `${CAROL}:two@example.net`, "two@example.net"]);
    });

    test("an HTML-only mail arrives as readable text", async () => {
      const html =
        "<html><head><style>p{color:red}</style></head><body><p>Hi <b>Alice</b>,</p>" +
        "<p>the <a href=\"https://example.net/agenda\">agenda</a> is ready.</p><ul><li>one</li><li>two</li></ul>" +
        "<script>alert(1)</script></body></html>";
      assert.equal((await sendMail(target, htmlOnlyMail({ from: "erin@example.net", to: ALICE, subject: "html", html }))).code, 250);
      assert.equal(fake.calls.at(-1)?.body, "Hi Alice,\n\nthe agenda [https://example.net/agenda] is ready.\n\n * one\n * two");

      const gmail =
        '<div dir="ltr">Yes, <i>Thursday</i> works.</div><br><div class="gmail_quote"><div class="gmail_attr">' +
        "On Mon, 23 Nov 2026 at 09:12, Alice &lt;alice@mail.example.org&gt; wrote:<br></div>" +
        "<blockquote>Does Thursday work?<br>Alice</blockquote></div>";
      assert.equal((await sendMail(target, htmlOnlyMail({ from: "erin@example.net", to: ALICE, subject: "Re: html", html: gmail }))).code, 250);
      assert.equal(fake.calls.at(-1)?.body, "Yes, Thursday works.");
    });

    test("quoted earlier replies and the signature are trimmed", async () => {
      const text = [
        "Sounds good, see you at 10.",
        "",
        "-- ",
        "Bob Smith",
        "ACME Corp",
        "",
        "On Mon, 23 Nov 2026 at 09:12, Alice <alice@mail.example.org>",
        "wrote:",
        "> Shall we meet tomorrow?",
        ">",
        "> > older quote",
      ].join("\n");
      assert.equal((await sendMail(target, plainTextMail({ from: "bob@example.net", to: ALICE, subject: "Re: x", text }))).code, 250);
      assert.equal(fake.calls.at(-1)?.body, "Sounds good, see you at 10.");

      // Inline answers keep their quotes; an Outlook history goes; all-quote mail is kept as it is.
      assert.equal(trimReply("> question?\nanswer.\n> next?\nyes."), "> question?\nanswer.\n> next?\nyes.");
      assert.equal(trimReply("Thanks!\n\n-----Original Message-----\nFrom: Alice\nSent: today\n\nold"), "Thanks!");
      assert.equal(trimReply("> only a quote"), "> only a quote");
    });

    test("attachment bytes are handed over exactly", async () => {
      const bytes = randomBytes(20_000);
      const res = await sendMail(
        target,
        mailWithAttachment({
          from: "bob@example.net",
          to: ALICE,
          subject: "the file",
          text: "here it is",
          attachments: [
            { filename: "data.bin", content: bytes, contentType: "application/octet-stream" },
            { filename: "naïve résumé.txt", content: "plain text file ✓" },
          ],
        }),
      );
      assert.equal(res.code, 250);
      const got = fake.calls.at(-1)!;
      assert.equal(got.body, "here it is");
      assert.deepEqual(
        got.attachments?.map((a) => [a.fileName, a.contentType]),
        [
          ["data.bin", "application/octet-stream"],
          ["naïve résumé.txt", "text/plain"],
        ],
      );
      assert.ok(Buffer.isBuffer(got.attachments?.[0]?.content));
      assert.ok(bytes.equals(got.attachments?.[0]?.content as Buffer));
      assert.equal((got.attachments?.[1]?.content as Buffer).toString("utf8"), "plain text file ✓");
    });

    test("an unknown recipient or a foreign domain → 550 at RCPT, and the sink is not called", async () => {
      const before = fake.calls.length;
      const unknown = await sendMail(target, plainTextMail({ from: "bob@example.net", to: `zed@${DOMAIN}`, subject: "x", text: "x" }));
      assert.deepEqual([unknown.code, unknown.stage], [550, "rcpt"]);
      assert.match(unknown.response, /^550 5\.1\.1 <zed@mail\.example\.org>: no such user here/);
      const foreign = await sendMail(target, plainTextMail({ from: "bob@example.net", to: "alice@elsewhere.example", subject: "x", text: "x" }));
      assert.deepEqual([foreign.code, foreign.stage], [550, "rcpt"]);
      // One good and one unknown recipient: only the good one gets it.
      const mixed = await sendMail(target, plainTextMail({ from: "bob@example.net", to: [`zed@${DOMAIN}`, ALICE], subject: "x", text: "mixed" }));
      assert.deepEqual([mixed.code, mixed.accepted, mixed.rejected], [250, [ALICE], [`zed@${DOMAIN}`]]);
      assert.deepEqual(fake.calls.slice(before).map((m) => [m.account, m.body]), [[ALICE, "mixed"]]);
    });

    test("an oversized mail → 552 (declared or not) and the sink is not called", async () => {
      const before = fake.calls.length;
      const big = mailWithAttachment({ from: "bob@example.net", to: ALICE, subject: "big", attachments: [{ filename: "big.bin", content: randomBytes(80_000) }] });
      const declared = await sendMail(target, big);
      assert.equal(declared.code, 552);
      const raw = `From: bob@example.net\r\nTo: ${ALICE}\r\nSubject: big\r\n\r\n${"y".repeat(70_000)}\r\n`;
      const undeclared = await sendRawMail(target, { from: "bob@example.net", to: [ALICE] }, raw);
      assert.deepEqual([undeclared.code, undeclared.stage], [552, "message"]);
      assert.match(undeclared.response, /5\.3\.4 Message too big: the limit is 65536 bytes/);
      assert.equal(fake.calls.length, before);
    });

    test("malformed MIME never crashes the listener: what can be recovered is delivered", async () => {
      const raw = Buffer.concat([
        Buffer.from(
          "From: \"Broken\" <broken@example.net>\r\nTo: alice@mail.example.org\r\nThis header has no colon\r\n" +
            "Subject: =?utf-8?B?not-base64!!?=\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
            "caf=C3=A9 =ZZ broken =\r\nsoft break\r\n--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            "@@@not base64@@@\r\n",
        ),
        Buffer.from([0xff, 0xfe, 0x00, 0x41]),
        Buffer.from("\r\n(no closing boundary)\r\n"),
      ]);
      const res = await sendRawMail(target, { from: "broken@example.net", to: [ALICE] }, raw);
      assert.deepEqual([res.code, res.stage], [250, "message"]);
      const got = fake.calls.at(-1)!;
      assert.equal(got.from, "broken@example.net");
      assert.match(got.body, /^café =ZZ broken soft break/);
      assert.match(got.key, /^alice@mail\.example\.org:[0-9a-f]{40}@no-message-id\.invalid$/);

      // No usable sender anywhere → a defined refusal, not a guess.
      const anonymous = await sendRawMail(target, { from: "", to: [ALICE] }, "Subject: who?\r\n\r\nbody\r\n");
      assert.deepEqual([anonymous.code, anonymous.stage], [550, "message"]);
      assert.match(anonymous.response, /5\.1\.7/);

      // Bytes mailparser can't read at all (here: more MIME parts than it takes) → 554, and nothing delivered.
      const calls = fake.calls.length;
      const parts = Array.from({ length: 1_100 }, () => "--p\r\n\r\nx\r\n").join("");
      const unreadable = `From: bob@example.net\r\nTo: ${ALICE}\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts}--p--\r\n`;
      const refused = await sendRawMail(target, { from: "bob@example.net", to: [ALICE] }, unreadable);
      assert.deepEqual([refused.code, refused.stage], [554, "message"]);
      assert.match(refused.response, /5\.6\.0 The message could not be parsed/);
      assert.equal(fake.calls.length, calls);

      // Still serving.
      assert.equal((await sendMail(target, plainTextMail({ from: "bob@example.net", to: ALICE, subject: "after", text: "still here" }))).code, 250);
      assert.equal(fake.calls.at(-1)?.body, "still here");
    });

    test("a repeated Message-ID reaches the sink with the same key (the core dedups)", async () => {
      const mail = plainTextMail({ from: "bob@example.net", to: ALICE, subject: "dup", text: "once", messageId: "<dup-1@example.net>" });
      assert.equal((await sendMail(target, mail)).code, 250);
      assert.equal((await sendMail(target, mail)).code, 250);
      const keys = fake.calls.filter((m) => m.networkId === "dup-1@example.net").map((m) => m.key);
      assert.deepEqual(keys, [`${ALICE}:dup-1@example.net`, `${ALICE}:dup-1@example.net`]);
    });

    test("a sink failure → 451 so the sender retries; the retry is taken", async () => {
      const mail = plainTextMail({ from: "bob@example.net", to: ALICE, subject: "retry", text: "retry me", messageId: "<retry-1@example.net>" });
      fake.failNext = true;
      const failed = await sendMail(target, mail);
      assert.deepEqual([failed.code, failed.stage], [451, "message"]);
      assert.match(failed.response, /4\.3\.0 Could not store the message now/);
      const retried = await sendMail(target, mail);
      assert.equal(retried.code, 250);
      assert.equal(fake.calls.at(-1)?.key, `${ALICE}:retry-1@example.net`);
    });

    test("a DSN → a failed DeliveryReport naming our original Message-ID, in plain words; not a message", async () => {
      const ref = await adapter.send(account(ALICE), "gone@example.net", out("will bounce"));
      await relay.waitFor((x) => x.messageId === `<${ref.networkId}>`);
      const dsn = relay.bounce(ref.networkId, {
        to: ALICE,
        recipient: "gone@example.net",
        status: "5.1.1",
        diagnostic: "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown",
        remoteMta: "mx.example.net",
      });
      const calls = fake.calls.length;
      const res = await sendRawMail(target, { from: "", to: [ALICE] }, dsn);
      assert.equal(res.code, 250);
      assert.deepEqual(fake.reports.at(-1), {
        networkId: ref.networkId,
        state: "failed",
        errorCode: "5.1.1",
        errorText:
          "Not delivered: the mail server for example.net says there is no such mailbox " +
          "(550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown).",
      });
      assert.equal(fake.calls.length, calls);

      // A delay is not a failure, and a DSN about mail we never sent is not passed on.
      const reports = fake.reports.length;
      const delayed = relay.bounce(ref.networkId, { to: ALICE, recipient: "gone@example.net", status: "4.4.1", diagnostic: "451 4.4.1 no answer" });
      assert.equal((await sendRawMail(target, { from: "", to: [ALICE] }, delayed)).code, 250);
      const foreign = dsn.replace(`<${ref.networkId}>`, "<foreign@example.net>");
      assert.equal((await sendRawMail(target, { from: "", to: [ALICE] }, foreign)).code, 250);
      assert.equal(fake.reports.length, reports);
      assert.equal(fake.calls.length, calls);
    });
  });

  test("a port that can't be bound shows in health; stop() is quick and closes the listener", async () => {
    const other = createEmailAdapter(config(relayAddr, { inbound: { listenAddress: target, maxMessageBytes: 1024 } }));
    const host = new FakeHost();
    await other.start(host.host);
    const health = other.health();
    assert.equal(health.ok, false);
    assert.match(health.detail ?? "", /the inbound SMTP listener is not running: .*EADDRINUSE/);
    assert.ok(host.logLines.some((l) => l.msg === "the inbound SMTP listener could not start; retrying"));
    await other.stop();

    const third = createEmailAdapter(config(relayAddr));
    await third.start(new FakeHost().host);
    const addr = third.inboundAddress!;
    const t0 = Date.now();
    await third.stop();
    assert.ok(Date.now() - t0 < 1_000);
    await assert.rejects(sendRawMail(addr, { from: "bob@example.net", to: [ALICE] }, "Subject: x\r\n\r\nx\r\n"), /ECONNREFUSED/);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** RFC 6376 verification with relaxed/relaxed canonicalization (what nodemailer signs with). */
function verifyDkim(raw: Buffer, publicKey: KeyObject): boolean {
  const text = raw.toString("latin1");
  const split = text.indexOf("\r\n\r\n");
  const headers = text.slice(0, split).split(/\r\n(?![ \t])/);
  const body = text.slice(split + 4);
  const sigHeader = headers.find((h) => /^dkim-signature:/i.test(h));
  if (!sigHeader) return false;
  const tags = new Map(
    sigHeader
      .slice(sigHeader.indexOf(":") + 1)
      .split(";")
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf("=")).trim(), t.slice(t.indexOf("=") + 1).replace(/\s+/g, "")] as const),
  );
  assert.equal(tags.get("c"), "relaxed/relaxed");
  const lines = body.split("\r\n").map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  const canonicalBody = lines.length > 0 ? `${lines.join("\r\n")}\r\n` : "";
  if (createHash("sha256").update(canonicalBody, "latin1").digest("base64") !== tags.get("bh")) return false;

  const relaxed = (h: string) => {
    const colon = h.indexOf(":");
    return `${h.slice(0, colon).trim().toLowerCase()}:${h.slice(colon + 1).replace(/\r\n/g, "").replace(/[ \t]+/g, " ").trim()}`;
  };
  const used = new Set<number>();
  const signed: string[] = [];
  for (const name of (tags.get("h") ?? "").split(":")) {
    for (let i = headers.length - 1; i >= 0; i--) {
      const h = headers[i] ?? "";
      if (used.has(i) || h.slice(0, h.indexOf(":")).trim().toLowerCase() !== name.toLowerCase()) continue;
      used.add(i);
      signed.push(`${relaxed(h)}\r\n`);
      break;
    }
  }
  const unsigned = relaxed(sigHeader.replace(/(^|;)(\s*b\s*=)[^;]*/, "$1$2"));
  const data = Buffer.from(signed.join("") + unsigned, "latin1");
  return verify("sha256", data, publicKey, Buffer.from(tags.get("b") ?? "", "base64"));
}
