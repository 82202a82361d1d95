// The benchmark's results, as printed and as written with --json.
import type { MachineFacts } from "../machine.ts";
import type { Measurement, PacedMeasurement } from "../runner.ts";
import type { ScaleResult } from "../scale/scaleRun.ts";
import type { ProfileSummary } from "./profile.ts";

export interface GatewayRun {
  startupMs: number;
  /** VmHWM right after /healthz first answered 200. */
  startupPeakRss: number;
  /** VmHWM after the measured run (the process was started fresh for this path). */
  peakRss: number;
  shutdownMs: number;
}

export interface PathRow {
  id: string;
  label: string;
  kind: "windowed" | "paced";
  measurement: Measurement | PacedMeasurement;
  /** This path's rate over the Prosody-alone rate of the same run. */
  ratioToProsody?: number;
  /** The network's own ceiling for this path (Telegram's flood limits), and how close the run came. */
  networkLimit?: {
    rate: number;
    why: string;
    /** Measured rate ÷ the limit. */
    share: number;
    /** The limit ÷ the Prosody-alone rate: the best ratio this path could show. */
    ratioToProsody: number;
  };
  gateway?: GatewayRun;
  profile?: ProfileSummary;
}

export interface Target {
  what: string;
  target: string;
  value: string;
  met: boolean | null;
}

export const UNITS = {
  latency: "ms (p50, p95, p99, max, startupMs, shutdownMs, drainMs, announceMs, quietMs)",
  rate: "messages per second",
  memory: "bytes (peakRss, startupPeakRss)",
  cpu: "cores busy over the run; interval in seconds",
} as const;

export interface BenchReport {
  units: typeof UNITS;
  startedAt: string;
  seconds: number;
  machine: MachineFacts;
  settings: Record<string, unknown>;
  rows: PathRow[];
  scale?: ScaleResult;
  targets: Target[];
  notes: string[];
}
