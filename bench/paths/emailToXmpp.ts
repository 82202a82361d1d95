// email → XMPP: outside senders' mail to the users' addresses, over SMTP sessions held open into
// the gateway's inbound listener (as the operator's MX would: many mails per connection,
// --smtp-sessions of them at once); the gateway answers 250 once it has stored a mail, and passes
// it through Prosody to the user's socket, where arrival is timed. Latency starts when the mail's
// MAIL FROM is written.
import { randomBytes } from "node:crypto";
import { encodeData } from "../../adapters/email/simulator/index.ts";
import { bodyFor } from "../load/recorder.ts";
import { SmtpPool } from "../load/smtpPool.ts";
import { countArrivalsAtUsers, type BenchPath, conversationOf } from "./path.ts";

/** The outside address that writes to user `u` as its `c`-th conversation. */
export function inboundSender(u: number, c: number): string {
  return `sender-${u}-${c}@outside.example`;
}

export const emailToXmpp: BenchPath = {
  id: "email-xmpp",
  label: "email → XMPP (gateway)",
  usesGateway: true,
  open(env, rec, tag, settings) {
    const users = env.users;
    const errors = countArrivalsAtUsers(env, rec, tag);
    const pool = new SmtpPool(env.inboundSmtp, settings.smtpSessions, (problem) => errors.set(problem));
    // Message-IDs are the gateway's dedup key: unique per run and per benchmark process.
    const nonce = randomBytes(4).toString("hex");
    let date = new Date().toUTCString();
    let dateAt = performance.now();
    return {
      lanes: users.length,
      send(lane, seqs) {
        const to = users[lane]!.email;
        const now = performance.now();
        if (now - dateAt > 1000) {
          date = new Date().toUTCString();
          dateAt = now;
        }
        for (const seq of seqs) {
          const from = inboundSender(lane, conversationOf(seq, settings.contactsPerUser));
          const raw =
            `From: ${from}\r\nTo: ${to}\r\nSubject: bench\r\nDate: ${date}\r\n` +
            `Message-ID: <${tag}.${seq}.${nonce}@outside.example>\r\nMIME-Version: 1.0\r\n` +
            `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${bodyFor(tag, seq)}\r\n`;
          pool.send({ from, to, data: encodeData(raw, "verbatim"), onStart: () => rec.markSent(seq) });
        }
      },
      failure: () => errors.get(),
      close() {
        pool.close();
      },
    };
  },
};
