// networks.sms.rateLimit.perUserPerMinute (issue #5): perUserPerMinute + 5 messages sent quickly by
// one user (rita); the extras must be refused with policy-violation or resource-constraint and a
// text, and must not reach Twilio. Until the lead turns on --require-rate-limit, "not enforced" is
// reported as pending, not as a failure.
import { xml } from "@xmpp/client";
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { CheckResult, Report } from "../report.ts";
import { recordLegit } from "./liveness.ts";
import { checkStanzaError } from "../xmpp/stanzaErrors.ts";

const TO = "+15550108888";
const REFUSALS = new Set(["policy-violation", "resource-constraint"]);

export async function rateLimitCheck(env: FuzzEnv, report: Report, required: boolean): Promise<CheckResult> {
  const limit = env.fx.config.networks.sms?.rateLimit?.perUserPerMinute ?? 30;
  const total = limit + 5;
  const { rita } = env.cast;
  const sim = env.fx.twilio;
  const ids: string[] = [];
  const bodies = new Map<string, string>();
  for (let i = 0; i < total; i++) {
    const id = `rl-${i}`;
    const body = `rate-limit probe ${i} of ${total}`;
    ids.push(id);
    bodies.set(id, body);
    recordLegit(env, env.numbers.rita, body);
    await rita.send(xml("message", { type: "chat", to: `${TO}@${env.domain}`, id }, xml("body", {}, body)));
  }
  // Wait until every message is either refused or at Twilio (or 15 s pass).
  const deadline = Date.now() + 15_000;
  const refusedIds = () => new Set(rita.received.filter((el) => el.name === "message" && el.attrs.type === "error" && ids.includes(el.attrs.id ?? "")).map((el) => el.attrs.id!));
  const sentBodies = () => new Set(sim.sent.filter((m) => m.from === env.numbers.rita && m.to === TO).map((m) => m.body));
  while (Date.now() < deadline) {
    const refused = refusedIds();
    const sent = sentBodies();
    if (ids.every((id) => refused.has(id) || sent.has(bodies.get(id)!))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  const errors = rita.received.filter((el) => el.name === "message" && el.attrs.type === "error" && ids.includes(el.attrs.id ?? ""));
  const sent = sentBodies();
  const details: string[] = [`limit ${limit}/min; sent ${total}; reached Twilio ${sent.size}; refused ${errors.length}`];
  const problems: string[] = [];
  const conditions = new Map<string, number>();
  for (const el of errors) {
    const e = checkStanzaError(el);
    conditions.set(e.condition, (conditions.get(e.condition) ?? 0) + 1);
    if (!REFUSALS.has(e.condition)) problems.push(`message ${el.attrs.id} refused with ${e.condition}, not policy-violation/resource-constraint`);
    else if (!e.text) problems.push(`message ${el.attrs.id} refused without a text`);
    if (sent.has(bodies.get(el.attrs.id!)!)) problems.push(`message ${el.attrs.id} was refused but still reached Twilio`);
  }
  if (conditions.size) details.push(`refusals by condition: ${[...conditions].map(([c, n]) => `${c}×${n}`).join(", ")}`);
  const rateRefusals = [...conditions].filter(([c]) => REFUSALS.has(c)).reduce((s, [, n]) => s + n, 0);
  const enforced = rateRefusals > 0;
  if (enforced) {
    if (sent.size > limit) problems.push(`${sent.size} messages reached Twilio within a minute; the limit is ${limit}`);
    if (rateRefusals < total - limit) problems.push(`only ${rateRefusals} of the ${total - limit} messages over the limit were refused`);
  } else {
    details.push("NOT ENFORCED YET: no message over the limit was refused");
    problems.push("no message over the limit was refused with policy-violation or resource-constraint");
    if (sent.size > limit) problems.push(`${sent.size} messages reached Twilio within a minute; the limit is ${limit}`);
  }
  details.push(...problems);
  if (!enforced && !required) return { name: "per-user send rate limit", status: "pending", details };
  for (const p of problems) report.fail("rate-limit", "rate-limit", p);
  return { name: "per-user send rate limit", status: problems.length ? "fail" : "pass", details };
}
