// The benchmark's sequence: Prosody alone (the ceiling), each gateway path with a fresh gateway
// process, the paced run, then the scale run. Gateway paths are listed once, here.
import type { BenchEnv } from "./env/environment.ts";
import type { BenchOptions } from "./options.ts";
import { emailToXmpp } from "./paths/emailToXmpp.ts";
import { prosodyOnly } from "./paths/prosodyOnly.ts";
import { smsToXmpp } from "./paths/smsToXmpp.ts";
import { telegramToXmpp } from "./paths/telegramToXmpp.ts";
import { xmppToEmail } from "./paths/xmppToEmail.ts";
import { xmppToSms } from "./paths/xmppToSms.ts";
import { xmppToTelegram } from "./paths/xmppToTelegram.ts";
import type { BenchPath } from "./paths/path.ts";
import { settle } from "./env/settle.ts";
import { findProfile, summariseProfile } from "./report/profile.ts";
import type { PathRow } from "./report/model.ts";
import { measurePaced, measureWindowed, type LoadSettings, type Measurement } from "./runner.ts";
import { runScale, type ScaleResult } from "./scale/scaleRun.ts";

export const MIN_CEILING_MESSAGES = 20_000;

/** Every gateway path, measured in this order. */
const GATEWAY_PATHS: BenchPath[] = [xmppToSms, smsToXmpp, xmppToTelegram, telegramToXmpp, xmppToEmail, emailToXmpp];

export interface SuiteResult {
  rows: PathRow[];
  scale?: ScaleResult;
}

export async function runSuite(env: BenchEnv, o: BenchOptions, log: (s: string) => void): Promise<SuiteResult> {
  const load: LoadSettings = {
    contactsPerUser: o.contactsPerUser,
    webhookConcurrency: o.webhookConcurrency,
    smtpSessions: o.smtpSessions,
    receipts: o.receipts,
    window: o.window,
    maxSeconds: o.maxSeconds,
    drainSeconds: o.drainSeconds,
    stallSeconds: 30,
  };
  const rows: PathRow[] = [];

  // The ceiling needs a run long enough to time: at 1000 messages Prosody is done in 50 ms,
  // mostly the first window's burst.
  const ceilingMessages = Math.max(o.messages, MIN_CEILING_MESSAGES);
  log(`${prosodyOnly.label}: ${o.warmup} warm-up + ${ceilingMessages} messages`);
  const warm = o.warmup > 0 ? await measureWindowed(env, prosodyOnly, "p1w", o.warmup, load) : undefined;
  if (warm?.aborted) throw new Error(`Prosody alone failed during the warm-up: ${warm.aborted}`);
  const ceiling = await measureWindowed(env, prosodyOnly, "p1", ceilingMessages, load);
  rows.push({ id: prosodyOnly.id, label: prosodyOnly.label, kind: "windowed", measurement: ceiling });
  log(`${prosodyOnly.label}: ${describe(ceiling)}`);
  const ratio = (m: Measurement) => (ceiling.summary.rate > 0 ? m.summary.rate / ceiling.summary.rate : undefined);

  let registered = false;
  const prepared = new Set<BenchPath>();
  /** `warm`: the warm-up, when it must look like the run (default: a windowed run of `--warmup` messages). */
  const withGateway = async (
    id: string,
    label: string,
    warmupPath: BenchPath,
    run: () => Promise<Measurement>,
    warm?: () => Promise<Measurement>,
  ): Promise<PathRow> => {
    log(`${label}: starting a fresh gateway`);
    const started = await env.startGateway();
    if (!registered) {
      log("registering the users with the SMS, Telegram and email gateways");
      await env.registerUsers();
      registered = true;
    }
    if (warmupPath.prepare && !prepared.has(warmupPath)) {
      log(`${label}: preparing the network's side`);
      await warmupPath.prepare(env, load);
      prepared.add(warmupPath);
    }
    const gateway = env.gateway!;
    const warmupLoad: LoadSettings = { ...load, maxSeconds: Math.min(load.maxSeconds, warmupPath.maxSeconds ?? Number.POSITIVE_INFINITY) };
    const warmup = o.warmup > 0 ? await (warm ? warm() : measureWindowed(env, warmupPath, `${id}w`, o.warmup, warmupLoad)) : undefined;
    // A warm-up that could not finish says all there is to say; the run would only repeat it.
    let measurement: Measurement;
    if (warmup?.aborted) {
      measurement = { ...warmup, aborted: `during the warm-up: ${warmup.aborted}` };
    } else {
      const settled = await settle(env.db.url);
      log(`${label}: warm-up's aftermath worked through in ${settled.ms.toFixed(0)} ms${settled.left ? ` (${settled.left} parts or events still open)` : ""}; measuring`);
      measurement = await run();
    }
    const peakRss = gateway.memory()?.peakRss ?? Number.NaN;
    const stopped = await env.stopGateway();
    log(`${label}: ${describe(measurement)}; gateway stopped in ${stopped?.shutdownMs.toFixed(0)} ms${stopped?.killed ? " (killed)" : ""}`);
    const row: PathRow = {
      id,
      label,
      kind: "windowed",
      measurement,
      gateway: { startupMs: started.startupMs, startupPeakRss: started.startupPeakRss, peakRss, shutdownMs: stopped?.shutdownMs ?? Number.NaN },
    };
    if (env.profileDir) {
      const file = findProfile(env.profileDir, gateway.pid);
      if (file) row.profile = summariseProfile(file);
    }
    return row;
  };

  const wanted = (id: string) => o.only === undefined || o.only.has(id);
  for (const path of GATEWAY_PATHS) {
    if (!wanted(path.id)) continue;
    const pathLoad: LoadSettings = { ...load, maxSeconds: Math.min(load.maxSeconds, path.maxSeconds ?? Number.POSITIVE_INFINITY) };
    const row = await withGateway(path.id, path.label, path, () => measureWindowed(env, path, path.id, o.messages, pathLoad));
    const r = ratio(row.measurement);
    if (r !== undefined) row.ratioToProsody = r;
    const limit = path.networkLimit?.(env, load);
    if (limit) row.networkLimit = { ...limit, share: row.measurement.summary.rate / limit.rate, ratioToProsody: ceiling.summary.rate > 0 ? limit.rate / ceiling.summary.rate : Number.NaN };
    rows.push(row);
  }

  if (o.compareNoCallbacks) {
    env.tap.statusCallbacks = false;
    try {
      const row = await withGateway("xmpp-sms-nocb", `${xmppToSms.label}, no status callbacks`, xmppToSms, () =>
        measureWindowed(env, xmppToSms, "nocb", o.messages, load),
      );
      const r = ratio(row.measurement);
      if (r !== undefined) row.ratioToProsody = r;
      rows.push(row);
    } finally {
      env.tap.statusCallbacks = true;
    }
  }

  if (wanted("paced")) {
    const pacedLabel = `XMPP → SMS paced ${o.pacedRate}/s`;
    // Warmed up at its own pace: a windowed burst keeps every conversation's drain busy, so the
    // code an idle conversation takes (the intake's hand-over) would be cold in the first second.
    // For 3 s at least: after only 1 s, the first ~1.5 s measured were still 2-4× slower at the
    // tail (the gateway's code still being optimised, on cores the load shares).
    const warmSeconds = Math.min(o.pacedSeconds, Math.max(3, o.warmup / o.pacedRate));
    const paced = await withGateway(
      "xmpp-sms-paced",
      pacedLabel,
      xmppToSms,
      () => measurePaced(env, xmppToSms, "pc", o.pacedRate, o.pacedSeconds, load),
      () => measurePaced(env, xmppToSms, "pcw", o.pacedRate, warmSeconds, load),
    );
    paced.kind = "paced";
    rows.push(paced);
  }

  if (o.skipScale) return { rows };
  const scale = await runScale(
    env,
    load,
    { users: o.scaleUsers, contacts: o.scaleContacts, probeMessages: o.scaleProbe, warmup: o.warmup },
    log,
  );
  return { rows, scale };
}

function describe(m: Measurement): string {
  const s = m.summary;
  return `${s.completed}/${s.offered} in ${s.seconds.toFixed(1)} s = ${s.rate.toFixed(0)} msg/s, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms${m.aborted ? `, ABORTED: ${m.aborted}` : ""}`;
}
