// XMPP → Telegram: registered users send chat messages to <chat id>@telegram contacts; the gateway
// queues them durably and each bot sends them with sendMessage to the Telegram simulator, where
// arrival is timed (the simulator recording the accepted call). The gateway spaces a bot's sends to
// keep Telegram's flood limits, so this path has a ceiling of its own (see networkLimit).
import { TELEGRAM_DOMAIN } from "../env/environment.ts";
import { seqOf } from "../load/recorder.ts";
import type { BenchPath } from "./path.ts";
import { xmppSenderChannel } from "./xmppSender.ts";
import { addTelegramUsers, outboundChat, outboundChatsPerUser, startChats, telegramOutboundLimit } from "./telegramChats.ts";

export const xmppToTelegram: BenchPath = {
  id: "xmpp-telegram",
  label: "XMPP → Telegram (gateway)",
  usesGateway: true,
  async prepare(env, settings) {
    const chats = (u: number) => Array.from({ length: outboundChatsPerUser(settings) }, (_, c) => outboundChat(u, c));
    addTelegramUsers(env, chats);
    await startChats(env, chats);
  },
  networkLimit: telegramOutboundLimit,
  // At Telegram's pace (at most ~30 msg/s per bot) 10,000 messages would take minutes; 20 s of a
  // steady window measures the rate as well. The row is then marked (capped).
  maxSeconds: 20,
  open(env, rec, tag, settings) {
    const n = outboundChatsPerUser(settings);
    const contactsOf = (u: number) => Array.from({ length: n }, (_, c) => `${outboundChat(u, c)}@${TELEGRAM_DOMAIN}`);
    return xmppSenderChannel(env, rec, tag, contactsOf, () => {
      env.telegramTap.onSent = (m, t) => {
        if (m.method !== "sendMessage" || m.text === undefined) return;
        const seq = seqOf(tag, m.text);
        if (seq >= 0) rec.markDone(seq, t);
      };
      return () => {
        env.telegramTap.onSent = () => {};
      };
    }, settings.receipts);
  },
};
