// The invariant behind "nobody sends from someone else's number": every SMS that went out from a
// cast member's number carries a body that member really sent, and no registration moved.
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { CheckResult, Report } from "../report.ts";

export async function ownershipCheck(env: FuzzEnv, report: Report): Promise<CheckResult> {
  const problems: string[] = [];
  const owners = new Map(Object.entries(env.numbers).map(([name, number]) => [number, name]));
  let checked = 0;
  for (const m of env.fx.twilio.sent) {
    const owner = owners.get(m.from);
    if (!owner) continue;
    checked++;
    if (!env.legit.get(m.from)?.has(m.body)) problems.push(`an SMS from ${owner}'s number ${m.from} to ${m.to} that ${owner} never sent: '${m.body.slice(0, 80)}'`);
  }
  for (const [name, number] of Object.entries(env.numbers)) {
    const u = env.cast[name as keyof typeof env.numbers];
    const now = await env.numberOf(u.bare);
    if (now !== number) problems.push(`${name}'s registration is now ${now ?? "gone"}, was ${number}`);
  }
  const mallory = await env.numberOf(env.cast.malloryCtl.bare);
  if (mallory !== undefined && owners.has(mallory)) problems.push(`mallory holds ${owners.get(mallory)}'s number ${mallory}`);
  for (const p of problems) report.fail("access", "ownership", p);
  return { name: "every SMS from a cast member's number was sent by that member", status: problems.length ? "fail" : "pass", details: [`${checked} SMS from protected numbers checked; mallory ends on ${mallory ?? "(unregistered)"}`, ...problems] };
}
