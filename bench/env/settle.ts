// Waiting out a run's aftermath before the next one is measured: the warm-up's messages have
// all arrived when it ends, but their status callbacks, receipts and records are still being
// worked through, and measuring on top of that backlog would charge it to the next run.
import { withClient } from "./database.ts";

/** Work the gateway still has in hand: parts not final, and events not yet passed to XMPP. */
const IN_HAND = `SELECT (SELECT count(*) FROM outbox WHERE state IN ('accepted', 'sending', 'sent'))::int
                      + (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS n`;

/**
 * Returns once nothing is in hand, or once the count has not changed for `quietMs` (a part that
 * stays 'sent' for good, e.g. mail, which has no delivery reports), or after `maxMs`.
 */
export async function settle(url: string, opts: { quietMs?: number; maxMs?: number } = {}): Promise<{ ms: number; left: number }> {
  const quietMs = opts.quietMs ?? 500;
  const maxMs = opts.maxMs ?? 15_000;
  const started = performance.now();
  return withClient(url, async (c) => {
    let last = -1;
    let since = started;
    for (;;) {
      const n = (await c.query<{ n: number }>(IN_HAND)).rows[0]?.n ?? 0;
      const now = performance.now();
      if (n !== last) {
        last = n;
        since = now;
      }
      if (n === 0 || now - since >= quietMs || now - started >= maxMs) return { ms: now - started, left: n };
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}
