// Email → XMPP: an outside MTA delivers each mail to the gateway's listener and, while the
// listener is down or answers 4xx, delivers the same mail (same Message-ID) again. With
// probability `rate` a 250 counts as lost and the mail is delivered once more (RFC 1047).
import { sendMail } from "../../adapters/email/simulator/index.ts";
import type { Contact } from "../env/chaosEnv.ts";
import type { Ledger } from "../ledger.ts";
import type { Rng } from "../../test/support/rng.ts";
import { marker } from "../types.ts";
import { sleep } from "../util.ts";
import { dueAt, redeliveryDelay, waitUntilDue, type SentRecord, type StreamLog, type StreamPlan } from "./records.ts";

export async function runInboundEmail(target: { host: string; port: number }, contact: Contact, plan: StreamPlan, log: StreamLog, rng: Rng, rate: number, ledger: Ledger): Promise<void> {
  for (let n = 0; n < plan.count && !plan.signal.aborted; n++) {
    const due = dueAt(plan.start, plan.intervalMs, n);
    await waitUntilDue(due);
    const m = marker(plan.run, log.stream, n);
    const rec = log.add(n, m, due);
    rec.networkId = `${m}@outside.example`;
    await deliver(target, contact, m, rec, plan.signal);
    if (rec.acceptedAt !== undefined && rng.chance(rate)) {
      ledger.fault({ at: Date.now(), kind: "inbound-resend", network: "email", marker: m, detail: `<${rec.networkId}> delivered again after its 250` });
      rec.resends++;
      await deliver(target, contact, m, rec, plan.signal);
    }
  }
  log.done = true;
}

async function deliver(target: { host: string; port: number }, contact: Contact, m: string, rec: SentRecord, signal: AbortSignal): Promise<void> {
  const mail = { from: { name: "Bob Outside", address: contact.address }, to: contact.account, subject: "chaos", text: m, messageId: `<${rec.networkId}>` };
  for (let attempt = 1; !signal.aborted; attempt++) {
    rec.attempts++;
    const outcome = await sendMail(target, mail, { timeoutMs: 10_000 }).catch(() => undefined);
    if (outcome?.code === 250) {
      rec.acceptedAt ??= Date.now();
      return;
    }
    if (outcome && outcome.code >= 500) {
      rec.refused = `SMTP ${outcome.code} ${outcome.response.slice(0, 120)}`;
      return;
    }
    await sleep(redeliveryDelay(attempt));
  }
}
