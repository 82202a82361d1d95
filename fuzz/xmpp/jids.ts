// Addresses to aim stanzas at: the component domain, contacts, and JIDs that are wrong in every way
// a hostile client could make them.
import type { Rng } from "../../test/support/rng.ts";

export interface Aim {
  /** The component domain under test (sms.example.test). */
  domain: string;
  /** The users' XMPP server domain. */
  host: string;
  /** Numbers of other users (sending to them is legal: it is an SMS to that phone). */
  knownNumbers: readonly string[];
}

export type JidKind = "domain" | "contact" | "bad";

/** A valid-looking contact number. A small set, so contacts repeat and get reused. */
export function contactNumber(rng: Rng): string {
  return `+1555010${rng.int(1000, 1199)}`;
}

export function contactJid(rng: Rng, aim: Aim): string {
  return `${contactNumber(rng)}@${aim.domain}`;
}

export function domainJid(rng: Rng, aim: Aim): string {
  return rng.weighted<string>([
    [8, aim.domain],
    [1, `${aim.domain}/${rng.hex(3)}`],
    [1, aim.domain.toUpperCase()],
    [1, `${aim.domain}.`],
  ]);
}

/** Contact JIDs that are odd but may still be routable to the component. */
export function oddJid(rng: Rng, aim: Aim): string {
  const d = aim.domain;
  return rng.pick<() => string>([
    () => `%%%@${d}`,
    () => `\\40@${d}`,
    () => `alice\\40example.net@${d}`,
    () => `\\5c\\5c@${d}`,
    () => `+1555010${rng.int(1000, 1199)}@${d}/${rng.hex(2)}`,
    () => `+${rng.digits(rng.int(1, 30))}@${d}`,
    () => `${rng.digits(10)}@${d}`,
    () => `+0@${d}`,
    () => `+1(555)010-1000@${d}`,
    () => `tel:+15550101000@${d}`,
    () => `＋１５５５０１０１０００@${d}`,
    () => `${"9".repeat(rng.int(100, 1000))}@${d}`,
    () => `${"x".repeat(1000)}@${d}`,
    () => `${rng.pick(aim.knownNumbers)}@${d}`,
    () => `null@${d}`,
    () => `__proto__@${d}`,
    () => `constructor@${d}`,
    () => `${encodeURIComponent("+15550101000")}@${d}`,
    () => `+15550101000\\20@${d}`,
    () => `+1555\u200b0101000@${d}`,
  ])();
}

/** JIDs the XMPP server itself must refuse (jid-malformed) or that route elsewhere. */
export function badJid(rng: Rng, aim: Aim): string {
  const d = aim.domain;
  return rng.pick<() => string>([
    () => `@${d}`,
    () => `${"y".repeat(1100)}@${d}`,
    () => `a b@${d}`,
    () => `a@b@${d}`,
    () => `"quoted"@${d}`,
    () => `<x>@${d}`,
    () => `+15550101000@${d}/${"r".repeat(1100)}`,
    () => `${d}/`,
    () => `/${d}`,
    () => `${rng.hex(4)}.${d}`,
    () => `nobody@${aim.host}`,
    () => "",
    () => " ",
    () => `${d}:5347`,
  ])();
}

export function anyJid(rng: Rng, aim: Aim): { jid: string; kind: JidKind } {
  return rng.weighted<() => { jid: string; kind: JidKind }>([
    [45, () => ({ jid: domainJid(rng, aim), kind: "domain" })],
    [35, () => ({ jid: contactJid(rng, aim), kind: "contact" })],
    [12, () => ({ jid: oddJid(rng, aim), kind: "contact" })],
    [8, () => ({ jid: badJid(rng, aim), kind: "bad" })],
  ])();
}
