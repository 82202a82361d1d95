import pg from "pg";
import type { Logger } from "pino";

/**
 * Session-level PostgreSQL advisory locks that keep one drainer per conversation across every
 * gateway instance sharing the database. All of this process's locks live on one connection of
 * their own: taking a lock costs no round trip of its own (lock requests arriving together go in
 * one query), and a lock stays held while its conversation is busy and for `idleMs` after, so a
 * busy conversation is not locked and unlocked for every message. When that connection fails,
 * the server has released every lock on it: `held()` turns false for every holder, which must
 * stop before its next step. A crashed process releases its locks with its connection.
 */
export class ConversationLocks {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  /** Bumped when the lock connection is lost: every lock taken before is gone. */
  private generation = 0;
  private readonly held = new Map<string, { busy: boolean; lastUsed: number; generation: number }>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  private waiting: Array<{ key: string; resolve: (ok: boolean) => void; reject: (err: unknown) => void }> = [];
  private pumping = false;
  private readonly releaser: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly idleMs = 5000,
  ) {
    this.releaser = setInterval(() => void this.releaseIdle(), Math.max(100, Math.min(1000, idleMs)));
    this.releaser.unref();
  }

  /**
   * Runs `fn` holding the lock `name`, or returns `locked: false` when another holder (another
   * instance, or another drainer in this process) has it.
   */
  async with<T>(name: string, fn: (held: () => boolean) => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    let entry = this.held.get(name);
    if (!entry || entry.generation !== this.generation) {
      this.held.delete(name);
      if (!(await this.acquire(name))) return { locked: false };
      entry = this.held.get(name);
      if (!entry) return { locked: false }; // lost with its connection meanwhile
    }
    if (entry.busy) return { locked: false };
    entry.busy = true;
    const generation = entry.generation;
    try {
      return { locked: true, value: await fn(() => this.generation === generation) };
    } finally {
      entry.busy = false;
      entry.lastUsed = Date.now();
    }
  }

  /**
   * The lock `name` if this process holds it right now (kept from idle release for another
   * `idleMs`), else undefined. The token is the same object for as long as the lock stays held,
   * so comparing it later tells whether anyone else can have had the lock meanwhile.
   */
  heldToken(name: string): object | undefined {
    const entry = this.held.get(name);
    if (!entry || entry.generation !== this.generation) return undefined;
    entry.lastUsed = Date.now();
    return entry;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.releaser);
    const client = this.client;
    this.lost();
    // Ending the session releases every lock it holds.
    await client?.end().catch(() => undefined);
  }

  private acquire(key: string): Promise<boolean> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = new Promise<boolean>((resolve, reject) => this.waiting.push({ key, resolve, reject }));
    this.inflight.set(key, p);
    const done = () => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    };
    p.then(done, done);
    if (!this.pumping) void this.pump();
    return p;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        try {
          const client = await this.connect();
          const generation = this.generation;
          const { rows } = await client.query<{ k: string; ok: boolean }>({
            name: "conversation_locks_take",
            text: `SELECT k, pg_try_advisory_lock(hashtextextended(k, 0)) AS ok FROM unnest($1::text[]) AS k`,
            values: [batch.map((b) => b.key)],
          });
          const got = new Map(rows.map((r) => [r.k, r.ok]));
          const now = Date.now();
          for (const b of batch) {
            const ok = got.get(b.key) === true && generation === this.generation;
            if (ok) this.held.set(b.key, { busy: false, lastUsed: now, generation });
            b.resolve(ok);
          }
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async releaseIdle(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const cutoff = Date.now() - this.idleMs;
    const idle: string[] = [];
    for (const [key, entry] of this.held) {
      if (!entry.busy && entry.lastUsed < cutoff && entry.generation === this.generation) {
        idle.push(key);
        this.held.delete(key);
      }
    }
    if (idle.length === 0) return;
    // Queued on the same connection before any later request for these keys, so a key taken
    // again after this is locked again, in that order.
    await client
      .query(`SELECT pg_advisory_unlock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k`, [idle])
      .catch((err: unknown) => this.log.warn({ err }, "releasing idle conversation locks failed"));
  }

  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error("conversation locks are closed"));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: "switchboard-locks", keepAlive: true });
      const lost = (err?: unknown) => {
        if (err) this.log.warn({ err }, "lock connection error");
        if (this.client === client) this.lost();
        if (err) void client.end().catch(() => undefined);
      };
      client.on("error", lost);
      client.on("end", () => lost());
      try {
        await client.connect();
      } catch (err) {
        client.removeAllListeners();
        throw err;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(): void {
    this.client = undefined;
    this.generation++;
    this.held.clear();
  }
}
