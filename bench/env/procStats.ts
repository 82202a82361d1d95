// Linux /proc readers: a process's peak resident set and CPU time, and the whole machine's CPU.
import fs from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ; 100 on every Linux this runs on (getconf CLK_TCK)

/** VmHWM (peak RSS) and VmRSS in bytes, or undefined when the process is gone. */
export function memoryOf(pid: number): { peakRss: number; rss: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN) * 1024;
  return { peakRss: kb("VmHWM"), rss: kb("VmRSS") };
}

/** User + system CPU seconds the process has used, or undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** System calls that wrote (sockets, files) so far: per message, a proxy for round trips. */
export function writeSyscallsOf(pid: number): number | undefined {
  try {
    const m = /^syscw:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine since boot (all cores). */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** CPU use over an interval, as "cores busy" (1.0 = one core fully used). */
export class CpuMeter {
  private readonly t0 = performance.now();
  private readonly machine0 = machineCpu();
  private readonly self0 = process.cpuUsage();
  private readonly start = new Map<number, number>();

  /** `groups` names sets of processes whose CPU is summed (a server and its children). */
  constructor(private readonly groups: Record<string, number[]>) {
    for (const pids of Object.values(groups)) for (const pid of pids) this.start.set(pid, cpuSecondsOf(pid) ?? 0);
  }

  /**
   * Cores busy per group, for this benchmark process ("bench"), the whole machine, and "other":
   * the machine minus all of those — load that is not the benchmark's on a shared machine; and
   * "interval", the seconds measured.
   */
  read(): Record<string, number> {
    const seconds = (performance.now() - this.t0) / 1000;
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [name, pids] of Object.entries(this.groups)) {
      if (pids.length === 0) continue;
      let used = 0;
      for (const pid of pids) {
        const now = cpuSecondsOf(pid);
        if (now !== undefined) used += now - (this.start.get(pid) ?? 0);
      }
      out[name] = used / seconds;
      ours += used;
    }
    const self = process.cpuUsage(this.self0);
    const bench = (self.user + self.system) / 1e6;
    out.bench = bench / seconds;
    const machine = machineCpu().busy - this.machine0.busy;
    out.machine = machine / seconds;
    out.other = Math.max(0, machine - ours - bench) / seconds;
    // /proc counts in 10 ms ticks: over a short interval these figures are mostly rounding.
    out.interval = seconds;
    return out;
  }
}
