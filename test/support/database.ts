// A fresh, empty PostgreSQL database per test file.
//   DATABASE_URL set (CI): CREATE DATABASE sb_<random> on that server.
//   Not set: one embedded PostgreSQL per test process (temp dir), databases created there.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "../../src/store/embeddedPostgres.ts";

export interface TestDatabase {
  /** postgres:// URL of the new, empty database */
  url: string;
  /** Terminates its connections and drops it. Idempotent. */
  drop(): Promise<void>;
}

/** How long the embedded server outlives its last database (a new one may follow right away). */
const EMBEDDED_LINGER_MS = 1_000;

export async function createTestDatabase(): Promise<TestDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const url = await createOn(external);
    return { url, drop: once(() => dropOn(external, url)) };
  }

  embedded.live++;
  cancelLinger();
  let adminUrl: string;
  let url: string;
  try {
    adminUrl = (await ensureEmbedded()).url;
    url = await createOn(adminUrl);
  } catch (err) {
    embedded.live--;
    scheduleLinger();
    throw err;
  }
  return {
    url,
    drop: once(async () => {
      try {
        await dropOn(adminUrl, url);
      } finally {
        embedded.live--;
        scheduleLinger();
      }
    }),
  };
}

/**
 * Cuts every backend connected to the database of `url` except this call's own connection
 * (for fault tests). Resolves with how many were terminated.
 */
export async function terminateConnections(url: string): Promise<number> {
  const client = await connect(url);
  try {
    const res = await client.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return res.rows.filter((r) => r.ok).length;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // a terminated admin connection must not crash the test process
  await client.connect();
  return client;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
}

async function createOn(adminUrl: string): Promise<string> {
  const name = `sb_${randomBytes(6).toString("hex")}`;
  const client = await connect(adminUrl);
  try {
    // Concurrent CREATE DATABASEs (parallel test files) can briefly find template1 busy.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== "55006" || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  return withDatabase(adminUrl, name);
}

async function dropOn(adminUrl: string, url: string): Promise<void> {
  const name = databaseOf(url);
  const client = await connect(adminUrl);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}

// --- the per-process embedded server -----------------------------------------------------------

const embedded: {
  live: number;
  server: Promise<EmbeddedPostgresServer> | null;
  stopping: Promise<void> | null;
  linger: NodeJS.Timeout | null;
} = { live: 0, server: null, stopping: null, linger: null };

const tempDirs = new Set<string>();
let exitHookInstalled = false;

async function ensureEmbedded(): Promise<EmbeddedPostgresServer> {
  if (embedded.server) return embedded.server;
  if (embedded.stopping) await embedded.stopping;
  if (embedded.server) return embedded.server;
  installExitHook();
  // The postgres user must be able to enter the parent of the data directory: mkdtemp makes it 0700.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "sb-testpg-"));
  fs.chmodSync(base, 0o755);
  tempDirs.add(base);
  const log = process.env.SB_TEST_PG_LOG ? (m: string) => process.stderr.write(`[embedded-pg] ${m}\n`) : undefined;
  const started = startEmbeddedPostgres({ dataDir: path.join(base, "pgdata"), ephemeral: true, log });
  embedded.server = started.then(
    (server) => ({
      ...server,
      stop: async () => {
        await server.stop();
        fs.rmSync(base, { recursive: true, force: true });
        tempDirs.delete(base);
      },
    }),
    (err: unknown) => {
      embedded.server = null;
      fs.rmSync(base, { recursive: true, force: true });
      tempDirs.delete(base);
      throw err;
    },
  );
  return embedded.server;
}

function cancelLinger(): void {
  if (embedded.linger) clearTimeout(embedded.linger);
  embedded.linger = null;
}

function scheduleLinger(): void {
  cancelLinger();
  if (embedded.live > 0 || !embedded.server) return;
  // unref'd: a finished test file exits at once; the exit hook then stops the server.
  embedded.linger = setTimeout(() => {
    embedded.linger = null;
    if (embedded.live > 0 || !embedded.server) return;
    const server = embedded.server;
    embedded.server = null;
    embedded.stopping = server
      .then((s) => s.stop())
      .catch(() => {})
      .finally(() => {
        embedded.stopping = null;
      });
  }, EMBEDDED_LINGER_MS);
  embedded.linger.unref();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    // The server module has already asked PostgreSQL to shut down (its own exit hook). Remove the
    // temp directories once it has gone, from a detached helper that outlives this process.
    for (const dir of tempDirs) {
      const pidFile = path.join(dir, "pgdata", "postmaster.pid");
      let pid = "";
      try {
        pid = fs.readFileSync(pidFile, "utf8").split("\n")[0]?.trim() ?? "";
      } catch {
        // not running
      }
      if (!/^\d+$/.test(pid)) {
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      try {
        // Wait (at most 30 s) until the postmaster is gone or a zombie, then remove the directory.
        const script =
          `i=0; while [ $i -lt 300 ] && [ -e /proc/${pid} ] && [ "$(sed -n 's/.*) \\(.\\).*/\\1/p' /proc/${pid}/stat 2>/dev/null)" != Z ]; ` +
          `do sleep 0.05; i=$((i+1)); done; rm -rf "$1"`;
        spawn("sh", ["-c", script, "sh", dir], { detached: true, stdio: "ignore" }).unref();
      } catch {
        // best effort
      }
    }
  });
}
