// XMPP → email: registered users send chat messages to XEP-0106 escaped address contacts
// (`rcpt-1-2\40example.net@email…`); the gateway queues them durably and sends each as a mail from
// the user's address through the operator's relay (its pooled nodemailer transport), here the
// relay simulator, where arrival is timed when the relay has accepted the mail's data.
import { escapeLocalpart } from "../../src/core/jidEscape.ts";
import { EMAIL_DOMAIN } from "../env/environment.ts";
import { seqOf } from "../load/recorder.ts";
import type { BenchPath } from "./path.ts";
import { xmppSenderChannel } from "./xmppSender.ts";

/** The outside address user `u` writes to as its `c`-th conversation. */
export function outboundAddress(u: number, c: number): string {
  return `rcpt-${u}-${c}@example.net`;
}

export const xmppToEmail: BenchPath = {
  id: "xmpp-email",
  label: "XMPP → email (gateway)",
  usesGateway: true,
  open(env, rec, tag, settings) {
    const contactsOf = (u: number) =>
      Array.from({ length: settings.contactsPerUser }, (_, c) => `${escapeLocalpart(outboundAddress(u, c))}@${EMAIL_DOMAIN}`);
    return xmppSenderChannel(env, rec, tag, contactsOf, () =>
      env.relay.onMail((mail) => {
        const t = performance.now();
        // nodemailer ends the text with a line break; the body is the first line.
        const text = mail.text ?? "";
        const nl = text.indexOf("\n");
        const seq = seqOf(tag, nl < 0 ? text : text.slice(0, nl));
        if (seq >= 0) rec.markDone(seq, t);
      }),
      settings.receipts,
    );
  },
};
