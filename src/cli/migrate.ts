import { migrate, openDatabase } from "../app.ts";
import { createLogger } from "../log.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

export async function runMigrate(ctx: CliContext): Promise<number> {
  const config = await loadCliConfig(ctx);
  const log = createLogger(config.log.level === "info" ? "warn" : config.log.level);
  const db = await openDatabase(config, log);
  try {
    const applied = await migrate(db, log);
    if (ctx.json) ctx.out(JSON.stringify({ applied }));
    else ctx.out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "the database is up to date");
    return 0;
  } finally {
    await db.close();
  }
}
