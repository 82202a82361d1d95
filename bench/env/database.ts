// The benchmark's PostgreSQL: the server at DATABASE_URL (a fresh database on it), else the test
// suite's embedded server (throwaway: fsync and synchronous_commit off), or with --durable-db an
// embedded server with PostgreSQL's default durability, as `switchboard start` runs its own.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createTestDatabase } from "../../test/support/database.ts";
import { startEmbeddedPostgres } from "../../src/store/embeddedPostgres.ts";

export interface BenchDatabase {
  url: string;
  /** How the server was obtained and what durability it has, for the report. */
  mode: string;
  close(): Promise<void>;
}

export async function openBenchDatabase(opts: { durable: boolean; runDir: string }): Promise<BenchDatabase> {
  if (process.env.DATABASE_URL) {
    const db = await createTestDatabase();
    return { url: db.url, mode: "external server (DATABASE_URL), fresh database", close: db.drop };
  }
  if (!opts.durable) {
    const db = await createTestDatabase();
    return { url: db.url, mode: "embedded, throwaway (fsync=off, synchronous_commit=off, as the tests run it)", close: db.drop };
  }
  // The postgres user must be able to enter the parent of the data directory.
  const base = path.join(opts.runDir, "pg");
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  fs.chmodSync(opts.runDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(base, "data") });
  return { url: server.url, mode: "embedded, durable (PostgreSQL defaults: fsync on, synchronous_commit on)", close: server.stop };
}

/** One short-lived connection for the benchmark's own SQL (seeding, facts). */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
