// What arrived where: each numbered message's copies at the network simulators (outbound) and at
// the XMPP user (inbound), with times and the id each copy carried.
import type { ChaosEnv } from "../env/chaosEnv.ts";
import { BOT } from "../env/chaosEnv.ts";
import { parseMarker, streamName, type Network } from "../types.ts";

export interface Arrival {
  marker: string;
  n: number;
  at: number;
  /** Twilio sid, Telegram message_id, Message-ID, or the XEP-0359 stanza-id. */
  copyId: string | undefined;
}

export type ArrivalMap = Map<string, Arrival[]>;

export function collectArrivals(env: ChaosEnv, run: number): ArrivalMap {
  const out: ArrivalMap = new Map();
  const add = (network: Network, direction: "out" | "in", text: string | null | undefined, at: number, copyId: string | undefined) => {
    const m = parseMarker(text);
    if (!m || m.run !== run || m.network !== network || m.direction !== direction) return;
    const key = streamName({ network, direction });
    const list = out.get(key) ?? [];
    list.push({ marker: m.text, n: m.n, at, copyId });
    out.set(key, list);
  };
  const { contacts } = env;
  for (const m of env.fx.twilio.sent) {
    if (m.to === contacts.sms.address && m.from === contacts.sms.account) add("sms", "out", m.body, m.createdAt.getTime(), m.sid);
  }
  for (const m of env.telegram.botMessages(BOT.token)) {
    if (m.method === "sendMessage" && String(m.chat_id) === contacts.telegram.address) add("telegram", "out", m.text, m.at, String(m.message_id));
  }
  for (const m of env.relay.received) {
    if (m.envelope.to.some((t) => t.toLowerCase() === contacts.email.address)) add("email", "out", m.text, m.receivedAt.getTime(), m.messageId);
  }
  for (const r of env.user.received) {
    if (r.name !== "message" || r.type === "error") continue;
    for (const c of Object.values(contacts)) if (r.from === c.jid) add(c.network, "in", r.body, r.at, r.stanzaId);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}
