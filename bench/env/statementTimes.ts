// The gateway's own timing of its message-path database statements (the
// `switchboard_db_statement_seconds` histogram on /metrics), read before and after a run: how many
// round trips were slow tells whether a latency tail was spent waiting for PostgreSQL (on this
// kind of machine, a WAL fsync that stalled on the virtual disk) or somewhere else.

const METRIC = "switchboard_db_statement_seconds";
/** Bucket bounds (seconds) the report names; the gateway's histogram has each of them. */
const SLOW_BOUNDS = [0.025, 0.05, 0.1] as const;

/** Cumulative counts summed over all statements: total, and at or under each bound. */
export interface StatementTimes {
  total: number;
  atMost: Map<number, number>;
}

export interface SlowStatements {
  total: number;
  /** Round trips over 25, 50 and 100 ms. */
  over: Array<{ ms: number; count: number }>;
}

export async function readStatementTimes(metricsUrl: string): Promise<StatementTimes | undefined> {
  try {
    const res = await fetch(metricsUrl);
    if (!res.ok) return undefined;
    return parse(await res.text());
  } catch {
    return undefined;
  }
}

export function parse(text: string): StatementTimes {
  const atMost = new Map<number, number>(SLOW_BOUNDS.map((b) => [b, 0]));
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${METRIC}_count{`)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
    else if (line.startsWith(`${METRIC}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const bound = le === undefined ? Number.NaN : Number(le);
      if (atMost.has(bound)) atMost.set(bound, atMost.get(bound)! + Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
  }
  return { total, atMost };
}

/** What happened between two readings. */
export function slowBetween(before: StatementTimes, after: StatementTimes): SlowStatements {
  const total = after.total - before.total;
  return {
    total,
    over: SLOW_BOUNDS.map((b) => ({ ms: b * 1000, count: total - ((after.atMost.get(b) ?? 0) - (before.atMost.get(b) ?? 0)) })),
  };
}
