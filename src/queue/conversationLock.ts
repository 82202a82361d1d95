import type { DataSource, QueryRunner } from "typeorm";

/**
 * A session-level PostgreSQL advisory lock that keeps one drainer per conversation across every
 * gateway instance sharing the database. It lives on its own connection, so a crashed process
 * releases it when its connection dies.
 */
export async function withConversationLock<T>(
  ds: DataSource,
  name: string,
  fn: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const runner: QueryRunner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [row] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [name]);
    if (!row?.ok) return { locked: false };
    try {
      return { locked: true, value: await fn() };
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [name]);
    }
  } finally {
    await runner.release();
  }
}
