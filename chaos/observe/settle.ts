// After the traffic: wait (bounded) until everything the gateway accepted has arrived and its
// queues are empty, then a little longer for late duplicates.
import type { ChaosEnv } from "../env/chaosEnv.ts";
import type { StreamLog } from "../traffic/records.ts";
import { streamName } from "../types.ts";
import { sleep } from "../util.ts";
import { collectArrivals } from "./arrivals.ts";
import { readTruth } from "./dbTruth.ts";

export interface SettleResult {
  settled: boolean;
  waitedMs: number;
  /** What was still missing when the wait ended. */
  missing: string[];
}

const QUIET_MS = 3_000;

export async function settle(env: ChaosEnv, logs: StreamLog[], run: number, timeoutMs: number, log: (line: string) => void): Promise<SettleResult> {
  const started = Date.now();
  let missing: string[] = [];
  let lastReport = 0;
  for (;;) {
    const truth = await readTruth(env.fx.db.url).catch(() => undefined);
    const arrivals = collectArrivals(env, run);
    missing = [];
    if (!truth) missing.push("database unreadable");
    else {
      if (truth.pendingOut > 0) missing.push(`${truth.pendingOut} outbox rows not sent`);
      if (truth.pendingIn > 0) missing.push(`${truth.pendingIn} inbox rows not passed to XMPP`);
      for (const l of logs) {
        const got = new Set((arrivals.get(streamName(l.stream)) ?? []).map((a) => a.marker));
        const expected = l.records.filter((r) =>
          l.stream.direction === "out" ? truth.outbox.get(r.marker)?.some((o) => o.state !== "failed") : r.acceptedAt !== undefined,
        );
        const absent = expected.filter((r) => !got.has(r.marker));
        if (absent.length) missing.push(`${streamName(l.stream)}: ${absent.length} accepted not arrived (first ${absent[0]!.marker})`);
      }
    }
    if (!env.gateway.alive) missing.push("gateway not running");
    const waited = Date.now() - started;
    if (missing.length === 0) {
      await sleep(QUIET_MS);
      return { settled: true, waitedMs: waited, missing };
    }
    if (waited > timeoutMs) return { settled: false, waitedMs: waited, missing };
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`draining: ${missing.join("; ")}`);
    }
    await sleep(1_000);
  }
}
