import { run, runMigrations, Logger as WorkerLogger, type Runner, type Task } from "graphile-worker";
import pg from "pg";
import type { EntityManager } from "typeorm";
import type { Logger } from "pino";
import { rows } from "../store/sql.ts";

export type TaskHandler = (payload: Record<string, unknown>) => Promise<void>;

/**
 * Durable wake-ups on graphile-worker. The gateway's own tables hold the messages; a job only says
 * "drain this conversation (at this time)". Job keys collapse repeated wake-ups into one job.
 * Named queues are deliberately not used: a worker killed with SIGKILL leaves its queue locked for
 * hours, so per-conversation order is kept by an advisory lock instead (see ConversationLock).
 */
export class JobQueue {
  private runner: Runner | undefined;
  private pool: pg.Pool | undefined;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly concurrency: number,
  ) {}

  /** Installs or upgrades graphile-worker's own schema (it versions itself). */
  static async migrate(url: string, log: Logger): Promise<void> {
    const pool = watchedPool(new pg.Pool({ connectionString: url, max: 1 }), log);
    try {
      await runMigrations({ pgPool: pool, logger: workerLogger(log) });
    } finally {
      await pool.end();
    }
  }

  async start(tasks: Record<string, TaskHandler>): Promise<void> {
    this.pool = watchedPool(new pg.Pool({ connectionString: this.url, max: this.concurrency + 2 }), this.log);
    const taskList: Record<string, Task> = {};
    for (const [name, handler] of Object.entries(tasks)) {
      taskList[name] = async (payload) => handler((payload ?? {}) as Record<string, unknown>);
    }
    this.runner = await run({
      pgPool: this.pool,
      taskList,
      concurrency: this.concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: workerLogger(this.log),
    });
  }

  async stop(): Promise<void> {
    await this.runner?.stop();
    this.runner = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }

  /**
   * Adds (or moves) the job for `key` inside the caller's transaction, so the wake-up commits
   * with the rows it is about. `preserveRunAt` keeps a later scheduled retry time in place.
   */
  static async add(
    db: EntityManager,
    task: string,
    payload: Record<string, unknown>,
    key: string,
    opts: { runAt?: Date; preserveRunAt?: boolean } = {},
  ): Promise<void> {
    await rows(
      db,
      `SELECT 1 FROM graphile_worker.add_job($1, $2::json, run_at := $3, job_key := $4, max_attempts := 25,
         job_key_mode := $5)`,
      [task, JSON.stringify(payload), opts.runAt ?? null, key, opts.preserveRunAt ? "preserve_run_at" : "replace"],
    );
  }
}

/** A pool whose idle and checked-out clients' errors are logged, never thrown (cut connections). */
function watchedPool(pool: pg.Pool, log: Logger): pg.Pool {
  pool.on("error", (err) => log.warn({ err }, "job queue connection error"));
  pool.on("connect", (client) => client.on("error", (err) => log.warn({ err }, "job queue connection error")));
  return pool;
}

function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    const l = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
    log[l]({ worker: meta }, message);
  });
}
