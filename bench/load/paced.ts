// Open-loop load at a fixed offered rate, whatever the system under test does: the schedule is
// computed from the clock, so a slow event-loop turn sends the overdue messages at once instead
// of drifting to a lower rate.
import type { Recorder } from "./recorder.ts";

export interface PacedOptions {
  rate: number;
  seconds: number;
  lanes: number;
  drainSeconds: number;
  send(lane: number, seqs: number[]): void;
  failure(): string | undefined;
}

export interface PacedResult {
  total: number;
  /** performance.now() when the last message was offered. */
  offeringEndedAt: number;
  aborted?: string;
}

export function runPaced(rec: Recorder, o: PacedOptions): Promise<PacedResult> {
  const total = Math.round(o.rate * o.seconds);
  const startedAt = performance.now();
  let next = 0;
  let offeringEndedAt = Number.NaN;
  const perLane: number[][] = Array.from({ length: o.lanes }, () => []);

  return new Promise((resolve) => {
    const finish = (aborted?: string) => {
      clearInterval(ticker);
      resolve({ total, offeringEndedAt, ...(aborted ? { aborted } : {}) });
    };
    const ticker = setInterval(() => {
      const now = performance.now();
      const failure = o.failure();
      if (failure) return finish(failure);
      if (next < total) {
        const due = Math.min(total, Math.floor(((now - startedAt) / 1000) * o.rate));
        for (; next < due; next++) perLane[next % o.lanes]!.push(next);
        for (let lane = 0; lane < o.lanes; lane++) {
          const seqs = perLane[lane]!;
          if (seqs.length === 0) continue;
          perLane[lane] = [];
          o.send(lane, seqs);
        }
        if (next >= total) offeringEndedAt = performance.now();
        return;
      }
      if (rec.completed >= total || now - offeringEndedAt > o.drainSeconds * 1000) finish();
    }, 1);
  });
}
