import type { EntityManager } from "typeorm";

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
