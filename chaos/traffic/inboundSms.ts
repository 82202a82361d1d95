// SMS → XMPP: Twilio posts a signed webhook per text and, while the gateway does not answer 200
// (connection refused, 5xx, timeout), posts the same MessageSid again. With probability `rate`
// a 200 counts as lost and the webhook is posted once more, as Twilio does after a timeout.
import { createHash } from "node:crypto";
import type { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import type { Contact } from "../env/chaosEnv.ts";
import type { Ledger } from "../ledger.ts";
import type { Rng } from "../../test/support/rng.ts";
import { marker } from "../types.ts";
import { sleep } from "../util.ts";
import { dueAt, redeliveryDelay, waitUntilDue, type SentRecord, type StreamLog, type StreamPlan } from "./records.ts";

export async function runInboundSms(twilio: TwilioSimulator, contact: Contact, plan: StreamPlan, log: StreamLog, rng: Rng, rate: number, ledger: Ledger): Promise<void> {
  for (let n = 0; n < plan.count && !plan.signal.aborted; n++) {
    const due = dueAt(plan.start, plan.intervalMs, n);
    await waitUntilDue(due);
    const m = marker(plan.run, log.stream, n);
    const rec = log.add(n, m, due);
    rec.networkId = `SM${createHash("sha256").update(m).digest("hex").slice(0, 32)}`;
    await deliver(twilio, contact, m, rec, plan.signal);
    if (rec.acceptedAt !== undefined && rng.chance(rate)) {
      ledger.fault({ at: Date.now(), kind: "inbound-resend", network: "sms", marker: m, detail: `MessageSid ${rec.networkId} posted again after its 200` });
      rec.resends++;
      await deliver(twilio, contact, m, rec, plan.signal);
    }
  }
  log.done = true;
}

async function deliver(twilio: TwilioSimulator, contact: Contact, m: string, rec: SentRecord, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    rec.attempts++;
    const res = await twilio.deliverInbound({ from: contact.address, to: contact.account, body: m, messageSid: rec.networkId! }).catch(() => undefined);
    if (res?.status === 200) {
      rec.acceptedAt ??= Date.now();
      return;
    }
    if (res && res.status >= 400 && res.status < 500) {
      rec.refused = `HTTP ${res.status} ${res.body.slice(0, 120)}`;
      return;
    }
    await sleep(redeliveryDelay(attempt));
  }
}
