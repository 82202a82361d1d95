// A private Prosody 0.12 for the demo and the tests: own directory, own config, loopback ports,
// a child process. Never the system service.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { getFreePorts } from "../ports.ts";
import { prosodyConfigText, type ComponentSpec, type TlsFiles } from "./prosodyConfig.ts";

export interface ProsodyOptions {
  /** The VirtualHost users live on. Default "example.test". */
  host?: string;
  /** XEP-0114 components: `Component "domain"` with `component_secret`. */
  components: ComponentSpec[];
  /** Registered before the server starts. */
  users?: Array<{ username: string; password: string }>;
  /** The server's directory (created). Default: a new temporary one, removed by stop(). */
  dir?: string;
  /** The client port. Default: a free one. */
  c2sPort?: number;
  /** Addresses the client port listens on. Default: 127.0.0.1. */
  c2sInterfaces?: string[];
  /** Serve real XMPP clients: TLS required with this certificate. Default: the tests' plain server. */
  tls?: TlsFiles;
  /**
   * Run in its own process group, so a terminal's Ctrl-C reaches only the parent, which then
   * stops the server after its users (the gateway) are done with it.
   */
  detached?: boolean;
}

export interface ProsodyInstance {
  host: string;
  c2sPort: number;
  componentPort: number;
  dir: string;
  register(username: string, password: string): Promise<void>;
  /** Stop and start again on the same ports; accounts, rosters and offline messages are kept. */
  restart(): Promise<void>;
  /** Stop the server (graceful SIGTERM) but keep its directory and ports: the XMPP server is "down". */
  halt(): Promise<void>;
  /** Start a halted server again on the same ports (no-op while running). */
  resume(): Promise<void>;
  /**
   * Stops the server; a temporary directory is removed (unless SB_KEEP_PROSODY is set), a given
   * one is kept with its log. Idempotent.
   */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Prosody's process id while it runs. */
  readonly pid: number | undefined;
  /** Prosody's log file plus anything it printed on the console; still available after stop(). */
  logText(): Promise<string>;
}

const PROSODY = process.env.PROSODY_BIN ?? "prosody";
const PROSODYCTL = process.env.PROSODYCTL_BIN ?? "prosodyctl";
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
    }
    if (!process.env.SB_KEEP_PROSODY) {
      for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} … failed: ${err.message}\n${stdout}${stderr}`.trim()));
      } else {
        resolve(`${stdout}${stderr}`);
      }
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function tail(file: string, lines: number): Promise<string> {
  const text = await fsp.readFile(file, "utf8").catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
}

export async function startProsody(opts: ProsodyOptions): Promise<ProsodyInstance> {
  const host = opts.host ?? "example.test";
  const temporary = opts.dir === undefined;
  const dir = opts.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), "sb-prosody-")));
  if (temporary) liveDirs.add(dir);
  installExitHook();
  const free = await getFreePorts(opts.c2sPort === undefined ? 2 : 1);
  const c2sPort = opts.c2sPort ?? free.shift()!;
  const componentPort = free.find((p) => p !== c2sPort);
  if (componentPort === undefined) throw new Error("getFreePorts returned the client port again");
  const configFile = path.join(dir, "prosody.cfg.lua");
  const logFile = path.join(dir, "prosody.log");
  const consoleFile = path.join(dir, "console.log");
  const pidFile = path.join(dir, "prosody.pid");
  await fsp.mkdir(path.join(dir, "data"), { recursive: true });
  await fsp.mkdir(path.join(dir, "certs"), { recursive: true });
  const config = { dir, host, c2sPort, c2sInterfaces: opts.c2sInterfaces, componentPort, components: opts.components, tls: opts.tls };
  await fsp.writeFile(configFile, prosodyConfigText(config));

  let child: ChildProcess | null = null;
  let stopped = false;
  let finalLog: string | null = null;

  const register = async (username: string, password: string): Promise<void> => {
    await run(PROSODYCTL, ["--config", configFile, "register", username, host, password], dir);
  };

  const logText = async (): Promise<string> => {
    if (finalLog !== null) return finalLog;
    const [main, cons] = await Promise.all([
      fsp.readFile(logFile, "utf8").catch(() => ""),
      fsp.readFile(consoleFile, "utf8").catch(() => ""),
    ]);
    return cons.trim() ? `${main}\n--- console ---\n${cons}` : main;
  };

  const launch = async (): Promise<void> => {
    const out = fs.openSync(consoleFile, "a");
    let proc: ChildProcess;
    try {
      proc = spawn(PROSODY, ["-F", "--config", configFile], { cwd: dir, stdio: ["ignore", out, out], detached: opts.detached === true });
    } finally {
      fs.closeSync(out);
    }
    child = proc;
    live.add(proc);
    proc.unref(); // a forgotten stop() must not keep the process alive; the exit hook kills it
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let spawnError: Error | null = null;
    proc.once("error", (err) => {
      spawnError = err;
    });
    proc.once("exit", (code, signal) => {
      exited = { code, signal };
      live.delete(proc);
      if (child === proc) child = null;
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (spawnError !== null) {
        throw new Error(`could not run ${PROSODY}: ${(spawnError as Error).message} (is Prosody installed?)`);
      }
      if (exited !== null) {
        const { code, signal } = exited;
        throw new Error(
          `Prosody exited during start (code ${code ?? "-"}, signal ${signal ?? "-"}); log tail:\n` +
            `${await tail(logFile, 30)}\n${await tail(consoleFile, 30)}`.trim(),
        );
      }
      // Prosody opens the component port only when a Component is configured.
      if ((await canConnect(c2sPort)) && (opts.components.length === 0 || (await canConnect(componentPort)))) return;
      if (Date.now() > deadline) {
        await terminate(proc);
        throw new Error(`Prosody did not open ports ${c2sPort}/${componentPort} within ${START_TIMEOUT_MS} ms; log tail:\n${await tail(logFile, 30)}`);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  };

  const terminate = async (proc: ChildProcess): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    let exited = false;
    const gone = new Promise<void>((resolve) =>
      proc.once("exit", () => {
        exited = true;
        resolve();
      }),
    );
    const hadPidfile = fs.existsSync(pidFile);
    proc.kill("SIGTERM"); // graceful: clients get <system-shutdown/>, storage is closed
    // Prosody removes its pidfile once shutdown is complete, then idles ~1 s in its event loop
    // before exiting (a timer in net.server_epoll). Nothing is left to lose by then: cut it short.
    const deadline = Date.now() + STOP_GRACE_MS;
    while (!exited && Date.now() < deadline) {
      if (hadPidfile && !fs.existsSync(pidFile)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!exited) proc.kill("SIGKILL");
    // A ref'd timer: the child is unref'd, and this wait must keep the process alive.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
    clearTimeout(timer);
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    if (proc) await terminate(proc);
    child = null;
  };

  const removeDir = async (): Promise<void> => {
    if (!temporary) return;
    if (!process.env.SB_KEEP_PROSODY) await fsp.rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };

  try {
    await Promise.all((opts.users ?? []).map((u) => register(u.username, u.password)));
    await launch();
  } catch (err) {
    await halt();
    finalLog = await logText();
    await removeDir();
    throw err;
  }

  return {
    host,
    c2sPort,
    componentPort,
    dir,
    register,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    get pid() {
      return child?.pid;
    },
    logText,
    async restart() {
      if (stopped) throw new Error("Prosody was stopped; restart() needs an instance that was not stopped");
      await halt();
      await launch();
    },
    async halt() {
      if (stopped) throw new Error("Prosody was stopped; halt() needs an instance that was not stopped");
      await halt();
    },
    async resume() {
      if (stopped) throw new Error("Prosody was stopped; resume() needs an instance that was not stopped");
      if (child !== null) return;
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      finalLog = await logText();
      await removeDir();
    },
  };
}
