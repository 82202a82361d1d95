// The gateway's own figures from /metrics, read before and after a run: how many of its
// message-path database round trips were slow (`switchboard_db_statement_seconds`) tells whether
// a latency tail was spent waiting for PostgreSQL (on this kind of machine, a WAL fsync that
// stalled on the virtual disk); retried sends (`switchboard_outbound_retries_total`) explain a
// message that arrived a backoff late.

const METRIC = "switchboard_db_statement_seconds";
const RETRIES = "switchboard_outbound_retries_total";
/** Bucket bounds (seconds) the report names; the gateway's histogram has each of them. */
const SLOW_BOUNDS = [0.025, 0.05, 0.1] as const;

/** Statement counts summed over all statements (total, and at or under each bound); retries. */
export interface GatewayFigures {
  total: number;
  atMost: Map<number, number>;
  retries: number;
}

export interface GatewayFiguresOfRun {
  /** Database round trips. */
  total: number;
  /** Round trips over 25, 50 and 100 ms. */
  over: Array<{ ms: number; count: number }>;
  /** Sends retried after a transient failure. */
  retries: number;
}

export async function readGatewayFigures(metricsUrl: string): Promise<GatewayFigures | undefined> {
  try {
    const res = await fetch(metricsUrl);
    if (!res.ok) return undefined;
    return parse(await res.text());
  } catch {
    return undefined;
  }
}

export function parse(text: string): GatewayFigures {
  const atMost = new Map<number, number>(SLOW_BOUNDS.map((b) => [b, 0]));
  let total = 0;
  let retries = 0;
  const value = (line: string) => Number(line.slice(line.lastIndexOf(" ") + 1));
  for (const line of text.split("\n")) {
    if (line.startsWith(`${RETRIES}{`)) retries += value(line);
    else if (line.startsWith(`${METRIC}_count{`)) total += value(line);
    else if (line.startsWith(`${METRIC}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const bound = le === undefined ? Number.NaN : Number(le);
      if (atMost.has(bound)) atMost.set(bound, atMost.get(bound)! + value(line));
    }
  }
  return { total, atMost, retries };
}

/** What happened between two readings. */
export function figuresBetween(before: GatewayFigures, after: GatewayFigures): GatewayFiguresOfRun {
  const total = after.total - before.total;
  return {
    total,
    over: SLOW_BOUNDS.map((b) => ({ ms: b * 1000, count: total - ((after.atMost.get(b) ?? 0) - (before.atMost.get(b) ?? 0)) })),
    retries: after.retries - before.retries,
  };
}
