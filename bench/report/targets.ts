// Issue #5's targets, checked against what was measured (n/a when the run did not measure it).
import type { PacedMeasurement } from "../runner.ts";
import type { ScaleResult } from "../scale/scaleRun.ts";
import type { PathRow, Target } from "./model.ts";
import { ms, pct } from "./table.ts";

export function checkTargets(rows: PathRow[], scale: ScaleResult | undefined, pacedRate: number): Target[] {
  const targets: Target[] = [];
  for (const row of rows) {
    if (row.kind !== "windowed" || row.ratioToProsody === undefined) continue;
    const value = `${row.ratioToProsody >= 0.1 ? row.ratioToProsody.toFixed(2) : row.ratioToProsody.toFixed(3)}×`;
    const limit = row.networkLimit;
    // A network that allows less than the target cannot be held to it (Telegram's flood limits).
    if (limit && limit.ratioToProsody < 0.25) {
      targets.push({
        what: `${row.label}: rate vs Prosody alone`,
        target: "≥ 0.25×",
        value: `${value}; the network allows at most ${limit.ratioToProsody.toFixed(3)}× (${(limit.share * 100).toFixed(0)}% of it reached)`,
        met: null,
      });
      continue;
    }
    targets.push({
      what: `${row.label}: rate vs Prosody alone`,
      target: "≥ 0.25×",
      value,
      met: !row.measurement.aborted && row.ratioToProsody >= 0.25,
    });
  }
  const paced = rows.find((r) => r.kind === "paced");
  if (paced) {
    const p = paced.measurement as PacedMeasurement;
    targets.push({
      what: `XMPP → SMS p99 at ${pacedRate} msg/s`,
      target: pacedRate === 500 ? "< 50 ms" : "< 50 ms (issue: at 500 msg/s)",
      value: `${ms(p.summary.p99)} ms${p.keptUp ? "" : ", did not keep up"}`,
      met: pacedRate === 500 ? p.keptUp && p.summary.p99 < 50 : null,
    });
  }
  if (scale) {
    // Against the mean of the two baseline runs; the render shows how far those two differ.
    const b1 = scale.baseline.probe.summary;
    const b2 = scale.baselineRepeat.probe.summary;
    const a = scale.scaled.probe.summary;
    const d50 = a.p50 / ((b1.p50 + b2.p50) / 2) - 1;
    const d95 = a.p95 / ((b1.p95 + b2.p95) / 2) - 1;
    const d99 = a.p99 / ((b1.p99 + b2.p99) / 2) - 1;
    targets.push({
      what: `latency with ${scale.seed.users} users × ${scale.seed.contacts / scale.seed.users} contacts`,
      target: "p50, p95 change < 10% (vs mean of 2 baselines)",
      value: `p50 ${pct(d50)}, p95 ${pct(d95)}, p99 ${pct(d99)}`,
      met: d50 < 0.1 && d95 < 0.1,
    });
    targets.push({
      what: "startup with that database (spawn → /healthz 200)",
      target: "< 5 s",
      value:
        `${(scale.scaled.startupMs / 1000).toFixed(2)} s (announce to every user done at ${(scale.scaled.announceMs / 1000).toFixed(2)} s, ` +
        `${Number.isNaN(scale.scaled.quietMs) ? "still busy after a minute" : `gateway and XMPP server idle again at ${(scale.scaled.quietMs / 1000).toFixed(2)} s`})`,
      met: scale.scaled.startupMs < 5000,
    });
  }
  return targets;
}
