// The gateway as a child process (`switchboard start`) at log level trace, so a crash shows as the
// process exiting and every log line can be searched for secrets afterwards. Restarted after a
// crash so the rest of the run still means something.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Exit {
  code: number | null;
  signal: string | null;
  at: number;
  tail: string;
}

export class GatewayProcess {
  #child: ChildProcess | undefined;
  readonly #chunks: string[] = [];
  #size = 0;
  readonly exits: Exit[] = [];
  #stopping = false;

  constructor(
    private readonly configPath: string,
    private readonly healthUrl: string,
    private readonly logLevel = "trace",
  ) {}

  /** Everything the process (and its predecessors) wrote to stdout and stderr. */
  get log(): string {
    return this.#chunks.join("");
  }

  get logBytes(): number {
    return this.#size;
  }

  get alive(): boolean {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  tail(chars = 3000): string {
    return this.log.slice(-chars);
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.#stopping = false;
    const child = spawn(process.execPath, [path.join(ROOT, "bin/switchboard.js"), "start", "--config", this.configPath], {
      cwd: path.dirname(this.configPath),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SB_LOG_LEVEL: this.logLevel },
    });
    const collect = (d: Buffer) => {
      const s = d.toString("utf8");
      this.#chunks.push(s);
      this.#size += s.length;
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    child.once("exit", (code, signal) => {
      if (!this.#stopping) this.exits.push({ code, signal, at: Date.now(), tail: this.tail() });
    });
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`gateway exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${this.tail()}`);
      const res = await fetch(this.healthUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`gateway not healthy after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.alive) return;
    this.#stopping = true;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
