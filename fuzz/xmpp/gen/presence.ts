// Presence storms: subscribe/unsubscribe/probe/… at contacts and (rarely) the gateway itself.
import type { Rng } from "../../../test/support/rng.ts";
import { contactJid, oddJid, type Aim } from "../jids.ts";
import { randomText } from "../text.ts";
import { freshId, toCase, type StanzaCase } from "../stanzaCase.ts";
import { n } from "../tree.ts";

const TYPES = ["subscribe", "unsubscribe", "probe", "subscribed", "unsubscribed", undefined, "unavailable", "error", "garbage"] as const;

export function randomPresence(rng: Rng, aim: Aim): StanzaCase {
  const type = rng.weighted<(typeof TYPES)[number]>([
    [30, "subscribe"],
    [20, "unsubscribe"],
    [20, "probe"],
    [8, "subscribed"],
    [6, "unsubscribed"],
    [6, undefined],
    [4, "unavailable"],
    [3, "error"],
    [3, "garbage"],
  ]);
  const where = rng.weighted<string>([[85, "contact"], [10, "odd"], [5, "domain"]]);
  // Unsubscribing from the gateway itself unregisters the user: allowed, but rare.
  const to = where === "contact" ? contactJid(rng, aim) : where === "odd" ? oddJid(rng, aim) : aim.domain;
  const children = [];
  if (rng.chance(0.1)) children.push(n("status", {}, randomText(rng, 100)));
  if (rng.chance(0.05)) children.push(n("nick", { xmlns: "http://jabber.org/protocol/nick" }, randomText(rng, 40)));
  if (rng.chance(0.05)) children.push(n("priority", {}, String(rng.int(-200, 200))));
  return toCase(`presence/${type ?? "available"}/${where}`, n("presence", { to, type, id: rng.chance(0.5) ? freshId("p") : undefined }, ...children));
}
