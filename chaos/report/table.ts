// The per-stream table.
import type { StreamResult } from "../check/types.ts";

const ARROW = { out: "XMPP → net", in: "net → XMPP" } as const;
const COLUMNS = ["sent", "accepted", "refused", "delivered", "duplicated", "lost", "reordered", "failed"] as const;

export function streamTable(results: StreamResult[]): string {
  const head = ["network", "direction", ...COLUMNS, "window-dup", "window-lost"];
  const rows = results.map((r) => [r.stream.network, ARROW[r.stream.direction], ...COLUMNS.map((c) => String(r[c])), String(r.windowDuplicated), String(r.windowLost)]);
  const total = ["total", "", ...COLUMNS.map((c) => String(results.reduce((s, r) => s + r[c], 0))), String(results.reduce((s, r) => s + r.windowDuplicated, 0)), String(results.reduce((s, r) => s + r.windowLost, 0))];
  const all = [head, ...rows, total];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt), fmt(widths.map((w) => "-".repeat(w))), fmt(total)].join("\n");
}
