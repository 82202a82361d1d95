// Runs one measurement of a path (windowed or paced) and reads what it cost: latency and rate from
// the Recorder; CPU per process, gateway write syscalls and database write transactions over the run.
import type { BenchEnv } from "./env/environment.ts";
import { dbActivity } from "./env/dbActivity.ts";
import { currentXid } from "./env/dbCounters.ts";
import { postgresPids } from "./env/postgresPids.ts";
import { CpuMeter, writeSyscallsOf } from "./env/procStats.ts";
import { figuresBetween, readGatewayFigures, type GatewayFiguresOfRun } from "./env/gatewayMetrics.ts";
import { runPaced } from "./load/paced.ts";
import { Recorder } from "./load/recorder.ts";
import { summarise, type RunSummary } from "./load/summary.ts";
import { runWindowed } from "./load/windowed.ts";
import type { BenchPath, PathSettings } from "./paths/path.ts";

export interface LoadSettings extends PathSettings {
  window: number;
  maxSeconds: number;
  drainSeconds: number;
  stallSeconds: number;
}

export interface Measurement {
  summary: RunSummary;
  /** Cores busy during the run: "gateway", "postgres", "prosody", "bench", "other", "machine". */
  cpu: Record<string, number>;
  /** Gateway CPU milliseconds per completed message. */
  gatewayCpuMsPerMsg?: number;
  /** Gateway write system calls (DB queries, HTTP, XMPP writes) per completed message. */
  gatewayWritesPerMsg?: number;
  /** Database transactions that wrote, per completed message (xids used; includes the job queue's). */
  dbWriteXactsPerMsg?: number;
  aborted?: string;
}

interface Meter {
  read(): Record<string, number>;
  gatewayCpu(): number | undefined;
  gatewayWrites(): number | undefined;
  xids(): Promise<number | undefined>;
}

async function meter(env: BenchEnv): Promise<Meter> {
  const gateway = env.gateway;
  const xid0 = gateway ? await currentXid(env.db.url) : undefined;
  const writes0 = gateway ? writeSyscallsOf(gateway.pid) : undefined;
  const gw0 = gateway?.cpuSeconds();
  const prosody = env.prosodyPid();
  const m = new CpuMeter({
    gateway: gateway ? [gateway.pid] : [],
    prosody: prosody === undefined ? [] : [prosody],
    postgres: await postgresPids(env.db.url),
  });
  const delta = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
  return {
    read: () => m.read(),
    gatewayCpu: () => delta(gateway?.cpuSeconds(), gw0),
    gatewayWrites: () => delta(gateway ? writeSyscallsOf(gateway.pid) : undefined, writes0),
    // Minus one: reading the xid takes one.
    xids: async () => delta(xid0 === undefined ? undefined : await currentXid(env.db.url), xid0 === undefined ? undefined : xid0 + 1),
  };
}

function failureOf(env: BenchEnv, channelFailure: () => string | undefined): () => string | undefined {
  const gateway = env.gateway;
  return () => channelFailure() ?? gateway?.failure;
}

/** Closed loop: `messages` messages, at most `window` in flight per lane; only the first `lanes` lanes if given. */
export async function measureWindowed(env: BenchEnv, path: BenchPath, tag: string, messages: number, s: LoadSettings, lanes?: number): Promise<Measurement> {
  const rec = new Recorder(messages);
  const channel = path.open(env, rec, tag, s);
  const cpu = await meter(env);
  try {
    const result = await runWindowed(rec, {
      total: messages,
      lanes: Math.min(lanes ?? channel.lanes, channel.lanes),
      window: s.window,
      maxSeconds: s.maxSeconds,
      drainSeconds: s.drainSeconds,
      stallSeconds: s.stallSeconds,
      send: (lane, seqs) => channel.send(lane, seqs),
      failure: failureOf(env, () => channel.failure()),
    });
    return await finish(rec, result.capped, await explain(env, result.aborted), cpu);
  } finally {
    channel.close();
  }
}

export interface PacedMeasurement extends Measurement {
  offeredRate: number;
  /** How long after the last message was offered the last one arrived. */
  drainMs: number;
  keptUp: boolean;
  /** The gateway's database round trips during the run (how many were slow) and its retried sends. */
  gatewayFigures?: GatewayFiguresOfRun;
}

/** Open loop: `rate` messages per second for `seconds`, whatever the system does. */
export async function measurePaced(env: BenchEnv, path: BenchPath, tag: string, rate: number, seconds: number, s: LoadSettings): Promise<PacedMeasurement> {
  const rec = new Recorder(Math.round(rate * seconds));
  const channel = path.open(env, rec, tag, s);
  const metricsUrl = `http://127.0.0.1:${env.httpPort}/metrics`;
  const figures0 = env.gateway ? await readGatewayFigures(metricsUrl) : undefined;
  const cpu = await meter(env);
  try {
    const result = await runPaced(rec, {
      rate,
      seconds,
      lanes: channel.lanes,
      drainSeconds: s.drainSeconds,
      send: (lane, seqs) => channel.send(lane, seqs),
      failure: failureOf(env, () => channel.failure()),
    });
    const m = await finish(rec, false, await explain(env, result.aborted), cpu);
    const drainMs = rec.completed > 0 ? Math.max(0, rec.lastDoneAt - result.offeringEndedAt) : Number.NaN;
    // Kept up: everything arrived, and the backlog left when offering stopped cleared within 1 s.
    const keptUp = !result.aborted && m.summary.lost === 0 && drainMs < 1000;
    const figures1 = figures0 ? await readGatewayFigures(metricsUrl) : undefined;
    return { ...m, offeredRate: rate, drainMs, keptUp, ...(figures0 && figures1 ? { gatewayFigures: figuresBetween(figures0, figures1) } : {}) };
  } finally {
    channel.close();
  }
}

/** An abort reason with what the database sessions were doing at that moment. */
async function explain(env: BenchEnv, aborted: string | undefined): Promise<string | undefined> {
  return aborted === undefined ? undefined : `${aborted}\ndatabase sessions then:\n${await dbActivity(env.db.url)}`;
}

async function finish(rec: Recorder, capped: boolean, aborted: string | undefined, m: Meter): Promise<Measurement> {
  const summary = summarise(rec, capped);
  const cpu = m.read();
  const gwCpu = m.gatewayCpu();
  const writes = m.gatewayWrites();
  const xids = await m.xids();
  const per = (v: number | undefined) => (v === undefined || summary.completed === 0 ? undefined : v / summary.completed);
  const out: Measurement = { summary, cpu };
  const cpuMs = per(gwCpu === undefined ? undefined : gwCpu * 1000);
  if (cpuMs !== undefined) out.gatewayCpuMsPerMsg = cpuMs;
  const w = per(writes);
  if (w !== undefined) out.gatewayWritesPerMsg = w;
  const x = per(xids);
  if (x !== undefined) out.dbWriteXactsPerMsg = x;
  if (aborted) out.aborted = aborted;
  return out;
}
