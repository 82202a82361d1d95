// The verdict on one stream of numbered messages, and every anomaly with what explains it.
import type { StreamId } from "../types.ts";
import type { WindowId } from "./windows.ts";

export interface Anomaly {
  stream: string;
  marker: string;
  n: number;
  kind: "duplicate" | "lost" | "reordered" | "failed" | "refused" | "not-accepted" | "concurrent";
  /** Copies that arrived (duplicates). */
  copies: number;
  /** Set when a documented window explains it; such anomalies do not fail the run. */
  known: { window: WindowId; why: string } | undefined;
  /** One line: what was observed. */
  what: string;
  /** The message's timeline: sends, network calls, copies, database rows, nearby faults. */
  facts: string[];
  /** Strings to look for in the gateway log, and moments around which warnings matter. */
  needles: string[];
  moments: number[];
  log: string[];
}

export interface StreamResult {
  stream: StreamId;
  name: string;
  sent: number;
  accepted: number;
  refused: number;
  delivered: number;
  /** Extra copies outside the documented windows. */
  duplicated: number;
  /** Accepted (or, outbound, sent without an error) and never arrived, outside the windows. */
  lost: number;
  reordered: number;
  /** Accepted, then failed with an error to the user although every fault was temporary. */
  failed: number;
  windowDuplicated: number;
  windowLost: number;
  /** Why messages were refused, with counts. */
  refusals: Record<string, number>;
  anomalies: Anomaly[];
}

export function emptyResult(stream: StreamId, name: string): StreamResult {
  return { stream, name, sent: 0, accepted: 0, refused: 0, delivered: 0, duplicated: 0, lost: 0, reordered: 0, failed: 0, windowDuplicated: 0, windowLost: 0, refusals: {}, anomalies: [] };
}
