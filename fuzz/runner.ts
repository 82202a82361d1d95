// One fuzz run: start everything, run the batches (each followed by the liveness check), the fixed
// checks, the poison cases last, then search the gateway's log for secrets. A gateway that fails
// liveness is restarted once; if it still fails, the remaining batches are skipped (they could
// only time out) and the run goes straight to the final checks.
import fs from "node:fs/promises";
import { xml } from "@xmpp/client";
import type { Args } from "./args.ts";
import { startFuzzEnv, type FuzzEnv } from "./env/fuzzEnv.ts";
import { newBatch, Report, type BatchStats } from "./report.ts";
import { Rng } from "../test/support/rng.ts";
import { XMPP_BATCHES } from "./batches/xmppBatches.ts";
import { runInboundCases } from "./batches/inboundBatch.ts";
import { runPoison } from "./batches/poisonBatch.ts";
import { TARGETS } from "./targets/index.ts";
import { liveness } from "./checks/liveness.ts";
import { accessChecks } from "./checks/access.ts";
import { rateLimitCheck } from "./checks/rateLimit.ts";
import { ownershipCheck } from "./checks/ownership.ts";
import { logLeakCheck, storedCredentialsCheck } from "./checks/secrets.ts";
import { printBatch } from "./print.ts";
import { dbSnapshot } from "./checks/dbSnapshot.ts";
import { databaseActivity } from "./checks/diagnose.ts";

/** Share of --count for each network's random inbound cases. */
const INBOUND_SHARE = 0.35;

interface Step {
  name: string;
  target: string;
  /** Checks whose result is "skipped" when the gateway is unusable. */
  checks?: string[];
  run(stats: BatchStats): Promise<void>;
}

export async function run(args: Args, out: (s: string) => void): Promise<Report> {
  const report = new Report(args.seed, args.count);
  const t0 = Date.now();
  const env = await startFuzzEnv(report, (s) => out(`· ${s}`), { perUserPerMinute: args.perUserPerMinute, deliveryConcurrency: args.deliveryConcurrency });
  try {
    out(`· setup took ${((Date.now() - t0) / 1000).toFixed(1)} s; seed ${args.seed}, count ${args.count}`);
    const steps: Step[] = [];
    for (const batch of XMPP_BATCHES) {
      const size = batch.share === undefined ? args.count : Math.max(1, Math.round(batch.share * args.count));
      steps.push({ name: batch.name, target: batch.target, run: (stats) => batch.run({ env, report, stats, rng: Rng.derive(args.seed, batch.name), size, log: out }) });
    }
    for (const target of TARGETS) {
      const size = Math.max(1, Math.round(INBOUND_SHARE * args.count));
      steps.push({ name: `${target.name}/random`, target: target.name, run: async (stats) => runInboundCases(await target.cases(Rng.derive(args.seed, `${target.name}/random`), size, env), stats, report) });
      steps.push({ name: `${target.name}/fixed`, target: target.name, run: async (stats) => runInboundCases(await target.fixed(env), stats, report) });
    }
    steps.push({ name: "access", target: "checks", checks: ["access checks"], run: async () => void report.checks.push(...(await accessChecks(env, report))) });
    steps.push({ name: "rate-limit", target: "checks", checks: ["per-user send rate limit"], run: async () => void report.checks.push(await rateLimitCheck(env, report, args.requireRateLimit)) });
    for (const target of TARGETS) {
      const cases = target.poison?.(env) ?? [];
      if (cases.length) steps.push({ name: `${target.name}/poison`, target: target.name, run: (stats) => runPoison(env, report, stats, cases) });
    }

    let unusableSince: string | undefined;
    for (const step of steps) {
      if (unusableSince !== undefined) {
        for (const name of step.checks ?? []) report.checks.push({ name, status: "skipped", details: [`the gateway was unusable since ${unusableSince}`] });
        const skipped = newBatch(step.name, step.target);
        skipped.notes.push(`SKIPPED: the gateway was unusable since ${unusableSince}`);
        report.batches.push(skipped);
        continue;
      }
      const ok = await runBatch(env, report, step, out);
      if (!ok) unusableSince = step.name;
    }
    report.checks.push(await ownershipCheck(env, report));
    report.checks.push(await storedCredentialsCheck(env, report));
    report.checks.push(await dbSnapshot(env, report));
    // Stop the gateway first, so its last log lines are in what is searched.
    env.session.close();
    await env.gw.stop();
    report.checks.push(await logLeakCheck(env, report, env.gw.log));
    if (args.gatewayLog) await fs.writeFile(args.gatewayLog, env.gw.log);
    out(`· gateway log: ${(env.gw.logBytes / 1e6).toFixed(1)} MB at level trace${args.gatewayLog ? ` → ${args.gatewayLog}` : ""}; run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await env.close();
  }
  return report;
}

/** Runs one step and the liveness check after it; false when the gateway is unusable even after a restart. */
async function runBatch(env: FuzzEnv, report: Report, step: Step, out: (s: string) => void): Promise<boolean> {
  const stats = newBatch(step.name, step.target);
  report.batches.push(stats);
  env.session.batch = stats;
  const t0 = Date.now();
  const exitsBefore = env.gw.exits.length;
  if (env.gw.alive) await repairAttacker(env, stats);
  try {
    await step.run(stats);
  } catch (err) {
    report.fail("harness", step.name, `the batch itself failed: ${(err as Error).stack ?? String(err)}`);
  }
  await env.session.settle();
  await noticeCrash(env, report, stats, exitsBefore);
  await repairAttacker(env, stats);
  stats.liveness = await liveness(env, step.name);
  let usable = true;
  if (stats.liveness.problems.length) {
    stats.livenessFailures++;
    report.fail("liveness", step.name, stats.liveness.problems.join("; "));
    stats.notes.push(`database connections at the failure: ${await databaseActivity(env)}`);
    // Does a restart bring it back? (A wedge that survives restarts is worse than one that doesn't.)
    await env.gw.stop();
    await env.gw.start(15_000).catch((err: unknown) => stats.notes.push(`restart failed: ${(err as Error).message.split("\n")[0]}`));
    const again = await liveness(env, `${step.name} after restart`);
    usable = again.problems.length === 0;
    stats.notes.push(usable ? "liveness failed; the gateway worked again after a restart" : `liveness failed, and again after a restart: ${again.problems.join("; ")}`);
  }
  await noticeCrash(env, report, stats, exitsBefore);
  stats.ms = Date.now() - t0;
  printBatch(stats, out);
  return usable;
}

/** A gateway that exited is a crash: record it, start it again so the run goes on. */
async function noticeCrash(env: FuzzEnv, report: Report, stats: BatchStats, exitsBefore: number): Promise<void> {
  if (env.gw.alive && env.gw.exits.length === exitsBefore) return;
  if (stats.crashes > 0 && env.gw.alive) return;
  const exit = env.gw.exits[env.gw.exits.length - 1];
  stats.crashes++;
  report.fail("crash", stats.name, `gateway exited (code ${exit?.code ?? "?"}, signal ${exit?.signal ?? "-"}); last log:\n${(exit?.tail ?? env.gw.tail()).slice(-1500)}`);
  if (!env.gw.alive) {
    try {
      await env.gw.start();
      stats.notes.push("gateway restarted after the crash");
    } catch (err) {
      report.fail("crash", stats.name, `gateway could not be restarted: ${(err as Error).message.slice(0, 500)}`);
    }
  }
}

/** The attacker may have unregistered itself while fuzzing; register again so later batches hit registered paths. */
async function repairAttacker(env: FuzzEnv, stats: BatchStats): Promise<void> {
  const m = env.cast.malloryCtl;
  try {
    const form = await m.iq(xml("iq", { type: "get", to: env.domain }, xml("query", { xmlns: "jabber:iq:register" })), 5_000);
    if (form.getChild("query")?.getChild("registered")) return;
    await env.fx.registerSms(m);
    stats.notes.push(`mallory had unregistered; registered again (${await env.numberOf(m.bare)})`);
  } catch (err) {
    stats.notes.push(`could not re-register mallory: ${(err as Error).message.split("\n")[0]}`);
  }
}
