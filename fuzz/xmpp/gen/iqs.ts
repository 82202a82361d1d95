// Random <iq/> stanzas: every type, 0/1/2 children, every namespace the gateway serves with
// malformed contents, and namespaces it has never heard of.
import type { Rng } from "../../../test/support/rng.ts";
import { anyJid, type Aim } from "../jids.ts";
import { bulk, nasty, randomText } from "../text.ts";
import { freshId, toCase, type StanzaCase } from "../stanzaCase.ts";
import { n, type XNode } from "../tree.ts";
import { randomRegisterQuery } from "./register.ts";

export const SERVED = {
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  register: "jabber:iq:register",
  gateway: "jabber:iq:gateway",
  version: "jabber:iq:version",
  ping: "urn:xmpp:ping",
} as const;

const TYPES = ["get", "set", "result", "error", "garbage", undefined, "GET"] as const;

export function randomIq(rng: Rng, aim: Aim): StanzaCase {
  const target = anyJid(rng, aim);
  const type = rng.weighted<(typeof TYPES)[number]>([
    [40, "get"],
    [35, "set"],
    [8, "result"],
    [7, "error"],
    [4, "garbage"],
    [3, undefined],
    [3, "GET"],
  ]);
  const count = rng.weighted<number>([[15, 0], [70, 1], [15, 2]]);
  const children: XNode[] = [];
  for (let i = 0; i < count; i++) children.push(randomPayload(rng, aim));
  if (type === "error" && rng.chance(0.7)) children.push(n("error", { type: "cancel" }, n("bad-request", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })));
  const first = children[0];
  const label = `iq/${type ?? "none"}/${count}/${first ? shortNs(first.attrs.xmlns) : "-"}`;
  // Almost always an id: an iq without one can't be matched (RFC 6120 requires it).
  const id = rng.chance(0.97) ? freshId("iq") : undefined;
  return toCase(label, n("iq", { type, to: target.jid, id }, ...children));
}

function shortNs(ns: string | undefined): string {
  if (ns === undefined) return "nons";
  const served = Object.entries(SERVED).find(([, v]) => v === ns);
  return served ? served[0] : "unknown";
}

export function randomPayload(rng: Rng, aim: Aim): XNode {
  return rng.weighted<() => XNode>([
    [14, () => discoInfo(rng)],
    [8, () => n("query", { xmlns: SERVED.discoItems, node: rng.chance(0.5) ? nasty(rng) : undefined })],
    [18, () => randomRegisterQuery(rng, aim)],
    [16, () => gatewayQuery(rng)],
    [8, () => n("query", { xmlns: SERVED.version }, ...(rng.chance(0.3) ? [n("name", {}, randomText(rng, 20))] : []))],
    [10, () => n("ping", { xmlns: SERVED.ping }, ...(rng.chance(0.3) ? [n("ping", { xmlns: SERVED.ping })] : []))],
    [6, () => n("ping", { xmlns: SERVED.register })],
    [6, () => n("query", { xmlns: SERVED.ping })],
    [8, () => n(rng.pick(["query", "vCard", "pubsub", "command", "time", "bind"]), { xmlns: rng.pick(["vcard-temp", "http://jabber.org/protocol/pubsub", "http://jabber.org/protocol/commands", "urn:xmpp:time", "urn:ietf:params:xml:ns:xmpp-bind", `urn:fuzz:${rng.hex(2)}`]) }, ...(rng.chance(0.5) ? [n("x", {}, randomText(rng, 30))] : []))],
    [4, () => n("query", {})],
    [2, () => n("query", { xmlns: "" })],
  ])();
}

function discoInfo(rng: Rng): XNode {
  const node = rng.weighted<string | undefined>([
    [50, undefined],
    [15, "http://jabber.org/protocol/commands"],
    [15, nasty(rng)],
    [10, bulk(rng.int(1000, 50_000))],
    [10, randomText(rng, 50)],
  ]);
  return n("query", { xmlns: SERVED.discoInfo, node }, ...(rng.chance(0.1) ? [n("identity", { category: "evil" })] : []));
}

/** XEP-0100 prompt: empty, huge, nested, several, or a plausible number. */
export function gatewayQuery(rng: Rng): XNode {
  const prompt = rng.weighted<() => XNode[]>([
    [20, () => [n("prompt", {}, rng.pick(["+1 (555) 010-2000", "555-0102000", "+44 20 7946 0958", "0", "+", "++1", "1".repeat(40)]))]],
    [15, () => [n("prompt")]],
    [10, () => [n("prompt", {}, "   ")]],
    [10, () => []],
    [10, () => [n("prompt", {}, bulk(rng.int(10_000, 200_000), "5"))]],
    [10, () => [n("prompt", {}, randomText(rng, 80))]],
    [8, () => [n("prompt", {}, "+15550102000"), n("prompt", {}, "+15550102001")]],
    [8, () => [n("prompt", {}, n("b", {}, "+15550102000"))]],
    [9, () => [n("desc", {}, randomText(rng, 30))]],
  ])();
  return n("query", { xmlns: SERVED.gateway }, ...prompt);
}
