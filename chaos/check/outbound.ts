// XMPP → network: per message, was it refused (error stanza, no outbox row), accepted (outbox
// row), delivered once, more than once, or never — and what explains each anomaly.
import type { SendCall } from "../ledger.ts";
import type { Arrival } from "../observe/arrivals.ts";
import type { OutboxRow } from "../observe/dbTruth.ts";
import type { SentRecord, StreamLog } from "../traffic/records.ts";
import { streamName } from "../types.ts";
import { groupBy as group, rel } from "../util.ts";
import type { Received } from "../xmpp/chatUser.ts";
import { deathsIn, describeFault, nearby, type AnalysisInput } from "./context.ts";
import { concurrentSends } from "./concurrency.ts";
import { reorderedMarkers } from "./order.ts";
import { emptyResult, type Anomaly, type StreamResult } from "./types.ts";
import { IN_FLIGHT_AFTER_KILL_MS, IN_FLIGHT_BEFORE_KILL_MS, KILL_AFTER_ANSWER_MS, WINDOWS_BY_NETWORK_OUT } from "./windows.ts";

export function analyzeOutbound(input: AnalysisInput, log: StreamLog): StreamResult {
  const name = streamName(log.stream);
  const res = emptyResult(log.stream, name);
  const arrivals = input.arrivals.get(name) ?? [];
  const copiesOf = group(arrivals, (a) => a.marker);
  const errorsOf = group(
    input.received.filter((r) => r.name === "message" && r.type === "error" && r.id !== undefined),
    (r) => r.id!,
  );
  const callsOf = group(
    input.ledger.calls.filter((c) => c.network === log.stream.network && c.marker !== undefined),
    (c) => c.marker!,
  );
  const markerless = input.ledger.calls.filter((c) => c.network === log.stream.network && c.marker === undefined);
  const t0 = input.t0;
  for (const rec of log.records) {
    res.sent++;
    const rows = input.truth.outbox.get(rec.marker) ?? [];
    const errors = errorsOf.get(rec.marker) ?? [];
    const copies = copiesOf.get(rec.marker) ?? [];
    const calls = callsOf.get(rec.marker) ?? [];
    const base = (kind: Anomaly["kind"], what: string): Anomaly => ({
      stream: name, marker: rec.marker, n: rec.n, kind, copies: copies.length, known: undefined, what,
      facts: timeline(input, rec, rows, errors, copies, calls, markerless),
      // Short ids (Telegram message ids) would match unrelated lines.
      needles: [rec.marker, ...rows.map((r) => `"part":"${r.id}"`), ...rows.flatMap((r) => (r.networkId && r.networkId.length >= 10 ? [r.networkId] : []))],
      moments: [rec.sentAt ?? rec.startedAt, ...copies.map((c) => c.at)],
      log: [],
    });
    if (rows.length === 0) {
      if (errors.length > 0) {
        res.refused++;
        const e = errors[0]!;
        const key = `${e.errorCondition ?? "?"}: ${(e.errorText ?? "").slice(0, 70)}`;
        res.refusals[key] = (res.refusals[key] ?? 0) + 1;
        if (copies.length > 0) res.anomalies.push(base("duplicate", `refused with an error, yet ${copies.length} cop${copies.length === 1 ? "y" : "ies"} reached the network`));
        continue;
      }
      if (copies.length > 0) {
        res.anomalies.push(base("duplicate", "reached the network without an outbox row (the gateway's record of it is missing)"));
        continue;
      }
      const sent = rec.sentAt ?? rec.startedAt;
      const death = deathsIn(input, sent - IN_FLIGHT_AFTER_KILL_MS, sent + IN_FLIGHT_BEFORE_KILL_MS)[0];
      const a = base("lost", "sent by the XMPP client, never accepted (no outbox row), no error came back");
      if (death) {
        a.known = { window: "xmpp-in-not-committed", why: `sent ${death.at - sent} ms before the gateway died (${death.kind} at ${rel(death.at, t0)})` };
        res.windowLost++;
      } else res.lost++;
      res.anomalies.push(a);
      continue;
    }
    res.accepted++;
    const failed = rows.some((r) => r.state === "failed");
    if (failed) {
      res.failed++;
      res.anomalies.push(base("failed", `accepted, then failed with an error to the user (${rows.find((r) => r.state === "failed")?.lastError ?? "?"})${copies.length ? `, although ${copies.length} cop${copies.length === 1 ? "y" : "ies"} reached the network` : ""}`));
    }
    if (copies.length === 0) {
      if (!failed) {
        res.lost++;
        res.anomalies.push(base("lost", `accepted (outbox row ${rows.map((r) => `${r.id} ${r.state}`).join(", ")}), never reached the network`));
      }
      continue;
    }
    res.delivered++;
    if (copies.length > 1) {
      const a = base("duplicate", `${copies.length} copies reached the network`);
      const why = explainDuplicate(input, log.stream.network, copies, calls);
      a.facts.push(...why.notes);
      if (why.known) {
        a.known = why.known;
        res.windowDuplicated += copies.length - 1;
      } else res.duplicated += copies.length - 1;
      res.anomalies.push(a);
    }
  }
  for (const a of concurrentSends(input, log.stream.network, name)) {
    a.needles.push(...(input.truth.outbox.get(a.marker) ?? []).map((r) => `"part":"${r.id}"`));
    res.anomalies.push(a);
  }
  for (const r of reorderedMarkers(arrivals)) {
    const rec = log.records.find((x) => x.marker === r.marker);
    res.reordered++;
    res.anomalies.push({
      stream: name, marker: r.marker, n: r.n, kind: "reordered", copies: copiesOf.get(r.marker)?.length ?? 0, known: undefined,
      what: `arrived after message ${r.after} of the same conversation`,
      facts: rec ? timeline(input, rec, input.truth.outbox.get(r.marker) ?? [], [], copiesOf.get(r.marker) ?? [], callsOf.get(r.marker) ?? []) : [],
      needles: [r.marker], moments: (copiesOf.get(r.marker) ?? []).map((c) => c.at), log: [],
    });
  }
  return res;
}

/**
 * Every copy that was followed by another must be one whose network answer never reached the
 * gateway, or whose answer was followed at once by the gateway's death — and the network must be
 * one that gives no way to find out (not SMS: Twilio lists what it took).
 */
function explainDuplicate(input: AnalysisInput, network: string, copies: Arrival[], calls: SendCall[]): { known: Anomaly["known"]; notes: string[] } {
  const taken = calls.filter((c) => c.taken).sort((a, b) => a.at - b.at);
  const notes: string[] = [];
  let explained = true;
  for (let i = 0; i < copies.length - 1; i++) {
    const call = taken[i];
    if (!call) {
      explained = false;
      notes.push(`copy ${i + 1}: no matching network call seen by the proxy`);
      continue;
    }
    if (!call.reachedGateway) {
      notes.push(`copy ${i + 1}: the network took it, its answer never reached the gateway (${call.fault ?? "the gateway went away before the answer"})`);
      continue;
    }
    const death = deathsIn(input, call.answeredAt ?? call.at, (call.answeredAt ?? call.at) + KILL_AFTER_ANSWER_MS)[0];
    if (death) {
      notes.push(`copy ${i + 1}: the answer reached the gateway, which died ${death.at - (call.answeredAt ?? call.at)} ms later (${death.kind}) before recording it`);
      continue;
    }
    explained = false;
    notes.push(`copy ${i + 1}: the answer (${call.answer}) reached the gateway at ${rel(call.answeredAt ?? call.at, input.t0)} and the gateway did not die: it sent the message again anyway`);
  }
  const window = WINDOWS_BY_NETWORK_OUT[network];
  if (explained && window === undefined) {
    notes.push("Twilio lists every message it took (the gateway's findSent looks there): this resend was avoidable");
    return { known: undefined, notes };
  }
  if (!explained || window === undefined) return { known: undefined, notes };
  const ids = new Set(copies.map((c) => c.copyId));
  const idNote = network === "email" ? (ids.size === 1 ? " (same Message-ID)" : ` (${ids.size} different Message-IDs)`) : "";
  return { known: { window, why: `the network took it but the gateway never learned so${idNote}` }, notes };
}

function timeline(input: AnalysisInput, rec: SentRecord, rows: OutboxRow[], errors: Received[], copies: Arrival[], calls: SendCall[], markerless: SendCall[] = []): string[] {
  const t0 = input.t0;
  const lines: string[] = [];
  lines.push(`sent by the XMPP user at ${rel(rec.sentAt ?? rec.startedAt, t0)} (due ${rel(rec.dueAt, t0)})`);
  for (const r of rows) lines.push(`outbox row ${r.id}: state ${r.state}, attempts ${r.attempts}, created ${rel(r.createdAt.getTime(), t0)}, updated ${rel(r.updatedAt.getTime(), t0)}${r.networkId ? `, network id ${r.networkId}` : ""}${r.lastError ? `, last error "${r.lastError}"` : ""}`);
  for (const e of errors) lines.push(`error stanza at ${rel(e.at, t0)}: ${e.errorCondition ?? "?"} "${e.errorText ?? ""}"`);
  for (const c of [...calls].sort((a, b) => a.at - b.at)) {
    lines.push(`network call at ${rel(c.at, t0)}: answer ${c.answer}${c.answeredAt ? ` at ${rel(c.answeredAt, t0)}` : ""}, ${c.taken ? "taken" : "not taken"}, answer ${c.reachedGateway ? "reached" : "did NOT reach"} the gateway${c.fault ? `, fault ${c.fault}` : ""}`);
  }
  for (const [i, c] of copies.entries()) lines.push(`copy ${i + 1} at the network at ${rel(c.at, t0)} (${c.copyId ?? "?"})`);
  const from = rec.sentAt ?? rec.startedAt;
  const to = Math.max(from, ...copies.map((c) => c.at), ...rows.map((r) => r.updatedAt.getTime()));
  for (const c of markerless.filter((m) => m.at >= from && m.at <= to + 1_000)) {
    lines.push(`nearby network call WITHOUT any message marker (empty body?) at ${rel(c.at, t0)}: answer ${c.answer}${c.fault ? `, fault ${c.fault}` : ""}`);
  }
  for (const f of nearby(input, from, to, rec.marker)) lines.push(`nearby: ${describeFault(f, t0)}`);
  return lines;
}
