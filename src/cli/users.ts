import { openDatabase } from "../app.ts";
import { createLogger } from "../log.ts";
import { pendingMigrations } from "../store/dataSource.ts";
import { RegistrationStore } from "../store/registrations.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

export async function runUsersList(ctx: CliContext): Promise<number> {
  const config = await loadCliConfig(ctx);
  const db = await openDatabase(config, createLogger("warn"));
  try {
    if ((await pendingMigrations(db.ds)).length > 0) throw new Error("the database schema is not up to date; run `switchboard migrate`");
    const rows = await new RegistrationStore(db.ds).list();
    const users = rows.map((r) => ({ jid: r.userJid, network: r.network, account: r.legacyAccountId, state: r.state, registeredAt: r.createdAt.toISOString() }));
    if (ctx.json) ctx.out(JSON.stringify(users));
    else if (users.length === 0) ctx.out("no registered users");
    else for (const u of users) ctx.out(`${u.jid}\t${u.network}\t${u.account}\t${u.state}\t${u.registeredAt}`);
    return 0;
  } finally {
    await db.close();
  }
}
