// After every batch: the gateway process is alive, answers an XEP-0199 ping on its domain within
// 2 s, reports healthy, and a normal chat message from alice to a fixed number reaches Twilio.
import { xml } from "@xmpp/client";
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { LivenessResult } from "../report.ts";

export const LIVENESS_NUMBER = "+15550100000";
const PING_MS = 2_000;
const SMS_MS = 10_000;
let probe = 0;

export function recordLegit(env: FuzzEnv, fromNumber: string, body: string): void {
  let set = env.legit.get(fromNumber);
  if (!set) env.legit.set(fromNumber, (set = new Set()));
  set.add(body);
}

export async function liveness(env: FuzzEnv, label: string, opts: { sms?: boolean } = {}): Promise<LivenessResult> {
  const problems: string[] = [];
  const alive = env.gw.alive;
  if (!alive) problems.push("gateway process is not running");

  let pingMs: number | null = null;
  const t0 = Date.now();
  try {
    await env.cast.alice.iq(xml("iq", { type: "get", to: env.domain }, xml("ping", { xmlns: "urn:xmpp:ping" })), PING_MS);
    pingMs = Date.now() - t0;
  } catch (err) {
    problems.push(`ping: ${(err as Error).message.split("\n")[0]}`);
  }

  let healthz: number | null = null;
  try {
    healthz = (await fetch(`${env.fx.publicUrl}/healthz`, { signal: AbortSignal.timeout(PING_MS) })).status;
    if (healthz !== 200) problems.push(`/healthz answered ${healthz}`);
  } catch (err) {
    problems.push(`/healthz: ${(err as Error).message}`);
  }

  let smsMs: number | null = null;
  if (opts.sms !== false) {
    const n = probe++;
    const body = `liveness ${label} #${n}`;
    const id = `live-${n}`;
    recordLegit(env, env.numbers.alice, body);
    const t1 = Date.now();
    try {
      const waiting = env.fx.twilio.waitForSent((m) => m.body === body, SMS_MS);
      await env.cast.alice.send(xml("message", { type: "chat", to: `${LIVENESS_NUMBER}@${env.domain}`, id }, xml("body", {}, body)));
      const m = await waiting;
      smsMs = Date.now() - t1;
      if (m.from !== env.numbers.alice) problems.push(`alice's liveness SMS went out from ${m.from}, not ${env.numbers.alice}`);
      if (m.to !== LIVENESS_NUMBER) problems.push(`alice's liveness SMS went to ${m.to}`);
    } catch (err) {
      const bounced = env.cast.alice.received.find((s) => s.attrs.id === id && s.attrs.type === "error");
      problems.push(`SMS: ${(err as Error).message}${bounced ? `; bounced: ${bounced.toString().slice(0, 300)}` : ""}`);
    }
  }
  return { alive, pingMs, smsMs, healthz, problems };
}
