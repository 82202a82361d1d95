import pg from "pg";
import type { DataSource, EntityManager } from "typeorm";

/**
 * Runs one SQL statement and returns its rows, whatever the statement (TypeORM returns
 * `[rows, count]` for UPDATE/DELETE unless asked for a structured result).
 */
export async function rows<T>(db: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const runner = db.queryRunner;
  if (runner && !runner.isReleased) return (await runner.query(sql, params, true)).records as T[];
  const own = db.connection.createQueryRunner();
  try {
    return (await own.query(sql, params, true)).records as T[];
  } finally {
    await own.release();
  }
}

export async function one<T>(db: EntityManager, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(db, sql, params))[0];
}

/**
 * Rows of a query asked for many keys at once (a LATERAL per key), grouped by key in id order
 * (SQL gives no order across the keys' rows without an outer ORDER BY; ids are bigints sent as
 * text). Every asked-for key is in the result, with no rows if none matched.
 */
export function groupByKey<R extends { id: string }>(keys: string[], found: R[], keyOf: (row: R) => string): Map<string, R[]> {
  const grouped = new Map(keys.map((key) => [key, [] as R[]]));
  for (const row of found) grouped.get(keyOf(row))?.push(row);
  for (const group of grouped.values()) group.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  return grouped;
}

/**
 * Runs one of the hot path's statements as a named prepared statement, outside any transaction,
 * on a pool of its own (`hotPool`, which says why): each connection parses and plans it once.
 * `name` must be unique to `sql` in the whole program.
 */
export async function prepared<T>(ds: DataSource, name: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const pool = hotPool(ds);
  if (!pool) return rows<T>(ds.manager, sql, params); // not connected yet: the same error path as TypeORM's
  const started = performance.now();
  try {
    const result = await pool.query<T & pg.QueryResultRow>({ name, text: sql, values: params });
    return result.rows;
  } finally {
    observers.get(ds)?.(name, (performance.now() - started) / 1000);
  }
}

/** Told each hot statement's round trip (including any wait for a pooled connection), by name. */
export type StatementObserver = (name: string, seconds: number) => void;
const observers = new WeakMap<DataSource, StatementObserver>();

/**
 * Reports the round trip of every hot statement on `ds` to `observer`: each is a message's
 * durable write or keyed read, so when latency grows this tells whether the database (a slow
 * disk's fsync, a lock) is where the time went.
 */
export function observeHotStatements(ds: DataSource, observer: StatementObserver): void {
  observers.set(ds, observer);
}

/**
 * The hot statements' sessions plan each statement once (a generic plan) instead of on every call:
 * PostgreSQL's own choice re-planned the many-keys reads on every call (their generic plan looks
 * costlier because it cannot know the array holds one key), which was a quarter of its CPU per
 * message. And they never scan a whole table: every hot statement looks rows up by key, but a plan
 * made while a table was nearly empty (a fresh install, or the bench) chose a sequential scan and
 * kept it as the table grew — `markManyDelivered` read the whole outbox for every delivery report.
 * Kept apart from TypeORM's pool, where the operator's queries and the startup scans need both.
 */
const HOT_SESSION = "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off";
const HOT_POOL_SIZE = 10;
const hotPools = new WeakMap<DataSource, pg.Pool>();

function hotPool(ds: DataSource): pg.Pool | undefined {
  const main = (ds.driver as unknown as { master?: pg.Pool & { options: pg.PoolConfig } }).master;
  if (!main) return undefined;
  let pool = hotPools.get(ds);
  if (!pool) {
    // The same server and credentials (pg-pool keeps the password out of enumeration).
    pool = new pg.Pool({ ...main.options, password: main.options.password, max: HOT_POOL_SIZE, options: HOT_SESSION, allowExitOnIdle: true });
    // A dropped idle connection is reported like one of TypeORM's pool (a warning); the pool replaces it.
    pool.on("error", (err) => main.emit("error", err));
    hotPools.set(ds, pool);
  }
  return pool;
}

/** Closes the hot statements' pool of `ds` (before `ds.destroy()`). */
export async function closeHotStatements(ds: DataSource): Promise<void> {
  const pool = hotPools.get(ds);
  hotPools.delete(ds);
  await pool?.end();
}
