// The verdict over all six streams.
import { analyzeInbound } from "./inbound.ts";
import { analyzeOutbound } from "./outbound.ts";
import type { AnalysisInput } from "./context.ts";
import type { StreamResult } from "./types.ts";

export function analyze(input: AnalysisInput): StreamResult[] {
  return input.logs.map((log) => (log.stream.direction === "out" ? analyzeOutbound(input, log) : analyzeInbound(input, log)));
}

/** Whether the run passes: nothing lost, doubled, reordered, failed or refused inbound outside the windows. */
export function failures(results: StreamResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const bad = r.anomalies.filter((a) => a.known === undefined);
    if (bad.length) out.push(`${r.name}: ${bad.length} unexplained (${summarize(bad.map((a) => a.kind))})`);
  }
  return out;
}

function summarize(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}
