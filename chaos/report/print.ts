// The report on the terminal.
import type { ChaosReport } from "../run.ts";
import { anomalyReport } from "./anomalies.ts";
import { faultSummary } from "./faults.ts";
import { streamTable } from "./table.ts";

export function printable(r: ChaosReport): string {
  const o = r.options;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    "",
    `Switchboard chaos run — seed ${o.seed}, ${o.messages} messages per direction per network, ${o.kills} kill(s), ${o.prosodyRestarts} Prosody restart(s), ${o.dbCuts} PostgreSQL cut(s), fault rate ${o.faultRate}`,
    `total ${secs(r.finishedAt - r.startedAt)} (traffic ${secs(r.trafficMs)}, drain ${secs(r.settle.waitedMs)}); gateway incarnations: ${r.incarnations.length}; gateway log: ${o.gatewayLog}`,
    "",
    streamTable(r.results),
    "",
    "refused (error stanza from the gateway or the XMPP server; not lost):",
    ...r.results.flatMap((s) => Object.entries(s.refusals).map(([why, n]) => `  ${s.name}: ${n} × ${why}`)),
    "",
    "faults applied:",
    ...faultSummary(r.ledger).map((l) => `  ${l}`),
    "",
    "documented windows (a duplicate or loss here does not fail the run):",
    ...r.windows.map((w) => `  ${w.window}: ${w.duplicates} duplicate(s), ${w.losses} loss(es) from ${w.opportunities} ${w.opportunityText}`),
    `  ${r.smsNote}`,
    ...anomalyReport(r.results),
    "",
    r.failures.length === 0 ? "RESULT: PASS — nothing lost, doubled or reordered outside the documented windows" : `RESULT: FAIL\n${r.failures.map((f) => `  - ${f}`).join("\n")}`,
  ];
  return lines.join("\n");
}
