// XMPP → network: the user sends numbered chat messages to the contact at a steady pace, each
// exactly once (held while the user's server is down, as a client queues what is typed offline).
import { xml } from "@xmpp/client";
import type { Contact } from "../env/chaosEnv.ts";
import { marker, type StreamId } from "../types.ts";
import type { ChatUser } from "../xmpp/chatUser.ts";
import { dueAt, waitUntilDue, type StreamLog, type StreamPlan } from "./records.ts";

export async function runOutbound(user: ChatUser, contact: Contact, plan: StreamPlan, log: StreamLog): Promise<void> {
  const stream: StreamId = log.stream;
  for (let n = 0; n < plan.count && !plan.signal.aborted; n++) {
    const due = dueAt(plan.start, plan.intervalMs, n);
    await waitUntilDue(due);
    const m = marker(plan.run, stream, n);
    const rec = log.add(n, m, due);
    rec.attempts = 1;
    rec.sentAt = await user.send(xml("message", { type: "chat", to: contact.jid, id: m }, xml("body", {}, m)));
  }
  log.done = true;
}
