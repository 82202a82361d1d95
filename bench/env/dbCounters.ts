// Database write transactions over a run, counted exactly and at once by transaction ids: every
// transaction that writes (an explicit one, or a lone UPDATE) takes one xid. (pg_stat_database
// would also count reads, but backends flush it up to 10 s late.)
import { withClient } from "./database.ts";

export async function currentXid(url: string): Promise<number | undefined> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ xid: string }>("SELECT pg_current_xact_id()::text AS xid");
    return rows[0] ? Number(rows[0].xid) : undefined;
  }).catch(() => undefined);
}
