// One conversation is sent serially (ARCHITECTURE.md: one drainer per conversation, holding an
// advisory lock). Other send calls of the conversation starting while one is still in flight
// mean two drainers at once — the way to duplicates, reordering and parts sent again after they
// were recorded as sent.
import type { SendCall } from "../ledger.ts";
import { rel } from "../util.ts";
import type { AnalysisInput } from "./context.ts";
import type { Anomaly } from "./types.ts";

/** Overlaps shorter than this are timing noise between the proxy's two sides. */
const TOLERANCE_MS = 5;

/** One anomaly per call that others overtook while it was in flight. */
export function concurrentSends(input: AnalysisInput, network: string, stream: string): Anomaly[] {
  const calls = input.ledger.calls.filter((c) => c.network === network).sort((a, b) => a.at - b.at);
  const name = (x: SendCall) => x.marker ?? "(no message marker: empty body?)";
  const out: Anomaly[] = [];
  for (const p of calls) {
    const during = calls.filter((c) => c !== p && c.at > p.at + TOLERANCE_MS && c.at < p.endedAt - TOLERANCE_MS);
    if (during.length === 0) continue;
    const t0 = input.t0;
    const between = input.ledger.faults.filter((f) => f.at >= p.at - 2_000 && f.at <= during[0]!.at && ["db-cut", "gateway-kill", "gateway-crash", "prosody-restart"].includes(f.kind));
    out.push({
      stream, marker: p.marker ?? "?", n: -1, kind: "concurrent", copies: 0, known: undefined,
      what: `${during.length} other send(s) of the same conversation went out while this one was in flight (${rel(p.at, t0)} … ${rel(p.endedAt, t0)}): two drainers at once`,
      facts: [
        `the call in flight: ${name(p)} from ${rel(p.at, t0)} to ${rel(p.endedAt, t0)}, answer ${p.answer}${p.fault ? `, fault ${p.fault}` : ""}`,
        `overtaken by: ${during.slice(0, 12).map((c) => `${name(c)} at ${rel(c.at, t0)} (${c.answer})`).join(", ")}${during.length > 12 ? ", …" : ""}`,
        ...between.map((f) => `before the first overtaking call: ${f.kind} at ${rel(f.at, t0)}${f.detail ? ` (${f.detail})` : ""}`),
      ],
      needles: [...(p.marker ? [p.marker] : [])],
      moments: [p.at, during[0]!.at],
      log: [],
    });
  }
  return out;
}
