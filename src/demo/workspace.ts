// The demo's directory (./data/demo): one demo at a time, a fresh world at every start (the
// simulators forget everything when they stop, so old registrations and queues would point at
// nothing), the TLS certificate kept.
import { readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { isAlive } from "../processes.ts";

export interface DemoWorkspace {
  root: string;
  /** Prosody's directory: config, accounts, log. */
  prosodyDir: string;
  /** Kept across runs. */
  tlsDir: string;
  /** The gateway's generated configuration; its embedded PostgreSQL lives in root/postgres. */
  configFile: string;
  logFile: string;
  /** Lets the next demo start here. */
  release(): Promise<void>;
}

/** Thrown when another demo uses the directory. */
export class WorkspaceBusy extends Error {}

const LOCK = "demo.pid";

export async function openWorkspace(root: string): Promise<DemoWorkspace> {
  root = path.resolve(root);
  await fs.mkdir(root, { recursive: true });
  const lock = path.join(root, LOCK);
  await takeLock(lock);
  const releaseNow = () => {
    try {
      if (readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock, { force: true });
    } catch {
      // already gone
    }
  };
  process.on("exit", releaseNow);
  try {
    await stopLeftovers(root);
    // Previous runs' world; the certificate stays.
    for (const name of ["prosody", "postgres", "switchboard.yaml", "switchboard.log"]) {
      await fs.rm(path.join(root, name), { recursive: true, force: true });
    }
  } catch (err) {
    releaseNow();
    throw err;
  }
  return {
    root,
    prosodyDir: path.join(root, "prosody"),
    tlsDir: path.join(root, "tls"),
    configFile: path.join(root, "switchboard.yaml"),
    logFile: path.join(root, "switchboard.log"),
    release: async () => {
      process.off("exit", releaseNow);
      releaseNow();
    },
  };
}

async function takeLock(lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
    }
    const holder = Number.parseInt(await fs.readFile(lock, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && (await runs(holder, /switchboard/))) {
      throw new WorkspaceBusy(`another switchboard demo (PID ${holder}) is running in ${path.dirname(lock)}; stop it first`);
    }
    await fs.rm(lock, { force: true }); // its demo died without cleaning up
  }
}

/**
 * A demo killed with SIGKILL leaves its Prosody and PostgreSQL running (its exit hooks never ran):
 * stop them, or Prosody would keep port 5222 and the database files would be removed under a server.
 */
async function stopLeftovers(root: string): Promise<void> {
  const prosody = await pidIn(path.join(root, "prosody", "prosody.pid"));
  if (prosody && (await runs(prosody, /prosody|lua/))) await stop(prosody, "SIGTERM");
  const postgres = await pidIn(path.join(root, "postgres", "postmaster.pid"));
  if (postgres && (await runs(postgres, /postgres/))) await stop(postgres, "SIGINT");
}

async function pidIn(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether `pid` lives and its command line matches `what` (a reused pid is someone else). */
async function runs(pid: number, what: RegExp): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  return cmdline === undefined ? false : what.test(cmdline.replace(/\0/g, " "));
}


async function stop(pid: number, signal: NodeJS.Signals): Promise<void> {
  for (const [sig, waitMs] of [[signal, 10_000], ["SIGKILL", 5_000]] as const) {
    try {
      process.kill(pid, sig);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
