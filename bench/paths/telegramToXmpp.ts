// Telegram → XMPP: Telegram users write to a benchmark user's bot (the simulator queues the
// update, as Telegram does); the gateway, in its default polling mode, takes them with long-poll
// getUpdates (one loop per bot), stores each and passes it through Prosody to the user's socket,
// where arrival is timed. Latency starts when the Telegram user sends.
import { bodyFor } from "../load/recorder.ts";
import { countArrivalsAtUsers, type BenchPath, conversationOf } from "./path.ts";
import { addTelegramUsers, inboundChat } from "./telegramChats.ts";

export const telegramToXmpp: BenchPath = {
  id: "telegram-xmpp",
  label: "Telegram → XMPP (gateway)",
  usesGateway: true,
  async prepare(env, settings) {
    addTelegramUsers(env, (u) => Array.from({ length: settings.contactsPerUser }, (_, c) => inboundChat(u, c)));
  },
  open(env, rec, tag, settings) {
    const users = env.users;
    const errors = countArrivalsAtUsers(env, rec, tag);
    return {
      lanes: users.length,
      send(lane, seqs) {
        const token = users[lane]!.bot.token;
        for (const seq of seqs) {
          rec.markSent(seq);
          try {
            env.telegram.userSends(token, inboundChat(lane, conversationOf(seq, settings.contactsPerUser)), bodyFor(tag, seq));
          } catch (err) {
            errors.set(`the Telegram simulator refused a user's message: ${(err as Error).message}`);
          }
        }
      },
      failure: () => errors.get(),
      close() {},
    };
  },
};
