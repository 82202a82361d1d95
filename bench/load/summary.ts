import type { Recorder } from "./recorder.ts";

export interface RunSummary {
  offered: number;
  completed: number;
  /** Completed messages per second, first send to last arrival. */
  rate: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The run stopped offering at its time cap before reaching its message count. */
  capped: boolean;
  /** Messages still missing when the drain wait ended. */
  lost: number;
}

export function summarise(rec: Recorder, capped: boolean): RunSummary {
  const lat = rec.sortedLatencies();
  const seconds = rec.completed > 0 ? (rec.lastDoneAt - rec.firstSentAt) / 1000 : 0;
  return {
    offered: rec.sent,
    completed: rec.completed,
    rate: seconds > 0 ? rec.completed / seconds : 0,
    seconds,
    p50: percentile(lat, 0.5),
    p95: percentile(lat, 0.95),
    p99: percentile(lat, 0.99),
    max: lat.length ? lat[lat.length - 1]! : Number.NaN,
    capped,
    lost: rec.sent - rec.completed,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
