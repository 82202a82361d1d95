import { DataSource } from "typeorm";
import { migrations } from "../../migrations/index.ts";
import { entities } from "./entities.ts";

/** The gateway's TypeORM DataSource over PostgreSQL; migrations are the only way the schema changes. */
export function createDataSource(url: string, opts: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities,
    migrations,
    migrationsTableName: "typeorm_migrations",
    migrationsTransactionMode: "each",
    synchronize: false,
    logging: false,
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? "switchboard",
  });
}

/** Names of migrations not yet applied to the database. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const applied = new Set<string>();
  const table = await ds.query(`SELECT to_regclass('typeorm_migrations') AS t`);
  if (table[0]?.t) {
    for (const row of await ds.query(`SELECT name FROM typeorm_migrations`)) applied.add(row.name);
  }
  return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}
