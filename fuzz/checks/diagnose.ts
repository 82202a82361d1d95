// When the gateway stops answering: what are its database connections doing? (A wedged pool shows
// as every connection idle in the middle of something.)
import type { FuzzEnv } from "../env/fuzzEnv.ts";

export async function databaseActivity(env: FuzzEnv): Promise<string> {
  const res = await env.db
    .query<{ n: number; state: string | null; q: string }>(
      `SELECT count(*)::int AS n, state, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
         FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
        GROUP BY 2, 3 ORDER BY 1 DESC LIMIT 6`,
    )
    .catch((err: unknown) => ({ rows: [{ n: 0, state: "error", q: String(err) }] }));
  return res.rows.map((r) => `${r.n}× ${r.state ?? "?"}: ${r.q}`).join(" | ");
}
