// The XMPP side of every XMPP → network path: each user writes chat messages to its own contacts
// on one component domain, as pre-built stanzas in one socket write per batch; an error stanza
// marks the run as failed. Where arrival is seen is the path's own business (`watch`).
import type { BenchEnv } from "../env/environment.ts";
import { bodyFor, type Recorder } from "../load/recorder.ts";
import { conversationOf, errorHandler, FirstError, type Channel } from "./path.ts";

export function xmppSenderChannel(
  env: BenchEnv,
  rec: Recorder,
  tag: string,
  /** Contact JIDs of user `u`, one per conversation. */
  contactsOf: (u: number) => string[],
  /** Starts observing arrivals at the network's side; returns how to stop. */
  watch: () => () => void,
  receipts: boolean,
): Channel {
  const request = receipts ? "<request xmlns='urn:xmpp:receipts'/>" : "";
  const users = env.users;
  const errors = new FirstError();
  const contacts = users.map((_, u) => contactsOf(u));
  for (const u of users) {
    u.client.listener = {
      body: () => {},
      error: errorHandler(errors, tag, u.username),
      presence: () => {},
    };
  }
  const unwatch = watch();
  return {
    lanes: users.length,
    send(lane, seqs) {
      const to = contacts[lane]!;
      let out = "";
      for (const seq of seqs) {
        out += `<message type='chat' to='${to[conversationOf(seq, to.length)]}' id='${tag}-${seq}'><body>${bodyFor(tag, seq)}</body>${request}</message>`;
      }
      const t = performance.now();
      for (const seq of seqs) rec.markSent(seq, t);
      users[lane]!.client.write(out);
    },
    failure: () => errors.get(),
    close: unwatch,
  };
}
