// The scale run: the same gateway measurements on the benchmark's database (twice, to see the
// noise), then again after inserting many registered users with many contacts: startup time and
// RSS, how long the startup presence announce to every registered user takes, how long until the
// gateway and the XMPP server have worked through the start-up's presence (and are idle), and
// then per-message latency of a small XMPP → SMS run sending one message at a time (no queueing,
// so a hiccup on a shared machine delays one message, not a backlog).
import { SMS_DOMAIN, type BenchEnv } from "../env/environment.ts";
import { measureWindowed, type LoadSettings, type Measurement } from "../runner.ts";
import { xmppToSms } from "../paths/xmppToSms.ts";
import { attr } from "../xmpp/stanzaScanner.ts";
import { seedScale, type SeedResult } from "./seed.ts";
import { waitForQuiet } from "../env/quiet.ts";

const ANNOUNCE_TIMEOUT_MS = 180_000;

export interface ScaleCondition {
  label: string;
  startupMs: number;
  startupPeakRss: number;
  /** Spawn → the last benchmark user (sorted after every other user) got the gateway's presence. */
  announceMs: number;
  /** Gateway CPU seconds used from spawn until then. */
  cpuSecondsToAnnounce: number;
  /**
   * Spawn → the gateway and the XMPP server both idle (under 0.1 core for 0.5 s): the start-up's
   * presence work done. The latency probe starts after it. NaN: still busy after a minute.
   */
  quietMs: number;
  probe: Measurement;
  peakRss: number;
  shutdownMs: number;
  shutdownKilled: boolean;
}

export interface ScaleResult {
  seed: SeedResult;
  baseline: ScaleCondition;
  /** The baseline measured again on another fresh gateway: the run-to-run noise of these figures. */
  baselineRepeat: ScaleCondition;
  scaled: ScaleCondition;
}

export interface ScaleOptions {
  users: number;
  contacts: number;
  probeMessages: number;
  warmup: number;
}

export async function runScale(env: BenchEnv, load: LoadSettings, o: ScaleOptions, log: (s: string) => void): Promise<ScaleResult> {
  log("scale: baseline (benchmark users only), twice");
  const baseline = await condition(env, load, o, "bench users only", "sb");
  const baselineRepeat = await condition(env, load, o, "bench users only, again", "sr");
  log(`scale: inserting ${o.users} users × ${o.contacts} contacts`);
  const seed = await seedScale(env.db.url, o.users, o.contacts);
  log(`scale: inserted in ${seed.seconds.toFixed(1)} s; restarting the gateway`);
  const scaled = await condition(env, load, o, `+${o.users} users × ${o.contacts} contacts`, "sc");
  return { seed, baseline, baselineRepeat, scaled };
}

async function condition(env: BenchEnv, load: LoadSettings, o: ScaleOptions, label: string, tag: string): Promise<ScaleCondition> {
  await env.stopGateway();
  const heard = new Map<string, number>();
  let allHeard: () => void = () => {};
  const everyone = new Promise<void>((resolve) => (allHeard = resolve));
  for (const u of env.users) {
    u.client.listener = {
      body() {},
      error() {},
      presence(openTag, t) {
        // Available presence from the gateway itself: the startup announce reaching this user.
        if (attr(openTag, "from") !== SMS_DOMAIN || attr(openTag, "type") !== undefined || heard.has(u.username)) return;
        heard.set(u.username, t);
        if (heard.size === env.users.length) allHeard();
      },
    };
  }
  const { startupMs, startupPeakRss } = await env.startGateway();
  const gateway = env.gateway!;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    everyone,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the startup announce did not reach every benchmark user within ${ANNOUNCE_TIMEOUT_MS} ms`)), ANNOUNCE_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  const cpuSecondsToAnnounce = gateway.cpuSeconds() ?? Number.NaN;
  const announceMs = Math.max(...heard.values()) - gateway.spawnedAt;
  const prosody = env.prosodyPid();
  const waited = await waitForQuiet(prosody === undefined ? [gateway.pid] : [gateway.pid, prosody]);
  const quietMs = Number.isNaN(waited) ? Number.NaN : performance.now() - gateway.spawnedAt;
  const warmup = o.warmup > 0 ? await measureWindowed(env, xmppToSms, `${tag}w`, o.warmup, load) : undefined;
  if (warmup?.aborted) throw new Error(`scale warm-up (${label}) aborted: ${warmup.aborted}`);
  const probe = await measureWindowed(env, xmppToSms, tag, o.probeMessages, { ...load, window: 1 }, 1);
  if (probe.aborted) throw new Error(`scale probe (${label}) aborted: ${probe.aborted}`);
  const peakRss = gateway.memory()?.peakRss ?? Number.NaN;
  const stopped = (await env.stopGateway())!;
  return { label, startupMs, startupPeakRss, announceMs, cpuSecondsToAnnounce, quietMs, probe, peakRss, shutdownMs: stopped.shutdownMs, shutdownKilled: stopped.killed };
}
