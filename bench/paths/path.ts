// What one benchmark path is: how its messages enter the system and where their arrival is seen.
// The runner drives every path the same way (warm-up, windowed run, paced run), so a new network
// is one small file that returns a Channel.
import type { BenchEnv } from "../env/environment.ts";
import { seqOf, type Recorder } from "../load/recorder.ts";
import { attr } from "../xmpp/stanzaScanner.ts";

export interface Channel {
  /** Independent senders; each keeps its own window of messages in flight. */
  readonly lanes: number;
  /** Sends messages `seqs` from `lane`, calling rec.markSent(seq) as each goes out. */
  send(lane: number, seqs: number[]): void;
  /** Something that means the numbers are wrong (an error stanza, a refused webhook). */
  failure(): string | undefined;
  /** Stops observing arrivals. */
  close(): void;
}

export interface PathSettings {
  /** Distinct contacts each user talks to: conversations are what the gateway parallelises over. */
  contactsPerUser: number;
  /** Webhook requests in flight at once, for paths that start at a network's webhook. */
  webhookConcurrency: number;
  /** SMTP sessions held open into the gateway's inbound listener, each sending mail after mail. */
  smtpSessions: number;
  /**
   * XMPP users ask for a delivery receipt (XEP-0184) with every message, as Conversations, Gajim
   * and Dino do: the gateway then turns each network's delivery report into a receipt stanza.
   */
  receipts: boolean;
}

/** A limit the network itself puts on a path, which no gateway can beat (Telegram's flood limits). */
export interface NetworkLimit {
  /** Messages per second at most, with these settings. */
  rate: number;
  why: string;
}

export interface BenchPath {
  id: string;
  label: string;
  /** False for the Prosody-only baseline: no gateway process runs. */
  usesGateway: boolean;
  /** Opens a channel whose arrivals are recorded in `rec` for bodies tagged `tag`. */
  open(env: BenchEnv, rec: Recorder, tag: string, settings: PathSettings): Channel;
  /**
   * One-time setup on the network's side before the path's first run (with a gateway running and
   * the users registered), unmeasured: e.g. Telegram users writing to the bot first.
   */
  prepare?(env: BenchEnv, settings: PathSettings): Promise<void>;
  /**
   * Stop offering this path's messages after this many seconds, when that is sooner than
   * --max-seconds: for a path the network itself makes slow, whose rate a short run measures as well.
   */
  maxSeconds?: number;
  /** The network's own ceiling for this path, when it has one. */
  networkLimit?(env: BenchEnv, settings: PathSettings): NetworkLimit;
}

/** Collects the first error seen by any observer, for Channel.failure(). */
export class FirstError {
  private text: string | undefined;
  set(text: string): void {
    this.text ??= text.length > 600 ? `${text.slice(0, 600)}…` : text;
  }
  get(): string | undefined {
    return this.text;
  }
}

/**
 * A client listener's `error` for one run. An error for one of this run's messages (id
 * `<tag>-<seq>`, or none) fails the run. One for an earlier run's message — a fresh gateway
 * retrying what an earlier row left queued, and failing — belongs to that row: it is printed (the
 * first one per run) but says nothing about this run's numbers.
 */
export function errorHandler(errors: FirstError, tag: string, username: string): (stanza: string) => void {
  let reported = false;
  return (stanza) => {
    const id = attr(stanza.slice(0, stanza.indexOf(">") + 1), "id");
    const seq = id?.startsWith(`${tag}-`) ? id.slice(tag.length + 1) : undefined;
    if (id === undefined || (seq !== undefined && /^\d+$/.test(seq))) return errors.set(`${username} got an error: ${stanza}`);
    if (reported) return;
    reported = true;
    process.stderr.write(`[bench] ${username} got an error for a message of an earlier run (not this run's "${tag}"): ${stanza.slice(0, 600)}\n`);
  };
}

/**
 * Which of a lane's `n` conversations message `seq` belongs to. Not `seq % n`: the paced run
 * hands out sequence numbers round-robin over the lanes, so `seq % n` would give each lane only
 * n / lanes of its conversations (2 of 16 with 8 users) and measure a few busy conversations
 * instead of the load the windowed rows offer. A multiplicative hash spreads every lane's
 * messages over all its conversations in both runs.
 */
export function conversationOf(seq: number, n: number): number {
  return (Math.imul(seq, 0x9e3779b1) >>> 16) % n;
}

/**
 * Makes every benchmark user's socket count the arrival of this run's messages (bodies tagged
 * `tag`) and report any error stanza; returns where the first error is kept.
 */
export function countArrivalsAtUsers(env: BenchEnv, rec: Recorder, tag: string): FirstError {
  const errors = new FirstError();
  for (const u of env.users) {
    u.client.listener = {
      body: (body, _from, t) => {
        const seq = seqOf(tag, body);
        if (seq >= 0) rec.markDone(seq, t);
      },
      error: errorHandler(errors, tag, u.username),
      presence: () => {},
    };
  }
  return errors;
}
