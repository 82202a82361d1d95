// Path 2: registered users send chat messages to +1555…@sms domain; the gateway queues them
// durably and sends each through the Twilio simulator, where arrival is timed. The simulator posts
// Twilio's status callbacks (sent, delivered) back to the gateway for every message, as Twilio does.
import { SMS_DOMAIN } from "../env/environment.ts";
import { seqOf } from "../load/recorder.ts";
import type { BenchPath } from "./path.ts";
import { xmppSenderChannel } from "./xmppSender.ts";

/** The contact number user `u` writes to as its `c`-th conversation. */
export function outboundContact(u: number, c: number): string {
  return `+1555020${String(u * 100 + c).padStart(4, "0")}`;
}

export const xmppToSms: BenchPath = {
  id: "xmpp-sms",
  label: "XMPP → SMS (gateway)",
  usesGateway: true,
  open(env, rec, tag, settings) {
    const contactsOf = (u: number) => Array.from({ length: settings.contactsPerUser }, (_, c) => `${outboundContact(u, c)}@${SMS_DOMAIN}`);
    return xmppSenderChannel(env, rec, tag, contactsOf, () => {
      env.tap.onSent = (m, t) => {
        const seq = seqOf(tag, m.body);
        if (seq >= 0) rec.markDone(seq, t);
      };
      return () => {
        env.tap.onSent = () => {};
      };
    }, settings.receipts);
  },
};
