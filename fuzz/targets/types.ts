// A network's inbound surface (webhooks today; an SMTP listener later), as a list of hostile
// cases. One file per network implements NetworkTarget; index.ts lists them.
import type { Rng } from "../../test/support/rng.ts";
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { ProbeResult } from "../http/request.ts";

export interface InboundCase {
  category: string;
  /** What was sent, short, for the report. */
  describe: string;
  send(): Promise<ProbeResult>;
  /** Answers that are right for this input. */
  expect: number[];
  /** The input proves nothing about its origin (bad/missing signature): a 2xx is an access violation. */
  unauthenticated?: boolean;
  /**
   * "smtp": `code` is an SMTP reply code, and 5xx is a normal refusal; 421 and 451 (the listener
   * giving up, the core failing to store) count as the gateway's own failure. Default "http".
   */
  protocol?: "http" | "smtp";
  /** A 4xx without a body is fine here (the HTTP server's own answer to broken HTTP). */
  reasonOptional?: boolean;
  /** Checked after the answer (e.g. the message was delivered exactly once); returns problems. */
  verify?(result: ProbeResult): Promise<string[]>;
}

export interface PoisonCase {
  describe: string;
  /** Sends the input; resolves once it was answered. */
  send(): Promise<ProbeResult>;
  /** Who should receive it, to wait for delivery before checking liveness. */
  expectDelivered?(): Promise<boolean>;
  /** Whether an ordinary message for another user, sent right behind the input, got through (a problem text if not). */
  collateral?(): Promise<string | undefined>;
  /** Removes whatever the input left queued, so the next case starts clean. */
  heal(): Promise<string>;
}

export interface NetworkTarget {
  name: string;
  /** Random hostile inputs against this network's inbound surface. */
  cases(rng: Rng, count: number, env: FuzzEnv): Promise<InboundCase[]>;
  /** Fixed inputs that must be answered right (replays, cross-account forgeries…). */
  fixed(env: FuzzEnv): Promise<InboundCase[]>;
  /** Inputs that may break the gateway for good: run last, one at a time, each with liveness after it. */
  poison?(env: FuzzEnv): PoisonCase[];
}
