// The gateway as a child process (`switchboard start`), so SIGKILL is real. Every incarnation
// appends its debug log to one file, behind a header line naming it; an exit nobody asked for is
// reported (a crash is a finding) and the process is started again.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sleep } from "../util.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Incarnation {
  no: number;
  pid: number | undefined;
  startedAt: number;
  healthyAt: number | undefined;
  endedAt: number | undefined;
  how: "killed" | "stopped" | "crashed" | undefined;
  exit: string | undefined;
}

export class GatewayProcess {
  readonly incarnations: Incarnation[] = [];
  #child: ChildProcess | undefined;
  #current: Incarnation | undefined;
  #log: fs.WriteStream;
  #onCrash: ((i: Incarnation) => void) | undefined;

  constructor(
    private readonly configPath: string,
    private readonly healthUrl: string,
    readonly logFile: string,
  ) {
    this.#log = fs.createWriteStream(logFile, { flags: "a" });
    // Never leave a gateway behind holding the component domains, whatever ends this process.
    process.on("exit", () => {
      if (this.alive) this.#child?.kill("SIGKILL");
    });
  }

  /** Called when the process exits without being told to. */
  onCrash(fn: (i: Incarnation) => void): void {
    this.#onCrash = fn;
  }

  get alive(): boolean {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<Incarnation> {
    const inc: Incarnation = { no: this.incarnations.length + 1, pid: undefined, startedAt: Date.now(), healthyAt: undefined, endedAt: undefined, how: undefined, exit: undefined };
    this.#log.write(`\n===== chaos: gateway incarnation ${inc.no} starting at ${new Date(inc.startedAt).toISOString()} =====\n`);
    const child = spawn(process.execPath, [path.join(ROOT, "bin/switchboard.js"), "start", "--config", this.configPath], {
      cwd: path.dirname(this.configPath),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SB_LOG_LEVEL: "debug" },
    });
    inc.pid = child.pid;
    child.stdout!.pipe(this.#log, { end: false });
    child.stderr!.pipe(this.#log, { end: false });
    child.once("exit", (code, signal) => {
      inc.endedAt = Date.now();
      inc.exit = signal ? `signal ${signal}` : `code ${code}`;
      this.#log.write(`\n===== chaos: gateway incarnation ${inc.no} (pid ${inc.pid}) exited: ${inc.exit} =====\n`);
      if (inc.how === undefined) {
        inc.how = "crashed";
        this.#onCrash?.(inc);
      }
    });
    this.#child = child;
    this.#current = inc;
    this.incarnations.push(inc);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gateway incarnation ${inc.no} exited during start (${inc.exit}); see ${this.logFile}`);
      const res = await fetch(this.healthUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`gateway incarnation ${inc.no} not healthy after ${timeoutMs} ms; see ${this.logFile}`);
      await sleep(50);
    }
    inc.healthyAt = Date.now();
    return inc;
  }

  /** SIGKILL: no goodbye, no flush, connections cut by the kernel. Resolves once it is gone. */
  async kill(): Promise<Incarnation | undefined> {
    const child = this.#child;
    const inc = this.#current;
    if (!child || !inc || !this.alive) return undefined;
    inc.how = "killed";
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
    return inc;
  }

  /** SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child;
    const inc = this.#current;
    if (!child || !inc || !this.alive) return;
    inc.how = "stopped";
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((r) => this.#log.end(() => r()));
  }
}
