// Path 2: registered users send chat messages to +1555…@sms domain; the gateway queues them
// durably and sends each through the Twilio simulator, where arrival is timed. The simulator posts
// Twilio's status callbacks (sent, delivered) back to the gateway for every message, as Twilio does.
import { SMS_DOMAIN } from "../env/environment.ts";
import { bodyFor, seqOf } from "../load/recorder.ts";
import { errorHandler, FirstError, type BenchPath, conversationOf } from "./path.ts";

/** The contact number user `u` writes to as its `c`-th conversation. */
export function outboundContact(u: number, c: number): string {
  return `+1555020${String(u * 100 + c).padStart(4, "0")}`;
}

export const xmppToSms: BenchPath = {
  id: "xmpp-sms",
  label: "XMPP → SMS (gateway)",
  usesGateway: true,
  open(env, rec, tag, settings) {
    const users = env.users;
    const errors = new FirstError();
    const contacts = users.map((_, u) => Array.from({ length: settings.contactsPerUser }, (_, c) => `${outboundContact(u, c)}@${SMS_DOMAIN}`));
    for (const u of users) {
      u.client.listener = {
        body: () => {},
        error: errorHandler(errors, tag, u.username),
        presence: () => {},
      };
    }
    env.tap.onSent = (m, t) => {
      const seq = seqOf(tag, m.body);
      if (seq >= 0) rec.markDone(seq, t);
    };
    return {
      lanes: users.length,
      send(lane, seqs) {
        const to = contacts[lane]!;
        let out = "";
        for (const seq of seqs) {
          out += `<message type='chat' to='${to[conversationOf(seq, to.length)]}' id='${tag}-${seq}'><body>${bodyFor(tag, seq)}</body></message>`;
        }
        const t = performance.now();
        for (const seq of seqs) rec.markSent(seq, t);
        users[lane]!.client.write(out);
      },
      failure: () => errors.get(),
      close() {
        env.tap.onSent = () => {};
      },
    };
  },
};
