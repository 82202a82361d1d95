// What the analysis reads: what was sent, what arrived, what the gateway recorded, what was done.
import type { Ledger, Fault } from "../ledger.ts";
import type { ArrivalMap } from "../observe/arrivals.ts";
import type { Truth } from "../observe/dbTruth.ts";
import type { StreamLog } from "../traffic/records.ts";
import { rel } from "../util.ts";
import type { Received } from "../xmpp/chatUser.ts";

export interface AnalysisInput {
  run: number;
  t0: number;
  logs: StreamLog[];
  arrivals: ArrivalMap;
  truth: Truth;
  ledger: Ledger;
  /** Every stanza the XMPP user received. */
  received: Received[];
}

const DISRUPTIONS = new Set(["gateway-kill", "gateway-crash", "prosody-restart", "db-cut"]);

/** Disruptions overlapping [from − slack, to + slack], and faults aimed at this message. */
export function nearby(input: AnalysisInput, from: number, to: number, marker: string, slackMs = 2_000): Fault[] {
  return input.ledger.faults.filter(
    (f) => f.marker === marker || (DISRUPTIONS.has(f.kind) && (f.end ?? f.at) >= from - slackMs && f.at <= to + slackMs),
  );
}

export function describeFault(f: Fault, t0: number): string {
  const span = f.end !== undefined ? `${rel(f.at, t0)}…${rel(f.end, t0)}` : rel(f.at, t0);
  return `${f.kind}${f.network ? ` (${f.network})` : ""} at ${span}${f.detail ? `: ${f.detail}` : ""}`;
}

/** Kills and crashes (the gateway process died) starting in [from, to]. */
export function deathsIn(input: AnalysisInput, from: number, to: number): Fault[] {
  return input.ledger.faults.filter((f) => (f.kind === "gateway-kill" || f.kind === "gateway-crash") && f.at >= from && f.at <= to);
}
