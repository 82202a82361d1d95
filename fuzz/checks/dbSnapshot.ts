// What the run left in the database (information, not pass/fail): queue states and the tables a
// hostile sender can grow — a status callback for an unknown sid is kept in early_reports, an SMS
// to nobody in unroutable_inbound (with its body); both are pruned hourly (src/store/retention.ts).
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { CheckResult, Report } from "../report.ts";
import { RETENTION } from "../../src/store/retention.ts";

export async function dbSnapshot(env: FuzzEnv, report: Report): Promise<CheckResult> {
  const q = async (sql: string): Promise<string> => {
    const res = await env.db.query(sql).catch((err: unknown) => ({ rows: [{ error: String(err) }] }));
    return res.rows.map((r: Record<string, unknown>) => Object.values(r).join("=")).join(", ") || "(none)";
  };
  const orphans = await env.db
    .query<{ n: number }>(`SELECT count(*)::int AS n FROM early_reports e WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.network_id = e.network_id)`)
    .then((r) => r.rows[0]?.n ?? 0, () => 0);
  const unroutable = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM unroutable_inbound WHERE body IS NOT NULL AND body <> ''`).then((r) => r.rows[0]?.n ?? 0, () => 0);
  if (orphans > 0) report.findings.push(`early_reports keeps ${orphans} status callbacks for sids the gateway never sent, until the hourly prune removes them after ${RETENTION.earlyReports} (src/store/retention.ts)`);
  if (unroutable > 0) report.findings.push(`unroutable_inbound keeps ${unroutable} message bodies for numbers nobody holds, until the hourly prune removes them after ${RETENTION.unroutable} (src/store/retention.ts)`);
  return {
    name: "database after the run (information)",
    status: "pass",
    details: [
      `outbox by state: ${await q(`SELECT state, count(*) FROM outbox GROUP BY 1 ORDER BY 1`)}`,
      `inbox by state: ${await q(`SELECT state, count(*) FROM inbox GROUP BY 1 ORDER BY 1`)}`,
      `early_reports: ${await q(`SELECT count(*) FROM early_reports`)} (for unknown sids: ${orphans})`,
      `unroutable_inbound: ${await q(`SELECT count(*) FROM unroutable_inbound`)}; inbound_keys: ${await q(`SELECT count(*) FROM inbound_keys`)}; contacts: ${await q(`SELECT count(*) FROM contacts`)}`,
    ],
  };
}
