// The vocabulary of the chaos run: networks, directions, message markers.

export type Network = "sms" | "telegram" | "email";
/** out: XMPP user → network; in: network → XMPP user. */
export type Direction = "out" | "in";

export const NETWORKS: readonly Network[] = ["sms", "telegram", "email"];
export const DIRECTIONS: readonly Direction[] = ["out", "in"];

export interface StreamId {
  network: Network;
  direction: Direction;
}

export const streamName = (s: StreamId): string => `${s.network}-${s.direction}`;

/** The body (and XMPP id) of numbered message `n`: `c<run>-sms-out-17`. */
export const marker = (run: number, s: StreamId, n: number): string => `c${run}-${s.network}-${s.direction}-${n}`;

const MARKER = /c(\d+)-(sms|telegram|email)-(in|out)-(\d+)/;
const MARKERS = new RegExp(MARKER.source, "g");

export interface ParsedMarker extends StreamId {
  run: number;
  n: number;
  text: string;
}

export function parseMarker(text: string | null | undefined): ParsedMarker | undefined {
  const m = MARKER.exec(text ?? "");
  if (!m) return undefined;
  return { run: Number(m[1]), network: m[2] as Network, direction: m[3] as Direction, n: Number(m[4]), text: m[0] };
}

export function allMarkers(text: string): string[] {
  return [...text.matchAll(MARKERS)].map((m) => m[0]);
}

/**
 * The marker of the numbered outbound message in a network request: a mail also names earlier
 * mails of the thread (In-Reply-To, References) by Message-ID, which carry inbound markers.
 */
export function outboundMarker(text: string, network: Network): string | undefined {
  return allMarkers(text).find((m) => m.includes(`-${network}-out-`));
}
