// Path 3: signed inbound-SMS webhooks, as Twilio posts them (keep-alive, bounded concurrency), to a
// user's pool number; the gateway stores each and passes it through Prosody to the user's client,
// where arrival is timed. Latency starts when the webhook request is issued.
import { bodyFor } from "../load/recorder.ts";
import { countArrivalsAtUsers, type BenchPath, conversationOf } from "./path.ts";

/** The number that texts user `u` as its `c`-th conversation. */
export function inboundContact(u: number, c: number): string {
  return `+1555030${String(u * 100 + c).padStart(4, "0")}`;
}

export const smsToXmpp: BenchPath = {
  id: "sms-xmpp",
  label: "SMS → XMPP (gateway)",
  usesGateway: true,
  open(env, rec, tag, settings) {
    const users = env.users;
    const errors = countArrivalsAtUsers(env, rec, tag);
    // Requests wait here for a free slot; a webhook's latency starts when it is actually sent.
    const waiting: Array<{ lane: number; seq: number }> = [];
    let inFlight = 0;
    let closed = false;
    const post = (lane: number, seq: number) => {
      inFlight++;
      rec.markSent(seq);
      const user = users[lane]!;
      env.sim
        .deliverInbound({ from: inboundContact(lane, conversationOf(seq, settings.contactsPerUser)), to: user.number, body: bodyFor(tag, seq) })
        .then(
          (res) => {
            if (res.status !== 200) errors.set(`webhook answered ${res.status}: ${res.body.slice(0, 300)}`);
          },
          (err: unknown) => errors.set(`webhook failed: ${(err as Error).message}`),
        )
        .finally(() => {
          inFlight--;
          const next = waiting.shift();
          if (next && !closed) post(next.lane, next.seq);
        });
    };
    return {
      lanes: users.length,
      send(lane, seqs) {
        for (const seq of seqs) {
          if (inFlight < settings.webhookConcurrency) post(lane, seq);
          else waiting.push({ lane, seq });
        }
      },
      failure: () => errors.get(),
      close() {
        closed = true;
      },
    };
  },
};
