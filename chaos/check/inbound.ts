// Network → XMPP: per message, was it acknowledged to the network, did it reach the XMPP user
// once, more than once, or never — and what explains each anomaly (the gateway's inbox row says
// whether it was stored and when it was passed to XMPP).
import type { Arrival } from "../observe/arrivals.ts";
import type { InboxRow } from "../observe/dbTruth.ts";
import type { SentRecord, StreamLog } from "../traffic/records.ts";
import { streamName } from "../types.ts";
import { groupBy, rel } from "../util.ts";
import { describeFault, nearby, type AnalysisInput } from "./context.ts";
import { reorderedMarkers } from "./order.ts";
import { emptyResult, type Anomaly, type StreamResult } from "./types.ts";

/** A stanza passed to XMPP this close to the server going down counts as written into its dying socket. */
const SERVER_STOP_SLACK_MS = 1_000;

export function analyzeInbound(input: AnalysisInput, log: StreamLog): StreamResult {
  const name = streamName(log.stream);
  const res = emptyResult(log.stream, name);
  const arrivals = input.arrivals.get(name) ?? [];
  const copiesOf = groupBy(arrivals, (a) => a.marker);
  const t0 = input.t0;
  for (const rec of log.records) {
    res.sent++;
    const copies = copiesOf.get(rec.marker) ?? [];
    const rows = rec.networkId ? (input.truth.inbox.get(rec.networkId) ?? []) : [];
    const base = (kind: Anomaly["kind"], what: string): Anomaly => ({
      stream: name, marker: rec.marker, n: rec.n, kind, copies: copies.length, known: undefined, what,
      facts: timeline(input, rec, rows, copies),
      needles: [rec.marker, ...(rec.networkId && rec.networkId.length >= 10 ? [rec.networkId] : []), ...rows.map((r) => r.stanzaId)],
      moments: [rec.startedAt, ...(rec.acceptedAt ? [rec.acceptedAt] : []), ...copies.map((c) => c.at), ...rows.flatMap((r) => (r.deliveredAt ? [r.deliveredAt.getTime()] : []))],
      log: [],
    });
    if (rec.refused) {
      res.refused++;
      res.refusals[rec.refused] = (res.refusals[rec.refused] ?? 0) + 1;
      res.anomalies.push(base("refused", `refused for good by the gateway: ${rec.refused}`));
      continue;
    }
    if (rec.acceptedAt === undefined) {
      res.anomalies.push(base("not-accepted", "never acknowledged to the network by the end of the run"));
      continue;
    }
    res.accepted++;
    if (copies.length === 0) {
      const a = base("lost", lostWhat(rows));
      const delivered = rows.find((r) => r.state === "delivered" && r.deliveredAt);
      const stop = delivered?.deliveredAt
        ? input.ledger.faults.find(
            (f) => f.kind === "prosody-restart" && delivered.deliveredAt!.getTime() >= f.at - SERVER_STOP_SLACK_MS && delivered.deliveredAt!.getTime() <= (f.end ?? f.at),
          )
        : undefined;
      if (stop) {
        a.known = { window: "xmpp-out-lost-at-server-stop", why: `passed to XMPP at ${rel(delivered!.deliveredAt!.getTime(), t0)}, as Prosody went down at ${rel(stop.at, t0)}` };
        res.windowLost++;
      } else res.lost++;
      res.anomalies.push(a);
      continue;
    }
    res.delivered++;
    if (copies.length > 1) {
      const ids = new Set(copies.map((c) => c.copyId ?? "?"));
      const a = base("duplicate", `${copies.length} copies reached the XMPP user (${ids.size === 1 ? "one stanza-id" : `${ids.size} different stanza-ids`}, ${rows.length} inbox row${rows.length === 1 ? "" : "s"})`);
      const first = copies[0]!.at;
      const last = copies.at(-1)!.at;
      const cause = input.ledger.faults.find(
        (f) => (f.kind === "gateway-kill" || f.kind === "gateway-crash" || f.kind === "prosody-restart") && f.at >= first - 2_000 && f.at <= last,
      );
      if (ids.size === 1 && rows.length <= 1 && cause) {
        a.known = { window: "xmpp-out-passed-twice", why: `the same inbox event passed again after ${cause.kind} at ${rel(cause.at, t0)}` };
        res.windowDuplicated += copies.length - 1;
      } else {
        if (ids.size > 1 || rows.length > 1) a.facts.push("the network message was stored more than once: its dedup key did not hold");
        else a.facts.push("one inbox event passed to XMPP twice with no kill or server restart in between");
        res.duplicated += copies.length - 1;
      }
      res.anomalies.push(a);
    }
  }
  for (const r of reorderedMarkers(arrivals)) {
    const rec = log.records.find((x) => x.marker === r.marker);
    res.reordered++;
    res.anomalies.push({
      stream: name, marker: r.marker, n: r.n, kind: "reordered", copies: copiesOf.get(r.marker)?.length ?? 0, known: undefined,
      what: `reached the XMPP user after message ${r.after} from the same sender`,
      facts: rec ? timeline(input, rec, rec.networkId ? (input.truth.inbox.get(rec.networkId) ?? []) : [], copiesOf.get(r.marker) ?? []) : [],
      needles: [r.marker, ...(rec?.networkId ? [rec.networkId] : [])], moments: (copiesOf.get(r.marker) ?? []).map((c) => c.at), log: [],
    });
  }
  return res;
}

function lostWhat(rows: InboxRow[]): string {
  if (rows.length === 0) return "acknowledged to the network, but the gateway has no inbox row for it";
  const r = rows[0]!;
  if (r.state !== "delivered") return `stored (inbox row ${r.id}, state ${r.state}) but never passed to XMPP`;
  return `stored and marked passed to XMPP (inbox row ${r.id}), but the XMPP user never received it`;
}

function timeline(input: AnalysisInput, rec: SentRecord, rows: InboxRow[], copies: Arrival[]): string[] {
  const t0 = input.t0;
  const lines = [
    `first delivered by the network at ${rel(rec.startedAt, t0)} (due ${rel(rec.dueAt, t0)}); ${rec.attempts} deliver${rec.attempts === 1 ? "y" : "ies"}${rec.acceptedAt ? `, acknowledged at ${rel(rec.acceptedAt, t0)}` : ", never acknowledged"}${rec.resends ? `, delivered again ${rec.resends}× after the acknowledgement` : ""}`,
  ];
  for (const r of rows) lines.push(`inbox row ${r.id}: state ${r.state}, stanza-id ${r.stanzaId}, stored ${rel(r.receivedAt.getTime(), t0)}${r.deliveredAt ? `, passed to XMPP ${rel(r.deliveredAt.getTime(), t0)}` : ""}`);
  for (const [i, c] of copies.entries()) lines.push(`copy ${i + 1} at the XMPP user at ${rel(c.at, t0)} (stanza-id ${c.copyId ?? "?"})`);
  const to = Math.max(rec.acceptedAt ?? rec.startedAt, ...copies.map((c) => c.at));
  for (const f of nearby(input, rec.startedAt, to, rec.marker)) lines.push(`nearby: ${describeFault(f, t0)}`);
  return lines;
}
