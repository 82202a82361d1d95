// The human-readable summary of a run.
import type { BatchStats, CheckResult, Report } from "./report.ts";

const top = (m: Record<string, number>, max = 12) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([k, v]) => `${k} ×${v}`)
    .join(", ") + (Object.keys(m).length > max ? `, … (${Object.keys(m).length - max} more)` : "");

export function printBatch(b: BatchStats, out: (s: string) => void): void {
  out(`== ${b.name} [${b.target}] — ${b.sent} sent in ${(b.ms / 1000).toFixed(1)} s`);
  if (b.replies || b.iqResults) out(`   replies ${b.replies} (iq results ${b.iqResults}; errors without text ${b.errorsWithoutText})`);
  if (b.lateReplies) out(`   late replies (after the 5 s deadline): ${b.lateReplies}, the latest after ${b.lateMaxMs} ms`);
  if (Object.keys(b.errors).length) out(`   errors by condition: ${top(b.errors, 20)}`);
  if (b.errorsWithoutTextSamples.length) out(`   errors without a <text/>, e.g.: ${b.errorsWithoutTextSamples.join("; ")}`);
  if (Object.keys(b.codes).length) out(`   HTTP codes: ${top(b.codes, 20)}`);
  if (Object.keys(b.received).length) out(`   other stanzas received: ${top(b.received)}`);
  if (Object.keys(b.streamCloses).length) out(`   stream endings: ${top(b.streamCloses, 20)}`);
  out(`   crashes ${b.crashes}, hangs ${b.hangs}, liveness failures ${b.livenessFailures}`);
  const l = b.liveness;
  if (l) out(`   liveness: alive=${l.alive} ping ${l.pingMs ?? "—"} ms, sms ${l.smsMs ?? "—"} ms, healthz ${l.healthz ?? "—"}${l.problems.length ? ` — ${l.problems.join("; ")}` : " — ok"}`);
  if (b.unexpectedCount) {
    out(`   unexpected (${b.unexpectedCount}):`);
    for (const u of b.unexpected) out(`     - ${u}`);
  }
  for (const n of b.notes) out(`   · ${n}`);
}

function printCheck(c: CheckResult, out: (s: string) => void): void {
  out(`[${c.status.toUpperCase()}] ${c.name}`);
  for (const d of c.details) out(`     ${d}`);
}

/** One line per batch: the counts that decide pass or fail. */
function printTable(r: Report, out: (s: string) => void): void {
  out("== batches");
  out(`   ${"batch".padEnd(26)} ${"sent".padStart(6)} ${"replies".padStart(7)} ${"errors".padStart(6)} ${"crash".padStart(5)} ${"hang".padStart(5)} ${"live✗".padStart(5)}  codes`);
  for (const b of r.batches) {
    const errors = Object.values(b.errors).reduce((s, n) => s + n, 0);
    const codes = Object.entries(b.codes).map(([k, v]) => `${k}×${v}`).join(" ");
    const skipped = b.notes.find((n) => n.startsWith("SKIPPED")) ? "  (skipped)" : "";
    out(`   ${b.name.padEnd(26)} ${String(b.sent).padStart(6)} ${String(b.replies).padStart(7)} ${String(errors).padStart(6)} ${String(b.crashes).padStart(5)} ${String(b.hangs).padStart(5)} ${String(b.livenessFailures).padStart(5)}  ${codes}${skipped}`);
  }
}

export function printReport(r: Report, out: (s: string) => void): void {
  out("");
  printTable(r, out);
  out("");
  out("== checks");
  for (const c of r.checks) printCheck(c, out);
  if (r.findings.length) {
    out("");
    out("== findings (reported, not failing)");
    for (const f of r.findings) out(`   - ${f}`);
  }
  out("");
  const totals = r.batches.reduce(
    (t, b) => ({ sent: t.sent + b.sent, crashes: t.crashes + b.crashes, hangs: t.hangs + b.hangs, live: t.live + b.livenessFailures }),
    { sent: 0, crashes: 0, hangs: 0, live: 0 },
  );
  out(`== total: ${totals.sent} inputs; crashes ${totals.crashes}, hangs ${totals.hangs}, liveness failures ${totals.live}`);
  if (r.failed) {
    out(`== FAILED: ${Object.entries(r.failureCounts()).map(([k, v]) => `${k} ×${v}`).join(", ")}`);
    for (const f of r.failures) out(`   ✗ [${f.kind}] ${f.batch}: ${f.detail}`);
  } else {
    out("== PASSED");
  }
}
