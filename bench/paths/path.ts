// What one benchmark path is: how its messages enter the system and where their arrival is seen.
// The runner drives every path the same way (warm-up, windowed run, paced run), so a new network
// is one small file that returns a Channel.
import type { BenchEnv } from "../env/environment.ts";
import type { Recorder } from "../load/recorder.ts";

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
}

export interface BenchPath {
  id: string;
  label: string;
  /** False for the Prosody-only baseline: no gateway process runs. */
  usesGateway: boolean;
  /** Opens a channel whose arrivals are recorded in `rec` for bodies tagged `tag`. */
  open(env: BenchEnv, rec: Recorder, tag: string, settings: PathSettings): Channel;
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
