// The gateway as its own process (`node bin/switchboard.js start`), so it has its own event loop
// and its peak RSS and CPU time can be read from /proc. Its log goes straight to a file.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cpuSecondsOf, memoryOf } from "./procStats.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "bin/switchboard.js");
const STARTUP_TIMEOUT_MS = 120_000;
// The gateway forces its own exit after 15 s of shutdown; past that it is stuck.
const STOP_TIMEOUT_MS = 20_000;
export const DEPLOYED_NODE_FLAGS = "--max-semi-space-size=32";

export interface GatewayProcessOptions {
  configPath: string;
  healthUrl: string;
  logFile: string;
  /** Write a V8 CPU profile into this directory when the process exits. */
  profileDir?: string;
}

export class GatewayProcess {
  private exitInfo: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly spawnedAt: number,
    private readonly logFile: string,
  ) {
    child.once("exit", (code, signal) => {
      this.exitInfo = `the gateway process exited (code ${code ?? "-"}, signal ${signal ?? "-"}); log: ${logFile}`;
    });
  }

  /** Applies migrations with the real CLI, as an operator would before the first start. */
  static migrate(configPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [CLI, "migrate", "--config", configPath], { cwd: path.dirname(configPath), timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`switchboard migrate failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
      );
    });
  }

  /** Spawns `switchboard start` and resolves once /healthz answers 200 (startupMs is spawn → 200). */
  static async start(opts: GatewayProcessOptions): Promise<{ gateway: GatewayProcess; startupMs: number }> {
    // The young-generation size the README's service unit sets: the benchmark measures a gateway
    // deployed as documented.
    const nodeFlags = [DEPLOYED_NODE_FLAGS, ...(opts.profileDir ? ["--cpu-prof", "--cpu-prof-dir", opts.profileDir] : [])];
    const log = fs.openSync(opts.logFile, "a");
    const spawnedAt = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...nodeFlags, CLI, "start", "--config", opts.configPath], {
        cwd: path.dirname(opts.configPath),
        stdio: ["ignore", log, log],
        env: { ...process.env },
      });
    } finally {
      fs.closeSync(log);
    }
    if (child.pid === undefined) throw new Error("could not spawn the gateway process");
    const gateway = new GatewayProcess(child, child.pid, spawnedAt, opts.logFile);
    const deadline = spawnedAt + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (gateway.exitInfo) throw new Error(`${gateway.exitInfo}\n${gateway.logTail()}`);
      const status = await fetch(opts.healthUrl).then((r) => r.status, () => 0);
      if (status === 200) return { gateway, startupMs: performance.now() - spawnedAt };
      if (performance.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the gateway did not become healthy within ${STARTUP_TIMEOUT_MS} ms\n${gateway.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Set once the process has exited: why, for the benchmark to stop on. */
  get failure(): string | undefined {
    return this.exitInfo;
  }

  memory() {
    return memoryOf(this.pid);
  }

  cpuSeconds(): number | undefined {
    return cpuSecondsOf(this.pid);
  }

  /** SIGTERM (graceful: goodbye presences, queue stopped), SIGKILL if it hangs. */
  async stop(): Promise<{ shutdownMs: number; killed: boolean }> {
    const t0 = performance.now();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return { shutdownMs: 0, killed: false };
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (timedOut) {
      this.child.kill("SIGKILL");
      await exited;
    }
    return { shutdownMs: performance.now() - t0, killed: timedOut };
  }

  /** Kills without ceremony (cleanup after a failure). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  logTail(lines = 30): string {
    try {
      return fs.readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
}
