// The email simulator: the relay sink driven by a real nodemailer transport, and the outside-world
// sender (nodemailer and raw socket) against a small smtp-server standing in for our inbound listener.
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type ParsedMail, simpleParser } from "mailparser";
import { createTransport, type NodemailerError } from "nodemailer";
import { SMTPServer } from "smtp-server";
import {
  MailRelaySink,
  type SinkAddress,
  SmtpDialogueError,
  htmlOnlyMail,
  mailWithAttachment,
  plainTextMail,
  sendMail,
  sendRawMail,
  startControl,
} from "../../adapters/email/simulator/index.ts";

const USER = "relay-user";
const PASS = "s3cret:p@ss/word";
const ME = "zoe@mail.example.org";

async function rejection(p: Promise<unknown>): Promise<NodemailerError> {
  try {
    await p;
  } catch (err) {
    return err as NodemailerError;
  }
  assert.fail("expected the call to throw");
}

function relayTransport(addr: { host: string; port: number }, pass = PASS) {
  return createTransport({ host: addr.host, port: addr.port, secure: false, ignoreTLS: true, auth: { user: USER, pass } });
}


interface Inbound {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/** Stands in for the gateway's inbound listener: one local user, a 4 kB size limit. */
async function startInbound(): Promise<{ server: SMTPServer; port: number; got: Inbound[] }> {
  const got: Inbound[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    size: 4096,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 100,
    onRcptTo(address, _session, cb) {
      if (address.address.toLowerCase() === "alice@mail.example.org") return cb();
      const err = new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`);
      cb(Object.assign(err, { responseCode: 550 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          return cb(Object.assign(new Error("5.3.4 Message too big for system"), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        simpleParser(raw).then(
          (parsed) => {
            got.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
            cb(null, "2.0.0 Ok: accepted");
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.server.address() as AddressInfo).port, got };
}

// The two halves share nothing, so they run side by side (each SMTP session costs smtp-server's
// fixed 100 ms early-talker delay before the greeting); the tests inside each run in order.
describe("email simulator", { concurrency: 2 }, () => {
  describe("mail relay sink (outbound relay)", { concurrency: 1 }, () => {
    const sink = new MailRelaySink({ user: USER, password: PASS, name: "relay.sim.test" });
    let addr: SinkAddress;
    let transport: ReturnType<typeof relayTransport>;
    let seq = 0;
    const nextId = () => `<t${++seq}.${Date.now()}@mail.example.org>`;
    const simple = (messageId: string, to: string | string[] = "alice@example.net") => ({
      from: ME,
      to,
      subject: "hi",
      text: "x",
      messageId,
    });

    before(async () => {
      addr = await sink.start(0);
      transport = relayTransport(addr);
    });
    after(async () => {
      transport.close();
      const t0 = Date.now();
      await sink.stop();
      assert.ok(Date.now() - t0 < 1_000, "stop() must not wait for idle sessions");
    });

    test("start() reports a loopback address and an smtp:// url with the credentials", () => {
      assert.equal(addr.host, "127.0.0.1");
      assert.ok(addr.port > 0);
      assert.equal(addr.url, `smtp://relay-user:${encodeURIComponent(PASS)}@127.0.0.1:${addr.port}`);
    });

    test("keeps UTF-8 subject and body, display name, Message-ID, threading headers and an attachment exactly", async () => {
      const attachment = randomBytes(3000);
      const messageId = "<custom-1.abc@mail.example.org>";
      const info = await transport.sendMail({
        from: { name: "Zoë Ångström, Ph.D.", address: ME },
        to: "alice@example.net",
        subject: "Grüße – ünïcödé ✓ 🎉 and a long tail to force encoded-word folding in the header line",
        text: "Hallo Welt\nZweite Zeile € ✓ 😀\n.a line starting with a dot\n",
        messageId,
        inReplyTo: "<parent@example.net>",
        references: ["<root@example.net>", "<parent@example.net>"],
        attachments: [{ filename: "Notizen ü.bin", content: attachment, contentType: "application/x-test" }],
      });
      assert.match(info.response, /^250 2\.0\.0 OK: queued as Q\d{6}$/);
      assert.deepEqual(info.accepted, ["alice@example.net"]);

      const m = await sink.waitFor((r) => r.messageId === messageId);
      assert.equal(info.response.slice(-7), m.id);
      assert.deepEqual(m.envelope, { from: ME, to: ["alice@example.net"] });
      assert.equal(m.authUser, USER);
      assert.equal(m.subject, "Grüße – ünïcödé ✓ 🎉 and a long tail to force encoded-word folding in the header line");
      assert.deepEqual(m.from, { name: "Zoë Ångström, Ph.D.", address: ME });
      assert.deepEqual(m.to, [{ name: "", address: "alice@example.net" }]);
      assert.equal(m.text, "Hallo Welt\nZweite Zeile € ✓ 😀\n.a line starting with a dot\n");
      assert.equal(m.html, undefined);
      assert.equal(m.inReplyTo, "<parent@example.net>");
      assert.deepEqual(m.references, ["<root@example.net>", "<parent@example.net>"]);
      assert.ok(m.date && Math.abs(m.date.getTime() - Date.now()) < 60_000, `date ${String(m.date)}`);
      assert.equal(m.dkimSignature, undefined);
      assert.equal(m.attachments.length, 1);
      const [a] = m.attachments;
      assert.equal(a?.filename, "Notizen ü.bin");
      assert.equal(a?.contentType, "application/x-test");
      assert.equal(a?.size, 3000);
      assert.ok(a?.content.equals(attachment));
      assert.match(m.rawHeaders, /^Message-ID: <custom-1\.abc@mail\.example\.org>$/m);
    });

    test("an HTML body and a DKIM-Signature are kept", async () => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
      const messageId = nextId();
      await transport.sendMail({
        ...simple(messageId),
        text: undefined,
        html: "<p>Hallo <b>Welt</b> €</p>",
        dkim: {
          domainName: "mail.example.org",
          keySelector: "sel1",
          privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        },
      });
      const m = await sink.waitFor((r) => r.messageId === messageId);
      // SMTP data always ends with a line break: nodemailer adds CRLF to a body without one.
      assert.equal(m.html, "<p>Hallo <b>Welt</b> €</p>\n");
      assert.match(m.dkimSignature ?? "", /^v=1; a=rsa-sha256; c=relaxed\/relaxed; d=mail\.example\.org; .*s=sel1;/);
      assert.ok(!/[\r\n]/.test(m.dkimSignature ?? ""), "unfolded");
    });

    test("the url alone configures a working transport; a wrong password gets 535", async () => {
      const viaUrl = createTransport(addr.url);
      try {
        const messageId = nextId();
        await viaUrl.sendMail(simple(messageId));
        assert.equal((await sink.waitFor((r) => r.messageId === messageId)).authUser, USER);
      } finally {
        viaUrl.close();
      }
      const bad = relayTransport(addr, "wrong");
      try {
        const err = await rejection(bad.sendMail(simple(nextId())));
        assert.equal(err.code, "EAUTH");
        assert.equal(err.responseCode, 535);
      } finally {
        bad.close();
      }
    });

    test("rejectNext 550 at RCPT reaches nodemailer as a permanent error with responseCode, once", async () => {
      const before = sink.received.length;
      sink.rejectNext(1, { code: 550, message: "5.7.1 Relaying denied" });
      const err = await rejection(transport.sendMail(simple(nextId())));
      assert.equal(err.responseCode, 550);
      assert.equal(err.code, "EENVELOPE");
      assert.equal(err.permanent, true);
      assert.equal(err.response, "550 5.7.1 Relaying denied");
      assert.equal(sink.received.length, before);
      const ok = await transport.sendMail(simple(nextId()));
      assert.match(ok.response, /^250 /);
    });

    test("rejectNext 451 after DATA is a temporary error; 421 closes the session", async () => {
      const before = sink.received.length;
      sink.rejectNext(1, { code: 451, at: "data" });
      const err = await rejection(transport.sendMail(simple(nextId())));
      assert.equal(err.responseCode, 451);
      assert.equal(err.code, "EMESSAGE");
      assert.equal(err.permanent, false);
      assert.equal(err.response, "451 4.3.0 Local error in processing, try again later");

      sink.rejectNext(1, { code: 421, message: "4.3.2 going down" });
      const err421 = await rejection(transport.sendMail(simple(nextId())));
      assert.equal(err421.responseCode, 421);
      assert.equal(err421.permanent, false);
      assert.equal(sink.received.length, before);
    });

    test("rejectRecipient refuses one recipient every time; the others still get the mail", async () => {
      sink.rejectRecipient("Ghost@Example.net", { code: 550, message: "5.1.1 <ghost@example.net>: user unknown" });
      try {
        for (let i = 0; i < 2; i++) {
          const messageId = nextId();
          const info = await transport.sendMail(simple(messageId, ["ghost@example.net", "bob@example.net"]));
          assert.deepEqual(info.rejected, ["ghost@example.net"]);
          assert.deepEqual(info.accepted, ["bob@example.net"]);
          assert.equal(info.rejectedErrors?.[0]?.responseCode, 550);
          const m = await sink.waitFor((r) => r.messageId === messageId);
          assert.deepEqual(m.envelope.to, ["bob@example.net"]);
        }
      } finally {
        sink.clearRecipient("ghost@example.net");
      }
    });

    test("dropConnectionNext cuts the socket without a reply and keeps nothing", async () => {
      const before = sink.received.length;
      sink.dropConnectionNext(1); // after the data
      const err = await rejection(transport.sendMail(simple(nextId())));
      assert.equal(err.code, "ECONNECTION");
      assert.equal(err.responseCode, undefined);

      sink.dropConnectionNext(1, "connect");
      const err2 = await rejection(transport.sendMail(simple(nextId())));
      assert.equal(err2.responseCode, undefined);
      assert.ok(err2.code === "ECONNECTION" || err2.code === "ESOCKET", String(err2.code));
      assert.equal(sink.received.length, before);
      await transport.sendMail(simple(nextId())); // back to normal
    });

    test("bounce() builds an RFC 3464 DSN for a received mail that mailparser reads as multipart/report", async () => {
      const messageId = nextId();
      await transport.sendMail({ ...simple(messageId, "nobody@example.net"), subject: "Wichtig ✓" });
      await sink.waitFor((r) => r.messageId === messageId);
      const dsn = sink.bounce(messageId.slice(1, -1), {
        to: ME,
        recipient: "nobody@example.net",
        status: "5.1.1",
        diagnostic: "550 5.1.1 user unknown",
        remoteMta: "mx.example.net",
      });
      assert.ok(!/[^\r]\n/.test(dsn), "CRLF line ends only");

      const parsed = await simpleParser(dsn, { keepDeliveryStatus: true });
      const ct = parsed.headers.get("content-type") as { value: string; params: Record<string, string> };
      assert.equal(ct.value, "multipart/report");
      assert.equal(ct.params["report-type"], "delivery-status");
      assert.deepEqual(parsed.from?.value, [{ name: "Mail Delivery System", address: "MAILER-DAEMON@relay.sim.test" }]);
      assert.equal((parsed.to as { text: string } | undefined)?.text, ME);
      assert.equal(parsed.headers.get("auto-submitted"), "auto-replied");
      assert.match(parsed.text ?? "", /<nobody@example\.net>: 550 5\.1\.1 user unknown/);

      const status = parsed.attachments.find((a) => a.contentType === "message/delivery-status");
      const fields = status?.content.toString("utf8") ?? "";
      assert.match(fields, /^Reporting-MTA: dns; relay\.sim\.test\r?$/m);
      assert.match(fields, /^Arrival-Date: /m);
      assert.match(fields, /^Final-Recipient: rfc822; nobody@example\.net\r?$/m);
      assert.match(fields, /^Action: failed\r?$/m);
      assert.match(fields, /^Status: 5\.1\.1\r?$/m);
      assert.match(fields, /^Remote-MTA: dns; mx\.example\.net\r?$/m);
      assert.match(fields, /^Diagnostic-Code: smtp; 550 5\.1\.1 user unknown\r?$/m);

      const headers = parsed.attachments.find((a) => a.contentType === "text/rfc822-headers");
      const original = await simpleParser(headers?.content ?? "");
      assert.equal(original.messageId, messageId);
      assert.equal(original.subject, "Wichtig ✓");

      const delayed = await simpleParser(
        sink.bounce(messageId, { to: ME, recipient: "nobody@example.net", status: "4.4.1", diagnostic: "451 4.4.1 no answer" }),
        { keepDeliveryStatus: true },
      );
      const delayedFields = delayed.attachments.find((a) => a.contentType === "message/delivery-status");
      assert.match(delayedFields?.content.toString("utf8") ?? "", /^Action: delayed\r?$/m);

      assert.throws(() => sink.bounce("<never@sent>", { to: ME, recipient: "x@y", status: "5.1.1", diagnostic: "550" }), /no received mail/);
      assert.throws(() => sink.bounce(messageId, { to: ME, recipient: "x@y", status: "550", diagnostic: "550" }), /status/);
    });

    test("the JSON control API injects faults and lists mails without bodies' bytes", async () => {
      const control = await startControl(sink);
      try {
        const post = (path: string, body: unknown) =>
          fetch(`${control.url}${path}`, { method: "POST", body: JSON.stringify(body) });
        assert.equal((await post("/_sim/reject-next", { code: 552, at: "data" })).status, 200);
        const err = await rejection(transport.sendMail(simple(nextId())));
        assert.equal(err.responseCode, 552);
        const bad = await post("/_sim/reject-next", { code: 200 });
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /'code' must be one of/);

        const messageId = nextId();
        await transport.sendMail(simple(messageId));
        const mails = (await (await fetch(`${control.url}/_sim/mails`)).json()) as Array<Record<string, unknown>>;
        const listed = mails.find((m) => m.messageId === messageId);
        assert.deepEqual(listed?.envelope, { from: ME, to: ["alice@example.net"] });
        assert.equal(listed?.raw, undefined);

        const bounce = await post("/_sim/bounce", { messageId, to: ME, recipient: "alice@example.net", status: "5.1.1", diagnostic: "550 5.1.1 gone" });
        assert.match(((await bounce.json()) as { dsn: string }).dsn, /^Status: 5\.1\.1\r$/m);
      } finally {
        control.server.close();
      }
    });
  });

  describe("outside world → inbound listener (sendMail, sendRawMail)", { concurrency: 1 }, () => {
    let inbound: Awaited<ReturnType<typeof startInbound>>;
    let target: { host: string; port: number };
    const ALICE = "alice@mail.example.org";
    const OUTSIDE = { name: "Bob Müller", address: "bob@outside.example" };

    before(async () => {
      inbound = await startInbound();
      target = { host: "127.0.0.1", port: inbound.port };
    });
    after(async () => {
      await new Promise<void>((r) => inbound.server.close(r));
    });

    test("a plain text mail arrives with display name, UTF-8 subject and body, and threading headers", async () => {
      const mail = plainTextMail({
        from: OUTSIDE,
        to: ALICE,
        subject: "Re: Grüße ✓",
        text: "Antwort mit Umlauten äöü und € 🎉\n",
        messageId: "<reply-1@outside.example>",
        inReplyTo: "<orig@mail.example.org>",
        references: ["<root@mail.example.org>", "<orig@mail.example.org>"],
      });
      const outcome = await sendMail(target, mail);
      assert.deepEqual(outcome, {
        accepted: [ALICE],
        rejected: [],
        code: 250,
        response: "250 2.0.0 Ok: accepted",
        stage: "message",
        rejectedErrors: [],
      });
      const got = inbound.got.find((g) => g.parsed.messageId === "<reply-1@outside.example>");
      assert.deepEqual(got?.envelope, { from: OUTSIDE.address, to: [ALICE] });
      assert.deepEqual(got?.parsed.from?.value, [OUTSIDE]);
      assert.equal(got?.parsed.subject, "Re: Grüße ✓");
      assert.equal(got?.parsed.text, "Antwort mit Umlauten äöü und € 🎉\n");
      assert.equal(got?.parsed.inReplyTo, "<orig@mail.example.org>");
      assert.deepEqual(got?.parsed.references, ["<root@mail.example.org>", "<orig@mail.example.org>"]);
    });

    test("an HTML-only mail and a mail with an attachment arrive as built", async () => {
      const html = htmlOnlyMail({ from: OUTSIDE, to: ALICE, subject: "html", html: "<p>nur <i>HTML</i> ✓</p>" });
      assert.equal((await sendMail(target, html)).code, 250);
      const gotHtml = inbound.got.find((g) => g.parsed.messageId === html.messageId);
      assert.equal(gotHtml?.parsed.html, "<p>nur <i>HTML</i> ✓</p>\n");
      assert.equal((gotHtml?.parsed.headers.get("content-type") as { value: string } | undefined)?.value, "text/html");
      assert.match(html.messageId ?? "", /^<[0-9a-f-]{36}@outside\.example>$/);

      const bytes = randomBytes(600);
      const withFile = mailWithAttachment({
        from: OUTSIDE,
        to: ALICE,
        subject: "file",
        text: "see attached",
        attachments: [{ filename: "photo.jpg", content: bytes, contentType: "image/jpeg" }],
      });
      assert.equal((await sendMail(target, withFile)).code, 250);
      const gotFile = inbound.got.find((g) => g.parsed.messageId === withFile.messageId);
      assert.equal(gotFile?.parsed.attachments[0]?.filename, "photo.jpg");
      assert.equal(gotFile?.parsed.attachments[0]?.contentType, "image/jpeg");
      assert.ok(gotFile?.parsed.attachments[0]?.content.equals(bytes));
    });

    test("sendMail reports a refused RCPT (550) and an oversize message (552) as outcomes", async () => {
      const count = inbound.got.length;
      const unknown = await sendMail(target, plainTextMail({ from: OUTSIDE, to: "nobody@mail.example.org", subject: "?", text: "?" }));
      assert.equal(unknown.code, 550);
      assert.equal(unknown.stage, "rcpt");
      assert.deepEqual(unknown.accepted, []);
      assert.deepEqual(unknown.rejected, ["nobody@mail.example.org"]);
      assert.equal(unknown.response, "550 5.1.1 <nobody@mail.example.org>: Recipient address rejected: User unknown");
      assert.deepEqual(unknown.rejectedErrors.map((e) => [e.recipient, e.code]), [["nobody@mail.example.org", 550]]);

      const mixed = await sendMail(target, plainTextMail({ from: OUTSIDE, to: ["nobody@mail.example.org", ALICE], subject: "m", text: "m" }));
      assert.equal(mixed.code, 250);
      assert.deepEqual(mixed.accepted, [ALICE]);
      assert.deepEqual(mixed.rejected, ["nobody@mail.example.org"]);
      assert.equal(mixed.rejectedErrors[0]?.code, 550);

      const big = await sendMail(target, plainTextMail({ from: OUTSIDE, to: ALICE, subject: "big", text: "x".repeat(10_000) }));
      assert.equal(big.code, 552);
      assert.equal(big.stage, "message");
      assert.deepEqual(big.accepted, []);
      assert.deepEqual(big.rejected, [ALICE]);
      assert.equal(big.response, "552 5.3.4 Message too big for system");
      assert.equal(inbound.got.length, count + 1, "only the mixed one was delivered");
    });

    test("sendRawMail sends malformed MIME verbatim (dot-stuffed) and reports every reply", async () => {
      const longHeader = `X-Long: ${"y".repeat(1500)}`;
      const raw = Buffer.concat([
        Buffer.from(
          [
            "From: =?utf-8?B?broken-encoded-word?= <raw@outside.example>",
            `To: ${ALICE}`,
            "Subject: caf\u00e9 in latin-1 ->",
            "Message-ID: <raw-1@outside.example>",
            longHeader,
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="never-closed"',
            "",
            "--never-closed",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            "!!!not base64!!!",
            ".leading dot",
            "..two dots",
            "",
          ].join("\n"),
          "latin1",
        ),
        Buffer.from([0xff, 0xfe, 0x0a]),
      ]);
      const outcome = await sendRawMail(target, { from: "raw@outside.example", to: [ALICE] }, raw);
      assert.deepEqual(
        outcome.replies.map((r) => [r.stage, r.code]),
        [["greeting", 220], ["ehlo", 250], ["mail", 250], ["rcpt", 250], ["data", 354], ["message", 250], ["quit", 221]],
      );
      assert.equal(outcome.code, 250);
      assert.equal(outcome.stage, "message");
      assert.deepEqual(outcome.accepted, [ALICE]);
      const got = inbound.got.find((g) => g.raw.includes("<raw-1@outside.example>"));
      // What arrived is the input with CRLF line ends: the dots were stuffed and unstuffed again.
      assert.ok(got?.raw.equals(Buffer.from(raw.toString("latin1").replace(/\n/g, "\r\n"), "latin1")), "bytes arrive unchanged");
      assert.deepEqual(got?.envelope, { from: "raw@outside.example", to: [ALICE] });
    });

    test("sendRawMail reports 550 at RCPT and 552 after the data", async () => {
      const refused = await sendRawMail(target, { from: "raw@outside.example", to: ["ghost@mail.example.org"] }, "Subject: x\n\nx\n");
      assert.equal(refused.code, 550);
      assert.equal(refused.stage, "rcpt");
      assert.deepEqual(refused.rejected, ["ghost@mail.example.org"]);
      assert.deepEqual(refused.replies.map((r) => r.stage), ["greeting", "ehlo", "mail", "rcpt", "quit"]);
      assert.equal(refused.replies[3]?.text, "5.1.1 <ghost@mail.example.org>: Recipient address rejected: User unknown");

      const big = await sendRawMail(target, { from: "raw@outside.example", to: [ALICE] }, `Subject: big\n\n${"z".repeat(8000)}\n`);
      assert.equal(big.code, 552);
      assert.equal(big.stage, "message");
      assert.deepEqual(big.accepted, []);
      assert.equal(big.replies.at(-1)?.stage, "quit");
    });

    test("a DSN from the sink travels with a null sender and parses at the other end", async () => {
      const sink = new MailRelaySink();
      const relay = await sink.start();
      const transport = createTransport({ host: relay.host, port: relay.port, secure: false, ignoreTLS: true });
      try {
        assert.equal(relay.url, `smtp://127.0.0.1:${relay.port}`);
        await transport.sendMail({ from: ALICE, to: "lost@example.net", subject: "s", text: "t", messageId: "<out-9@mail.example.org>" });
        const dsn = sink.bounce("<out-9@mail.example.org>", { to: ALICE, recipient: "lost@example.net", status: "5.1.1", diagnostic: "550 5.1.1 user unknown" });
        const outcome = await sendRawMail(target, { from: "", to: [ALICE] }, dsn);
        assert.equal(outcome.code, 250);
        assert.equal(outcome.replies.find((r) => r.stage === "mail")?.code, 250);
        const got = inbound.got.find((g) => g.parsed.headers.get("x-failed-recipients") === "lost@example.net");
        assert.equal(got?.envelope.from, "");
        assert.equal((got?.parsed.headers.get("content-type") as { value: string } | undefined)?.value, "multipart/report");
      } finally {
        transport.close();
        await sink.stop();
      }
    });

    test("a server that goes away: sendRawMail throws SmtpDialogueError with the replies so far, sendMail rejects", async () => {
      const sink = new MailRelaySink({ size: 2000 });
      const relay = await sink.start();
      try {
        sink.dropConnectionNext(1, "data");
        const err = await rejection(sendRawMail(relay, { from: "a@outside.example", to: [ALICE] }, "Subject: x\n\nx\n"));
        assert.ok(err instanceof SmtpDialogueError);
        assert.equal(err.stage, "message");
        assert.deepEqual(err.replies.map((r) => r.code), [220, 250, 250, 250, 354]);

        sink.dropConnectionNext(1, "connect");
        const err2 = await rejection(sendMail(relay, plainTextMail({ from: OUTSIDE, to: ALICE, subject: "s", text: "t" })));
        assert.equal(err2.responseCode, undefined);
        assert.equal(sink.received.length, 0);

        await assert.rejects(sendRawMail({ host: "127.0.0.1", port: 1 }, { from: "a@b", to: [ALICE] }, "x"), /ECONNREFUSED/);

        // And the sink's own size limit, seen from a sender.
        const big = await sendMail(relay, plainTextMail({ from: OUTSIDE, to: ALICE, subject: "big", text: "b".repeat(5000) }));
        assert.equal(big.code, 552);
        assert.equal(big.response, "552 5.3.4 Message size exceeds fixed limit 2000");
        assert.equal(sink.received.length, 0);
      } finally {
        await sink.stop();
      }
    });
  });
});
