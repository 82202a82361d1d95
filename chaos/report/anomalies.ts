// The anomalies, unexplained ones in full (timeline and log lines), explained ones briefly.
import type { Anomaly, StreamResult } from "../check/types.ts";

const MAX_FULL_PER_STREAM = 15;
const MAX_KNOWN_PER_STREAM = 10;

export function anomalyReport(results: StreamResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const bad = r.anomalies.filter((a) => a.known === undefined);
    const known = r.anomalies.filter((a) => a.known !== undefined);
    if (bad.length === 0 && known.length === 0) continue;
    out.push("", `== ${r.name}: ${bad.length} unexplained, ${known.length} in documented windows`);
    for (const a of bad.slice(0, MAX_FULL_PER_STREAM)) out.push(...full(a));
    if (bad.length > MAX_FULL_PER_STREAM) out.push(`  … ${bad.length - MAX_FULL_PER_STREAM} more unexplained (see --json)`);
    for (const a of known.slice(0, MAX_KNOWN_PER_STREAM)) out.push(`  [window ${a.known!.window}] ${a.marker}: ${a.kind} — ${a.what}; ${a.known!.why}`);
    if (known.length > MAX_KNOWN_PER_STREAM) out.push(`  … ${known.length - MAX_KNOWN_PER_STREAM} more in windows (see --json)`);
  }
  return out;
}

function full(a: Anomaly): string[] {
  return [
    `  ✗ ${a.marker}: ${a.kind.toUpperCase()} — ${a.what}`,
    ...a.facts.map((f) => `      ${f}`),
    ...(a.log.length ? ["      gateway log:", ...a.log.map((l) => `        ${l}`)] : []),
  ];
}
