// Closed-loop load: each lane (a client connection, a webhook target…) keeps at most `window`
// messages in flight and is refilled as they complete. New messages of one lane go out as one
// batch per event-loop turn, so refilling stays cheap at high rates.
import type { Recorder } from "./recorder.ts";

export interface WindowedOptions {
  total: number;
  lanes: number;
  window: number;
  /** Stop offering new messages after this long (the path is then reported as capped). */
  maxSeconds: number;
  /** After offering stops, wait this long at most for messages still in flight. */
  drainSeconds: number;
  /** Give up when nothing completes for this long. */
  stallSeconds: number;
  /** Sends these messages of `lane`; must call rec.markSent for each as it goes out. */
  send(lane: number, seqs: number[]): void;
  /** A fatal problem seen elsewhere (an error stanza, the gateway exiting), or undefined. */
  failure(): string | undefined;
}

export interface WindowedResult {
  capped: boolean;
  /** Why the run ended early, if it did (stall, failure). */
  aborted?: string;
}

export function runWindowed(rec: Recorder, o: WindowedOptions): Promise<WindowedResult> {
  const laneOf = new Uint16Array(o.total);
  const outstanding = new Int32Array(o.lanes);
  const startedAt = performance.now();
  let next = 0;
  let offering = true;
  let capped = false;
  let pumpScheduled = false;
  let lastProgressAt = startedAt;
  let offeringEndedAt = Number.NaN;

  return new Promise((resolve) => {
    const finish = (result: WindowedResult) => {
      clearInterval(ticker);
      rec.listen(() => {});
      resolve(result);
    };
    const stopOffering = () => {
      if (!offering) return;
      offering = false;
      offeringEndedAt = performance.now();
    };
    const pump = () => {
      pumpScheduled = false;
      if (offering && performance.now() - startedAt > o.maxSeconds * 1000) {
        capped = next < o.total;
        stopOffering();
      }
      if (!offering) return;
      for (let lane = 0; lane < o.lanes && next < o.total; lane++) {
        const free = o.window - outstanding[lane]!;
        if (free <= 0) continue;
        const k = Math.min(free, o.total - next);
        const seqs = new Array<number>(k);
        for (let i = 0; i < k; i++) {
          const seq = next++;
          laneOf[seq] = lane;
          seqs[i] = seq;
        }
        outstanding[lane]! += k;
        o.send(lane, seqs);
      }
      if (next >= o.total) stopOffering();
    };
    const schedulePump = () => {
      if (pumpScheduled) return;
      pumpScheduled = true;
      setImmediate(pump);
    };
    rec.listen((seq) => {
      outstanding[laneOf[seq]!]!--;
      lastProgressAt = performance.now();
      if (!offering && rec.completed >= rec.sent) return finish({ capped });
      schedulePump();
    });
    const ticker = setInterval(() => {
      const now = performance.now();
      const failure = o.failure();
      if (failure) return finish({ capped, aborted: failure });
      if (now - lastProgressAt > o.stallSeconds * 1000) {
        return finish({ capped, aborted: `no message completed for ${o.stallSeconds} s (${rec.completed}/${rec.sent} done)` });
      }
      if (offering) schedulePump();
      else if (rec.completed >= rec.sent) finish({ capped });
      else if (now - offeringEndedAt > o.drainSeconds * 1000) finish({ capped });
    }, 100);
    pump();
  });
}
