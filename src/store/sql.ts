import type pg from "pg";
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
 * Runs one of the hot path's statements as a named prepared statement on the DataSource's own
 * pool, outside any transaction. Each pooled connection parses and plans it once instead of on
 * every call: at low load, when batches hold one message, parse and plan were about a quarter of
 * PostgreSQL's CPU per message. `name` must be unique to `sql` in the whole program.
 */
export async function prepared<T>(ds: DataSource, name: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const pool = (ds.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) return rows<T>(ds.manager, sql, params); // not connected yet: the same error path as TypeORM's
  const result = await pool.query<T & pg.QueryResultRow>({ name, text: sql, values: params });
  return result.rows;
}
