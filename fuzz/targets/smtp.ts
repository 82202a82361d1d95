// The email network's inbound surface: the gateway's SMTP listener. Unknown recipients (550 at
// RCPT), malformed MIME, huge header lines, bad encodings, NUL and control characters, missing
// headers, bare LFs, a declared and a real oversize message, delivery reports (DSNs) about
// Message-IDs nobody sent. Each case's `code` is the SMTP reply that decided the session (its
// stage is in `reason`); a session the server leaves without a reply is "error", one it leaves
// hanging is "timeout". 421/451 are the gateway's own failures (see inboundBatch.ts).
import { randomUUID } from "node:crypto";
import type { Rng } from "../../test/support/rng.ts";
import { buildDsn, sendMail, sendRawMail, SmtpDialogueError, type OutsideMail, type RawSendOptions } from "../../adapters/email/simulator/index.ts";
import type { MailAim } from "../env/fuzzEnv.ts";
import type { ProbeResult } from "../http/request.ts";
import { bulk, nasty, randomText } from "../xmpp/text.ts";
import type { InboundCase, NetworkTarget } from "./types.ts";

/** Per-reply deadline: the listener answers every step at once, or after the core committed. */
const REPLY_TIMEOUT_MS = 5_000;

type Gen = (rng: Rng, m: MailAim) => InboundCase;

function toProbe(t0: number, outcome: { code: number; stage: string; response: string }): ProbeResult {
  return { code: outcome.code, ms: Date.now() - t0, reason: `${outcome.stage}: ${outcome.response.slice(0, 180)}` };
}

function fromError(t0: number, err: unknown): ProbeResult {
  const msg = (err as Error).message ?? String(err);
  const stage = err instanceof SmtpDialogueError ? err.stage : "?";
  const timeout = /no reply within|timed? ?out/i.test(msg);
  return { code: timeout ? "timeout" : "error", ms: Date.now() - t0, reason: `${stage}: ${msg.slice(0, 180)}` };
}

export function raw(m: MailAim, envelope: { from: string; to: string[] }, data: string | Buffer, opts: RawSendOptions = {}): () => Promise<ProbeResult> {
  return async () => {
    const t0 = Date.now();
    try {
      return toProbe(t0, await sendRawMail(m.smtp, envelope, data, { timeoutMs: REPLY_TIMEOUT_MS, ...opts }));
    } catch (err) {
      return fromError(t0, err);
    }
  };
}

function viaNodemailer(m: MailAim, mail: OutsideMail): () => Promise<ProbeResult> {
  return async () => {
    const t0 = Date.now();
    try {
      return toProbe(t0, await sendMail(m.smtp, mail, { timeoutMs: REPLY_TIMEOUT_MS }));
    } catch (err) {
      return fromError(t0, err);
    }
  };
}

const sender = (rng: Rng) => `fuzz${rng.int(1, 50)}@outside.test`;
const msgId = () => `<${randomUUID()}@outside.test>`;

/** A plain, correct mail to nina, with header lines replaceable by the generators. */
function mail(o: { from?: string; to: string; subject?: string; body?: string; extra?: string[]; omit?: string[] }): string {
  const headers: Array<[string, string]> = [
    ["From", o.from ?? "Fuzzer <fuzz@outside.test>"],
    ["To", o.to],
    ["Subject", o.subject ?? "fuzz"],
    ["Date", new Date().toUTCString()],
    ["Message-ID", msgId()],
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/plain; charset=utf-8"],
  ];
  const lines = headers.filter(([k]) => !(o.omit ?? []).includes(k)).map(([k, v]) => `${k}: ${v}`);
  return [...lines, ...(o.extra ?? []), "", o.body ?? "hello"].join("\r\n");
}

const unknownRecipient: Gen = (rng, m) => {
  const to = rng.pick([
    `nobody${rng.hex(3)}@${m.addressDomain}`,
    `postmaster@${m.addressDomain}`,
    `NINA.${rng.hex(2)}@${m.addressDomain}`,
    `nina@other.example`,
    `nina@${m.addressDomain}.evil.test`,
    `"nina"@sub.${m.addressDomain}`,
    `${bulk(rng.int(65, 400), "x")}@${m.addressDomain}`,
  ]);
  return { category: "unknown-recipient", describe: `RCPT TO:<${to.slice(0, 50)}>`, expect: [550, 501, 553], send: raw(m, { from: sender(rng), to: [to] }, mail({ to })) };
};

const mixedRecipients: Gen = (rng, m) => {
  const to = rng.shuffle([m.address, `ghost${rng.hex(2)}@${m.addressDomain}`, "x@elsewhere.test"]);
  return { category: "mixed-recipients", describe: "nina + two unknown recipients", expect: [250], send: raw(m, { from: sender(rng), to }, mail({ to: to.join(", "), body: randomText(rng, 80) || "x" })) };
};

const MALFORMED_MIME: Array<(m: MailAim, rng: Rng) => string> = [
  (m) => mail({ to: m.address, extra: [], omit: ["Content-Type"], body: "--b\r\nContent-Type: text/plain\r\n\r\nno multipart header" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/mixed; boundary="b"'], body: "--b\r\nContent-Type: text/plain\r\n\r\nnever closed" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: multipart/mixed"], body: "no boundary parameter" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/alternative; boundary=""'], body: "--\r\n\r\nempty boundary\r\n----" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/mixed; boundary="a"'], body: `${"--a\r\nContent-Type: multipart/mixed; boundary=\"a\"\r\n\r\n".repeat(200)}deep` }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: ;;;===;;"], body: "junk type" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: message/rfc822"], body: "not a message\r\n\r\n\r\n" }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/mixed; boundary="z"'], body: '--z\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Disposition: attachment; filename="../../etc/passwd"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64!!!\r\n--z--' }),
  (m) => mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/mixed; boundary="z"'], body: `--z\r\nContent-Type: image/png; name="${bulk(5_000, "n")}.png"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--z--` }),
  () => "",
  () => "\r\n\r\n\r\n",
  () => "just a body, no headers at all",
  () => "Header-Without-Colon\r\nAnother one\r\n\r\nbody",
  (m) => `To: ${m.address}\r\n : folded nothing\r\n\tcontinuation first\r\n\r\nbody`,
];

const malformedMime: Gen = (rng, m) => {
  const i = rng.int(0, MALFORMED_MIME.length - 1);
  return { category: "malformed-mime", describe: `malformed MIME #${i}`, expect: [250, 550, 554], send: raw(m, { from: sender(rng), to: [m.address] }, MALFORMED_MIME[i]!(m, rng)) };
};

const hugeHeader: Gen = (rng, m) => {
  const size = rng.pick([10_000, 100_000, 1_000_000]);
  const which = rng.pick(["Subject", "From", "X-Junk", "References", "Message-ID", "To"]);
  const value = which === "From" ? `${bulk(size, "n")} <a@outside.test>` : which === "References" ? Array.from({ length: size / 40 }, () => msgId()).join(" ") : bulk(size, which === "To" ? "x," : "abcdefgh ");
  const data = which === "X-Junk" ? mail({ to: m.address, extra: [`X-Junk: ${value}`] }) : mail({ to: m.address, omit: [which], extra: [`${which}: ${value}`] });
  return { category: "huge-header", describe: `${which} header of ${size} chars (one line)`, expect: [250, 550, 552, 554], send: raw(m, { from: sender(rng), to: [m.address] }, data) };
};

const badEncoding: Gen = (rng, m) => {
  const [name, data] = rng.pick<[string, string | Buffer]>([
    ["base64 body that isn't", mail({ to: m.address, extra: ["Content-Transfer-Encoding: base64"], body: "@@@@ not base64 ====\r\n!!" })],
    ["broken quoted-printable", mail({ to: m.address, extra: ["Content-Transfer-Encoding: quoted-printable"], body: "=ZZ=\r\n=E2=82 =\r\n=" })],
    ["unknown transfer encoding", mail({ to: m.address, extra: ["Content-Transfer-Encoding: x-rot13"], body: "uryyb" })],
    ["unknown charset", mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: text/plain; charset=x-no-such-charset"], body: "caf\u00e9" })],
    ["utf-7 charset", mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: text/plain; charset=utf-7"], body: "+AGEAYgBj-" })],
    ["broken encoded-word subject", mail({ to: m.address, subject: "=?utf-8?B?!!!?= =?x-bad?Q?a=ZZ?= =?utf-8?Q?" })],
    ["invalid UTF-8 bytes", Buffer.concat([Buffer.from(mail({ to: m.address, body: "" })), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x0d, 0x0a])])],
    ["latin1 8-bit headers", Buffer.from(mail({ to: m.address, subject: "caf\u00e9 \u00fc\u00df", from: "J\u00fcrgen <j@outside.test>" }), "latin1")],
    ["html-only with script", mail({ to: m.address, omit: ["Content-Type"], extra: ["Content-Type: text/html; charset=utf-8"], body: `<script>alert(1)</script><img src=x onerror=alert(1)>${bulk(2_000, "<b>")}` })],
  ]);
  return { category: "bad-encoding", describe: name, expect: [250, 554], send: raw(m, { from: sender(rng), to: [m.address] }, data) };
};

const controlChars: Gen = (rng, m) => {
  const ctl = rng.pick(["\u0000", "\u0001", "\u001b[31m", "\u0008", "\u007f", "\ufffe", "\uffff", "\u202e", "\r", "\u0000\u0000\u0000"]);
  const where = rng.pick(["body", "subject", "from name", "attachment name"] as const);
  const data =
    where === "body" ? mail({ to: m.address, body: `a${ctl}b ${nasty(rng)}` })
    : where === "subject" ? mail({ to: m.address, subject: `s${ctl}s` })
    : where === "from name" ? mail({ to: m.address, from: `"N${ctl}me" <n@outside.test>` })
    : mail({ to: m.address, omit: ["Content-Type"], extra: ['Content-Type: multipart/mixed; boundary="q"'], body: `--q\r\nContent-Type: text/plain\r\n\r\nhi\r\n--q\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="a${ctl}.txt"\r\n\r\ndata\r\n--q--` });
  return { category: "control-chars", describe: `${JSON.stringify(ctl)} in the ${where}`, expect: [250, 554], send: raw(m, { from: sender(rng), to: [m.address] }, data, { lineEndings: rng.chance(0.5) ? "crlf" : "verbatim" }) };
};

const missingHeaders: Gen = (rng, m) => {
  const omit = rng.shuffle(["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]).slice(0, rng.int(1, 7));
  const nullSender = rng.chance(0.3);
  // Without From (and a null envelope sender) there is no sender at all: 550 5.1.7.
  return {
    category: "missing-headers",
    describe: `without ${omit.join(", ")}${nullSender ? ", MAIL FROM:<>" : ""}`,
    expect: [250, 550],
    send: raw(m, { from: nullSender ? "" : sender(rng), to: [m.address] }, mail({ to: m.address, omit })),
  };
};

const bareLf: Gen = (rng, m) => ({
  category: "bare-lf",
  describe: "bare LF line ends, verbatim",
  expect: [250, 554],
  send: raw(m, { from: sender(rng), to: [m.address] }, mail({ to: m.address, body: "line1\nline2\n.\nafter a bare-LF dot\n" }).replace(/\r\n/g, "\n"), { lineEndings: "verbatim" }),
});

const declaredOversize: Gen = (rng, m) => {
  const size = m.maxMessageBytes + rng.int(1, 1_000_000);
  return { category: "oversize", describe: `MAIL FROM with SIZE=${size}`, expect: [552], send: raw(m, { from: sender(rng), to: [m.address] }, mail({ to: m.address }), { mailParams: [`SIZE=${size}`] }) };
};

/** A DSN whose original Message-ID this gateway never sent (in its own domain, or another). */
const dsn: Gen = (rng, m) => {
  const ours = rng.chance(0.7);
  const originalId = ours ? `<${randomUUID()}@${m.addressDomain}>` : msgId();
  const status = rng.pick(["5.1.1", "4.4.1", "5.0.0", "5.7.1"]);
  let data = buildDsn({
    reportingMta: "mx.outside.test",
    to: m.address,
    recipient: `gone${rng.hex(2)}@outside.test`,
    status,
    diagnostic: rng.chance(0.8) ? "550 5.1.1 mailbox does not exist" : bulk(2_000, "d"),
    originalHeaders: `From: ${m.address}\r\nTo: someone@outside.test\r\nMessage-ID: ${originalId}\r\nSubject: x`,
  });
  const mutation = rng.pick(["none", "none", "no-original-id", "garbage-status", "truncated", "nul"] as const);
  if (mutation === "no-original-id") data = data.replace(/^Message-ID: <[^>]*@(?!mx\.outside).*$/m, "X-Removed: 1");
  else if (mutation === "garbage-status") data = data.replace(/^Status: .*$/m, `Status: ${nasty(rng).replace(/[\r\n]/g, "") || "9.9.9"}`).replace(/^Action: .*$/m, "Action: exploded");
  else if (mutation === "truncated") data = data.slice(0, Math.floor(data.length * rng.next()));
  else if (mutation === "nul") data = data.replace("Final-Recipient", "Final-Rec\u0000ipient");
  return {
    category: "dsn",
    describe: `DSN ${status} about an unknown ${ours ? "gateway" : "foreign"} Message-ID (${mutation})`,
    expect: [250, 550, 554],
    send: raw(m, { from: "", to: [m.address] }, data),
  };
};

/** Well-formed mail through nodemailer, random content. */
const wellFormed: Gen = (rng, m) => {
  const out: OutsideMail = {
    from: rng.chance(0.8) ? `Fuzz ${rng.hex(2)} <${sender(rng)}>` : `${nasty(rng).replace(/[<>@\r\n]/g, "")} <${sender(rng)}>`,
    to: m.address,
    subject: randomText(rng, 60),
    text: rng.chance(0.9) ? randomText(rng, 200) || "x" : bulk(rng.int(10_000, 200_000), "long text "),
    messageId: msgId(),
    date: new Date(),
  };
  if (rng.chance(0.3)) out.inReplyTo = rng.pick([msgId(), `<${randomUUID()}@${m.addressDomain}>`, "not-an-id"]);
  if (rng.chance(0.2)) out.attachments = [{ filename: rng.pick(["a.txt", "..\\..\\x.exe", "", "\u202egpj.exe"]), content: Buffer.from(randomText(rng, 100) || "x"), contentType: rng.pick(["text/plain", "application/x-msdownload", "image/png"]) }];
  return { category: "well-formed", describe: "nodemailer mail with random content", expect: [250], send: viaNodemailer(m, out) };
};

/** SMTP commands out of order and odd envelopes (still through the normal dialogue). */
const oddEnvelope: Gen = (rng, m) => {
  const from = rng.pick(["", "a", "@", "<>", `${bulk(300, "f")}@outside.test`, "nobody@[127.0.0.1]", "\u00fc@outside.test", `${nasty(rng).replace(/[\r\n<>]/g, "")}@x.test`]);
  return { category: "odd-envelope", describe: `MAIL FROM:<${from.slice(0, 40)}>`, expect: [250, 501, 550, 553, 555], send: raw(m, { from, to: [m.address] }, mail({ to: m.address, body: "odd envelope" })) };
};

const GENERATORS: ReadonlyArray<readonly [number, Gen]> = [
  [10, unknownRecipient],
  [4, mixedRecipients],
  [14, malformedMime],
  [6, hugeHeader],
  [10, badEncoding],
  [10, controlChars],
  [8, missingHeaders],
  [3, bareLf],
  [3, declaredOversize],
  [10, dsn],
  [14, wellFormed],
  [6, oddEnvelope],
];

export const smtp: NetworkTarget = {
  name: "smtp",
  async cases(rng, count, env) {
    return Array.from({ length: count }, () => ({ protocol: "smtp" as const, ...rng.weighted(GENERATORS)(rng, env.mail) }));
  },
  async fixed(env) {
    const m = env.mail;
    const nina = env.cast.nina;
    const marker = `mail-fixed-${randomUUID().slice(0, 8)}`;
    const oversize = m.maxMessageBytes + 1024;
    const cases: InboundCase[] = [
      {
        category: "fixed",
        describe: "a plain mail to nina reaches her",
        expect: [250],
        send: raw(m, { from: "fixed@outside.test", to: [m.address] }, mail({ to: m.address, body: marker })),
        verify: async () => {
          const got = await nina.waitFor((el) => el.name === "message" && (el.getChildText("body") ?? "").includes(marker), { timeoutMs: 5_000 }).then(() => true, () => false);
          return got ? [] : ["a plain mail accepted with 250 never reached nina"];
        },
      },
      { category: "fixed", describe: "an unregistered address is refused at RCPT", expect: [550], send: raw(m, { from: "fixed@outside.test", to: [`nobody@${m.addressDomain}`] }, mail({ to: "x" })) },
      {
        category: "fixed",
        // The real thing, once: the listener has to read it all and still answer 552.
        describe: `a real ${oversize}-byte message (limit ${m.maxMessageBytes})`,
        expect: [552],
        send: raw(m, { from: "fixed@outside.test", to: [m.address] }, mail({ to: m.address, body: bulk(oversize, "0123456789abcdefghijklmnopqrstuvwxyz01234567890123456789abcdefghijklmnopqrstu\r\n") }), { timeoutMs: 20_000 }),
      },
    ];
    return cases.map((c) => ({ protocol: "smtp" as const, ...c }));
  },
};
