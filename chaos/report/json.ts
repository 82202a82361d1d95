// The full report as JSON (--json FILE).
import fs from "node:fs/promises";
import type { ChaosReport } from "../run.ts";

export async function writeJson(file: string, r: ChaosReport): Promise<void> {
  const iso = (t: number) => new Date(t).toISOString();
  const out = {
    options: r.options,
    startedAt: iso(r.startedAt),
    trafficStartedAt: iso(r.trafficStartedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: r.finishedAt - r.startedAt,
    trafficMs: r.trafficMs,
    pass: r.failures.length === 0,
    failures: r.failures,
    stuckStreams: r.stuckStreams,
    settle: r.settle,
    streams: r.results.map(({ anomalies, ...rest }) => ({ ...rest, anomalies })),
    windows: r.windows,
    smsNote: r.smsNote,
    plan: r.plan.map((d) => ({ ...d, at: iso(d.at) })),
    faults: r.ledger.faults.map((f) => ({ ...f, at: iso(f.at), ...(f.end ? { end: iso(f.end) } : {}) })),
    sendCalls: r.ledger.calls.map((c) => ({ ...c, at: iso(c.at), ...(c.answeredAt ? { answeredAt: iso(c.answeredAt) } : {}) })),
    twilioLookups: r.ledger.lookups.map((l) => ({ ...l, at: iso(l.at) })),
    gatewayIncarnations: r.incarnations,
  };
  await fs.writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
}
