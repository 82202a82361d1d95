// What the run sent on one stream, message by message.
import type { StreamId } from "../types.ts";
import { sleep } from "../util.ts";

export interface SentRecord {
  n: number;
  marker: string;
  /** When the message was due (the stream's steady pace). */
  dueAt: number;
  /** First attempt. */
  startedAt: number;
  /** Outbound: the stanza was written to the user's server. */
  sentAt: number | undefined;
  /** Inbound: the network's delivery was acknowledged (2xx / 250 / queued at Telegram). */
  acceptedAt: number | undefined;
  /** Inbound: deliveries until acknowledged. */
  attempts: number;
  /** Inbound: deliveries repeated after the acknowledgement, as if it had been lost. */
  resends: number;
  /** Inbound: the gateway refused it for good (4xx webhook, 5xx SMTP). */
  refused: string | undefined;
  /** Inbound: the network's id (MessageSid, Telegram message_id, Message-ID without brackets). */
  networkId: string | undefined;
}

export class StreamLog {
  readonly records: SentRecord[] = [];
  done = false;

  constructor(readonly stream: StreamId) {}

  add(n: number, marker: string, dueAt: number): SentRecord {
    const r: SentRecord = { n, marker, dueAt, startedAt: Date.now(), sentAt: undefined, acceptedAt: undefined, attempts: 0, resends: 0, refused: undefined, networkId: undefined };
    this.records.push(r);
    return r;
  }
}

/** One stream's schedule: message n is due at start + n × interval; `signal` ends it early. */
export interface StreamPlan {
  run: number;
  count: number;
  start: number;
  intervalMs: number;
  signal: AbortSignal;
}

/** The steady pace: message n of a stream is due at start + n × interval. */
export function dueAt(start: number, intervalMs: number, n: number): number {
  return start + n * intervalMs;
}

export async function waitUntilDue(at: number): Promise<void> {
  await sleep(at - Date.now());
}

/** How long a network waits before delivering again: 200 ms growing to 2 s. */
export function redeliveryDelay(attempt: number): number {
  return Math.min(2_000, 200 * 1.5 ** (attempt - 1));
}
