// Order per conversation: by first arrival, a message is reordered when a later-numbered one
// arrived before it.
import type { Arrival } from "../observe/arrivals.ts";

export function reorderedMarkers(arrivals: Arrival[]): Array<{ marker: string; n: number; after: number }> {
  const firstSeen = new Set<string>();
  const firsts: Arrival[] = [];
  for (const a of arrivals) {
    if (firstSeen.has(a.marker)) continue;
    firstSeen.add(a.marker);
    firsts.push(a);
  }
  const out: Array<{ marker: string; n: number; after: number }> = [];
  let max = -1;
  for (const a of firsts) {
    if (a.n < max) out.push({ marker: a.marker, n: a.n, after: max });
    max = Math.max(max, a.n);
  }
  return out;
}
