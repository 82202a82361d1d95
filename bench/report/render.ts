// The human-readable report printed to stdout.
import type { PacedMeasurement } from "../runner.ts";
import type { ScaleCondition } from "../scale/scaleRun.ts";
import { renderBudget } from "./budget.ts";
import type { BenchReport, PathRow } from "./model.ts";
import { mib, ms, num, pct, table } from "./table.ts";

export function render(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Switchboard benchmark — ${r.startedAt}, ${r.seconds.toFixed(0)} s`,
    `machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}`,
    `software: Node ${m.node}, ${m.prosody}, PostgreSQL ${m.postgres} — ${m.database}`,
    `load: ${JSON.stringify(r.settings)}`,
    "",
    table(
      ["path", "msgs", "msg/s", "× Prosody", "p50 ms", "p95 ms", "p99 ms", "max ms", "peak RSS"],
      r.rows.map((row) => {
        const s = row.measurement.summary;
        const msgs = s.completed === s.offered ? String(s.completed) : `${s.completed}/${s.offered}`;
        return [
          row.label + (s.capped ? " (capped)" : "") + (row.measurement.aborted ? " (ABORTED)" : ""),
          msgs,
          num(s.rate),
          row.ratioToProsody === undefined ? (row.id === "prosody" ? "1.00" : "—") : ratio(row.ratioToProsody),
          ms(s.p50),
          ms(s.p95),
          ms(s.p99),
          // A message far behind the rest (one left for the periodic sweep) hides below p99.
          ms(s.max),
          row.gateway ? mib(row.gateway.peakRss) : "—",
        ];
      }),
    ),
    ...networkLimits(r),
    "",
    `CPU during each run, in cores busy (this machine has ${m.cores}); "other" is everything else: other users' processes, and kernel threads (e.g. disk flushes for a durable database)`,
    table(
      ["path", "gateway", "postgres", "prosody", "bench", "other", "machine", "gateway CPU ms/msg", "gateway writes/msg", "DB write xacts/msg"],
      r.rows.map((row) => {
        const m = row.measurement;
        const c = reliableCpu(m.cpu);
        return [
          row.label,
          num(c.gateway, 2),
          num(c.postgres, 2),
          num(c.prosody, 2),
          num(c.bench, 2),
          num(c.other, 2),
          num(c.machine, 2),
          ms(m.gatewayCpuMsPerMsg),
          num(m.gatewayWritesPerMsg, 1),
          num(m.dbWriteXactsPerMsg, 1),
        ];
      }),
    ),
    ...sharedWarning(r),
    "",
    "Gateway process (a fresh one per row: peak RSS is that row's own)",
    table(
      ["path", "startup ms", "RSS at healthy", "peak RSS", "shutdown ms"],
      r.rows.filter((row) => row.gateway).map((row) => {
        const g = row.gateway!;
        return [row.label, ms(g.startupMs), mib(g.startupPeakRss), mib(g.peakRss), ms(g.shutdownMs)];
      }),
    ),
  );
  const paced = r.rows.filter((row) => row.kind === "paced");
  for (const row of paced) {
    const p = row.measurement as PacedMeasurement;
    out.push(
      "",
      `${row.label}: offered ${p.offeredRate} msg/s, ${p.summary.completed}/${p.summary.offered} arrived, ` +
        `last one ${ms(p.drainMs)} ms after the last was offered — ${p.keptUp ? "KEPT UP" : "DID NOT KEEP UP"}`,
    );
    const g = p.gatewayFigures;
    if (g) {
      out.push(
        `  the gateway's database round trips: ${g.total}; ` +
          g.over.map((o) => `${o.count} over ${o.ms} ms`).join(", ") +
          ` (a durable write waits for the WAL fsync: a stalling disk shows here); sends retried: ${g.retries}`,
      );
    }
  }
  if (r.scale) out.push("", renderScale(r.scale));
  const aborted = r.rows.filter((row) => row.measurement.aborted);
  for (const row of aborted) out.push("", `${row.label} was aborted: ${row.measurement.aborted}`);
  out.push("", "Targets (issue #5)", table(["target", "wanted", "measured", "met"], r.targets.map((t) => [t.what, t.target, t.value, t.met === null ? "n/a" : t.met ? "yes" : "NO"])));
  const prosody = r.rows.find((row) => row.id === "prosody");
  out.push(...renderBudget(r.rows, m.cores, prosody?.measurement.summary.rate));
  for (const row of r.rows.filter((x) => x.profile)) out.push("", renderProfile(row));
  if (r.notes.length) out.push("", "Notes", ...r.notes.map((n) => `- ${n}`));
  return out.join("\n");
}

/** Paths the network itself caps: what the cap is and how close the run came. */
function networkLimits(r: BenchReport): string[] {
  return r.rows
    .filter((row) => row.networkLimit)
    .map((row) => {
      const l = row.networkLimit!;
      return `${row.label}: limited by the network — ${l.why} (${ratio(l.ratioToProsody)}× Prosody alone); this run reached ${(l.share * 100).toFixed(0)}% of that`;
    });
}

function ratio(r: number): string {
  return r >= 0.1 ? r.toFixed(2) : r.toFixed(3);
}

/** CPU figures of a run under half a second are mostly 10 ms ticks rounded: shown as unknown. */
function reliableCpu(cpu: Record<string, number>): Record<string, number> {
  return (cpu.interval ?? 0) >= 0.5 ? cpu : {};
}

/** Load from outside the benchmark skews every figure: say so next to them. */
function sharedWarning(r: BenchReport): string[] {
  const runs = r.rows.map((row) => ({ label: row.label, other: reliableCpu(row.measurement.cpu).other ?? 0 }));
  if (r.scale) {
    for (const c of [r.scale.baseline, r.scale.baselineRepeat, r.scale.scaled]) runs.push({ label: `scale probe, ${c.label}`, other: reliableCpu(c.probe.cpu).other ?? 0 });
  }
  const busy = runs.filter((x) => x.other > 0.15);
  if (busy.length === 0) return [];
  const worst = Math.max(...busy.map((x) => x.other));
  return [
    `WARNING: "other" load reached ${worst.toFixed(2)} cores during ${busy.map((x) => `"${x.label}"`).join(", ")}: ` +
      "if that was someone else's work on this machine, those figures are low.",
  ];
}

function renderScale(s: NonNullable<BenchReport["scale"]>): string {
  const row = (c: ScaleCondition) => [
    c.label,
    ms(c.startupMs),
    ms(c.announceMs),
    num(c.cpuSecondsToAnnounce, 1),
    Number.isNaN(c.quietMs) ? "still busy" : ms(c.quietMs),
    mib(c.startupPeakRss),
    mib(c.peakRss),
    ms(c.probe.summary.p50),
    ms(c.probe.summary.p95),
    ms(c.probe.summary.p99),
    ms(c.shutdownMs) + (c.shutdownKilled ? " (killed)" : ""),
  ];
  const b = s.baseline.probe.summary;
  const r = s.baselineRepeat.probe.summary;
  const a = s.scaled.probe.summary;
  return [
    `Scale run: ${s.seed.users} users × ${s.seed.contacts / Math.max(1, s.seed.users)} contacts inserted in ${s.seed.seconds.toFixed(1)} s; ` +
      `latency probe: ${b.offered} XMPP → SMS messages each, one at a time`,
    table(
      ["database", "startup ms", "announce done ms", "CPU s to then", "idle again ms", "RSS at healthy", "peak RSS", "p50 ms", "p95 ms", "p99 ms", "shutdown ms"],
      [row(s.baseline), row(s.baselineRepeat), row(s.scaled)],
    ),
    `latency change against the first baseline run: p50 ${pct(a.p50 / b.p50 - 1)}, p95 ${pct(a.p95 / b.p95 - 1)}, p99 ${pct(a.p99 / b.p99 - 1)}; ` +
      `second baseline run against the first (noise): p50 ${pct(r.p50 / b.p50 - 1)}, p95 ${pct(r.p95 / b.p95 - 1)}, p99 ${pct(r.p99 / b.p99 - 1)}`,
  ].join("\n");
}

function renderProfile(row: PathRow): string {
  const p = row.profile!;
  return [
    `CPU profile of the gateway process that ran "${row.label}" (its whole life: startup, warm-up, run; ${p.busyMs.toFixed(0)} ms busy; ${p.file})`,
    table(["area", "self ms", "share"], p.areas.slice(0, 12).map((a) => [a.area, a.selfMs.toFixed(0), `${(a.share * 100).toFixed(1)}%`])),
    table(["function", "where", "self ms", "share"], p.topFunctions.map((f) => [f.name, f.where, f.selfMs.toFixed(0), `${(f.share * 100).toFixed(1)}%`])),
  ].join("\n");
}
