// What the database's sessions are doing, grouped: printed when a run stalls, to tell a slow
// gateway from a stuck one (e.g. every pooled connection idle in transaction).
import { withClient } from "./database.ts";

export async function dbActivity(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ application_name: string; state: string; wait: string; query: string; n: number }>(
      `SELECT application_name, coalesce(state, '?') AS state, coalesce(wait_event_type || ':' || wait_event, '-') AS wait,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, count(*)::int AS n
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       GROUP BY 1, 2, 3, 4 ORDER BY n DESC LIMIT 15`,
    );
    return rows.map((r) => `  ${r.n}× [${r.application_name || "?"}] ${r.state} (${r.wait}) ${r.query}`).join("\n");
  }).catch((err: unknown) => `  (could not read pg_stat_activity: ${(err as Error).message})`);
}
