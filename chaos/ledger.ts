// Everything the run did to the system, with times: disruptions, injected faults, and every call
// the gateway made to a network to send a message (did the network take it, did the answer reach
// the gateway). The analysis explains each anomaly from these records.
import type { Network } from "./types.ts";

export type FaultKind =
  | "gateway-kill"
  | "gateway-crash"
  | "prosody-restart"
  | "db-cut"
  | "api-429"
  | "api-500"
  | "api-hang"
  | "api-lost-answer"
  | "api-held-at-kill"
  | "api-hung-in-flight"
  | "poll-lost-answer"
  | "smtp-451-rcpt"
  | "smtp-451-data"
  | "smtp-drop"
  | "smtp-lost-250"
  | "smtp-held-at-kill"
  | "inbound-resend";

export interface Fault {
  at: number;
  /** For disruptions with a duration (kill → healthy again, Prosody halt → resumed). */
  end?: number;
  kind: FaultKind;
  network?: Network;
  /** The message it hit, when known. */
  marker?: string;
  detail?: string;
}

/** One attempt by the gateway to hand a message to a network, as seen between the two. */
export interface SendCall {
  network: Network;
  marker: string | undefined;
  at: number;
  /** When the network's answer came back (undefined: it never did). */
  answeredAt: number | undefined;
  /** HTTP status, SMTP reply code, or "none" (no answer: hung, dropped, client gone). */
  answer: number | "none";
  /** The network kept the message (Twilio 201, Bot API ok, relay 250). */
  taken: boolean;
  /** The answer was written back to the gateway. */
  reachedGateway: boolean;
  /** When the exchange was over (answered, cut, or the gateway went away). */
  endedAt: number;
  fault: FaultKind | undefined;
}

export class Ledger {
  readonly faults: Fault[] = [];
  readonly calls: SendCall[] = [];
  /** Twilio message-list lookups (findSent) the gateway made. */
  lookups: Array<{ at: number; status: number | "none" }> = [];

  fault(f: Fault): Fault {
    this.faults.push(f);
    return f;
  }

  call(c: SendCall): void {
    this.calls.push(c);
  }

  count(kind: FaultKind, network?: Network): number {
    return this.faults.filter((f) => f.kind === kind && (network === undefined || f.network === network)).length;
  }

  of(...kinds: FaultKind[]): Fault[] {
    return this.faults.filter((f) => kinds.includes(f.kind));
  }
}
