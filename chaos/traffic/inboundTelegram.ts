// Telegram → XMPP: the contact writes to the bot; Telegram queues the update until the gateway's
// poll confirms it (lost poll answers are the proxy's business).
import type { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import type { Contact } from "../env/chaosEnv.ts";
import { marker } from "../types.ts";
import { dueAt, waitUntilDue, type StreamLog, type StreamPlan } from "./records.ts";

export async function runInboundTelegram(telegram: TelegramSimulator, token: string, contact: Contact, plan: StreamPlan, log: StreamLog): Promise<void> {
  for (let n = 0; n < plan.count && !plan.signal.aborted; n++) {
    const due = dueAt(plan.start, plan.intervalMs, n);
    await waitUntilDue(due);
    const m = marker(plan.run, log.stream, n);
    const rec = log.add(n, m, due);
    rec.attempts = 1;
    rec.networkId = String(telegram.userSends(token, Number(contact.address), m).message_id);
    rec.acceptedAt = Date.now();
  }
  log.done = true;
}
