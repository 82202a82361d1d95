// The seeded schedule of disruptions over the traffic window: gateway SIGKILLs (some with a
// message in flight on chosen networks), Prosody restarts and PostgreSQL connection cuts,
// spread out so that each one's effects can be told apart.
import type { Rng } from "../../test/support/rng.ts";

export interface InFlight {
  /** hold: Twilio created the message, its 201 is held back; hang: Twilio never answers (nothing created). */
  sms: "hold" | "hang" | undefined;
  /** The Bot API posted the message; its answer is held back. */
  telegram: boolean;
  /** The relay took the mail; its 250 is held back. */
  email: boolean;
}

export type Disruption =
  | { kind: "kill"; at: number; downMs: number; inFlight: InFlight }
  | { kind: "prosody"; at: number; downMs: number }
  /** smsInFlight: a Messages.create is hung at Twilio while the connections are cut (a slow network call during a database blip). */
  | { kind: "db-cut"; at: number; smsInFlight: boolean };

export function planDisruptions(counts: { kills: number; prosodyRestarts: number; dbCuts: number }, start: number, trafficMs: number, rng: Rng): Disruption[] {
  const kinds = rng.shuffle([
    ...Array<"kill">(counts.kills).fill("kill"),
    ...Array<"prosody">(counts.prosodyRestarts).fill("prosody"),
    ...Array<"db-cut">(counts.dbCuts).fill("db-cut"),
  ]);
  if (kinds.length === 0) return [];
  const from = start + 0.08 * trafficMs;
  const slot = (0.8 * trafficMs) / kinds.length;
  let kill = 0;
  let cut = 0;
  return kinds.map((kind, i): Disruption => {
    const at = Math.round(from + slot * (i + 0.15 + 0.7 * rng.next()));
    if (kind === "db-cut") return { kind, at, smsInFlight: cut++ === 0 || rng.chance(0.5) };
    if (kind === "prosody") return { kind, at, downMs: rng.int(500, 2_500) };
    // Alternately: Twilio took the message and its answer is lost with the gateway (the
    // gateway must find it at Twilio), or Twilio never answered (the gateway must send it).
    const sms = kill++ % 2 === 0 ? "hold" : "hang";
    return { kind, at, downMs: rng.int(300, 2_000), inFlight: { sms, telegram: rng.chance(0.5), email: rng.chance(0.5) } };
  });
}
