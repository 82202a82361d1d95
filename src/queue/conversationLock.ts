import pg from "pg";
import type { Logger } from "pino";

/**
 * Session-level PostgreSQL advisory locks that keep one drainer per conversation across every
 * gateway instance sharing the database. Each lock lives on a connection of its own pool: a
 * drainer holding a lock also needs connections for its work, and taking both from one pool
 * deadlocks once every connection is a lock holder waiting for another. A crashed process
 * releases its locks when its connections die.
 */
export class ConversationLocks {
  private readonly pool: pg.Pool;

  constructor(url: string, maxHolders: number, log: Logger) {
    this.pool = new pg.Pool({ connectionString: url, max: maxHolders, application_name: "switchboard-locks" });
    this.pool.on("error", (err) => log.warn({ err }, "lock connection error"));
    this.pool.on("connect", (client) => client.on("error", (err) => log.warn({ err }, "lock connection error")));
  }

  /**
   * Runs `fn` holding the lock `name`. `held()` turns false once the lock's connection fails (the
   * server then released the lock): the holder must stop before its next step.
   */
  async with<T>(name: string, fn: (held: () => boolean) => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    const client = await this.pool.connect();
    let broken = false;
    const lost = () => {
      broken = true;
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [name]).catch((err: unknown) => {
        broken = true;
        throw err;
      });
      if (!rows[0]?.ok) return { locked: false };
      try {
        return { locked: true, value: await fn(() => !broken) };
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [name]).catch(() => {
          broken = true; // a connection that may still hold the lock must not be reused
        });
      }
    } finally {
      client.off("error", lost);
      client.off("end", lost);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
