// One chaos run: start everything, play the six message streams while the disruption plan runs
// and the proxies inject faults, wait for the system to settle, then judge every message.
import type { ChaosOptions } from "./args.ts";
import { analyze, failures } from "./check/analyze.ts";
import { attachLogExcerpts } from "./check/logExcerpt.ts";
import type { StreamResult } from "./check/types.ts";
import { planDisruptions, type Disruption } from "./disrupt/plan.ts";
import { DisruptionRunner } from "./disrupt/runner.ts";
import { startChaosEnv } from "./env/chaosEnv.ts";
import type { Incarnation } from "./env/gatewayProcess.ts";
import type { Ledger } from "./ledger.ts";
import { collectArrivals } from "./observe/arrivals.ts";
import { readTruth } from "./observe/dbTruth.ts";
import { settle, type SettleResult } from "./observe/settle.ts";
import { measureWindows, smsAmbiguity, type WindowMeasure } from "./report/windows.ts";
import { Rng } from "../test/support/rng.ts";
import { StreamLog } from "./traffic/records.ts";
import { drive, STREAMS } from "./traffic/streams.ts";
import { streamName } from "./types.ts";
import { sleep } from "./util.ts";

export interface ChaosReport {
  options: ChaosOptions;
  startedAt: number;
  trafficStartedAt: number;
  trafficMs: number;
  finishedAt: number;
  /** Streams that had not finished sending when the traffic phase was cut short. */
  stuckStreams: string[];
  plan: Disruption[];
  settle: SettleResult;
  results: StreamResult[];
  windows: WindowMeasure[];
  smsNote: string;
  ledger: Ledger;
  incarnations: Incarnation[];
  failures: string[];
}

const PROGRESS_EVERY_MS = 20_000;

/** "[+12.3s]": time into the traffic phase, for progress lines. */
function rel(from: number): string {
  return `[+${((Date.now() - from) / 1000).toFixed(1)}s]`;
}

export async function runChaos(opts: ChaosOptions, log: (line: string) => void): Promise<ChaosReport> {
  const startedAt = Date.now();
  log(`starting Prosody, PostgreSQL, the simulators, the fault proxies and the gateway (log: ${opts.gatewayLog})`);
  const env = await startChaosEnv(opts, log);
  try {
    log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; user ${env.user.jid} registered on sms, telegram and email`);
    for (const p of Object.values(env.policies)) p.rate = opts.faultRate;
    const run = opts.seed;
    const t0 = Date.now() + 300;
    const trafficMs = opts.messages * opts.intervalMs;
    const logs = STREAMS.map((s) => new StreamLog(s));
    const stop = new AbortController();
    const plan = planDisruptions(opts, t0, trafficMs, Rng.derive(opts.seed, "plan"));
    log(`traffic: 6 streams × ${opts.messages} messages, one every ${opts.intervalMs} ms (~${Math.round(trafficMs / 1000)} s); ${plan.length} disruptions planned`);
    const runner = new DisruptionRunner(env, (l) => log(`${rel(t0)} ${l}`));
    const traffic = Promise.all(
      logs.map((l, i) =>
        drive(env, l, { run, count: opts.messages, start: t0 + Math.round((i * opts.intervalMs) / logs.length), intervalMs: opts.intervalMs, signal: stop.signal }, opts.seed, opts.faultRate),
      ),
    );
    const progress = setInterval(() => log(`${rel(t0)} ${logs.map((l) => `${streamName(l.stream)} ${l.records.length}`).join(", ")}`), PROGRESS_EVERY_MS);
    // Bounded: a stream stuck behind a gateway that never accepts again is itself a finding.
    const deadline = trafficMs * 2 + 120_000;
    const finished = await Promise.race([Promise.all([traffic, runner.run(plan)]).then(() => true), sleep(deadline).then(() => false)]);
    clearInterval(progress);
    stop.abort();
    const stuckStreams = logs.filter((l) => !l.done).map((l) => `${streamName(l.stream)} (sent ${l.records.length} of ${opts.messages})`);
    if (!finished) log(`!! traffic phase cut short after ${Math.round(deadline / 1000)} s; stuck: ${stuckStreams.join(", ")}`);
    for (const p of Object.values(env.policies)) p.rate = 0;
    log(`${rel(t0)} traffic done; waiting (up to ${opts.drainSeconds} s) for everything accepted to arrive`);
    const settled = await settle(env, logs, run, opts.drainSeconds * 1000, (l) => log(`${rel(t0)} ${l}`));
    log(`${rel(t0)} ${settled.settled ? "settled" : `NOT settled: ${settled.missing.join("; ")}`} after ${(settled.waitedMs / 1000).toFixed(1)} s`);

    const truth = await readTruth(env.fx.db.url);
    const arrivals = collectArrivals(env, run);
    const results = analyze({ run, t0, logs, arrivals, truth, ledger: env.ledger, received: env.user.received });
    await attachLogExcerpts(opts.gatewayLog, results.flatMap((r) => r.anomalies.filter((a) => a.known === undefined)));
    const fails = failures(results);
    if (!settled.settled) fails.push(`not settled within ${opts.drainSeconds} s: ${settled.missing.join("; ")}`);
    if (stuckStreams.length) fails.push(`traffic stuck: ${stuckStreams.join(", ")}`);
    if (env.ledger.count("gateway-crash") > 0) fails.push(`the gateway exited by itself ${env.ledger.count("gateway-crash")} time(s)`);
    return {
      options: opts,
      startedAt,
      trafficStartedAt: t0,
      trafficMs,
      finishedAt: Date.now(),
      stuckStreams,
      plan,
      settle: settled,
      results,
      windows: measureWindows(results, env.ledger),
      smsNote: smsAmbiguity(results, env.ledger),
      ledger: env.ledger,
      incarnations: env.gateway.incarnations,
      failures: fails,
    };
  } finally {
    await env.close();
  }
}
