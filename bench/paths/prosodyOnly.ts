// Path 1, the ceiling: client → client chat messages routed by Prosody alone. User i writes to
// user i+1, so every connection both sends and receives.
import { bodyFor } from "../load/recorder.ts";
import { countArrivalsAtUsers, type BenchPath } from "./path.ts";

export const prosodyOnly: BenchPath = {
  id: "prosody",
  label: "Prosody alone (c2s → c2s)",
  usesGateway: false,
  open(env, rec, tag) {
    const users = env.users;
    const errors = countArrivalsAtUsers(env, rec, tag);
    return {
      lanes: users.length,
      send(lane, seqs) {
        const to = users[(lane + 1) % users.length]!.client.bare;
        let out = "";
        for (const seq of seqs) out += `<message type='chat' to='${to}' id='${tag}-${seq}'><body>${bodyFor(tag, seq)}</body></message>`;
        const t = performance.now();
        for (const seq of seqs) rec.markSent(seq, t);
        users[lane]!.client.write(out);
      },
      failure: () => errors.get(),
      close() {},
    };
  },
};
