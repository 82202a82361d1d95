// Waiting for processes to go quiet: after a start-up, the gateway's presence to every registered
// user (and the probe of each) is still being worked through by the XMPP server for seconds after
// the last benchmark user has heard it. Latency measured on top of that is start-up cost, which
// the scale run reports on its own (start-up, announce, and this).
import { cpuSecondsOf } from "./procStats.ts";

const WINDOW_MS = 500;
const POLL_MS = 100;

/**
 * Resolves with the time it took once every process in `pids` used less than `maxCores` over
 * the last WINDOW_MS, or with NaN after `maxMs` (still busy).
 */
export async function waitForQuiet(pids: number[], opts: { maxCores?: number; maxMs?: number } = {}): Promise<number> {
  const maxCores = opts.maxCores ?? 0.1;
  const maxMs = opts.maxMs ?? 60_000;
  const started = performance.now();
  const samples: Array<{ t: number; cpu: number[] }> = [];
  for (;;) {
    const now = performance.now();
    samples.push({ t: now, cpu: pids.map((pid) => cpuSecondsOf(pid) ?? 0) });
    while (samples.length > 1 && now - samples[1]!.t >= WINDOW_MS) samples.shift();
    const first = samples[0]!;
    const span = (now - first.t) / 1000;
    if (span * 1000 >= WINDOW_MS && pids.every((_, i) => (samples.at(-1)!.cpu[i]! - first.cpu[i]!) / span < maxCores)) return now - started;
    if (now - started >= maxMs) return Number.NaN;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
