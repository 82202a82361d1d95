// Mutations of valid stanzas: each starts from something the gateway handles, then has attributes
// replaced or dropped, children duplicated, wrapped, renamed, re-namespaced, or text injected.
import type { Rng } from "../../../test/support/rng.ts";
import { contactJid, oddJid, type Aim } from "../jids.ts";
import { nasty, randomText } from "../text.ts";
import { freshId, toCase, type StanzaCase } from "../stanzaCase.ts";
import { clone, elements, n, type XNode } from "../tree.ts";
import { SERVED } from "./iqs.ts";

function templates(rng: Rng, aim: Aim): XNode[] {
  const to = contactJid(rng, aim);
  return [
    n("message", { to, type: "chat", id: freshId("mu") }, n("body", {}, "hello"), n("request", { xmlns: "urn:xmpp:receipts" })),
    n("message", { to: aim.domain, type: "chat", id: freshId("mu") }, n("body", {}, "help")),
    n("iq", { to: aim.domain, type: "get", id: freshId("mu") }, n("query", { xmlns: SERVED.register })),
    n("iq", { to: aim.domain, type: "set", id: freshId("mu") }, n("query", { xmlns: SERVED.register }, n("x", { xmlns: "jabber:x:data", type: "submit" }, n("field", { var: "FORM_TYPE" }, n("value", {}, SERVED.register)), n("field", { var: "number" }, n("value", {}, "+15559999999"))))),
    n("iq", { to: aim.domain, type: "get", id: freshId("mu") }, n("query", { xmlns: SERVED.discoInfo })),
    n("iq", { to, type: "get", id: freshId("mu") }, n("query", { xmlns: SERVED.discoInfo })),
    n("iq", { to: aim.domain, type: "set", id: freshId("mu") }, n("query", { xmlns: SERVED.gateway }, n("prompt", {}, "+1 555 010 2000"))),
    n("iq", { to: aim.domain, type: "get", id: freshId("mu") }, n("ping", { xmlns: SERVED.ping })),
    n("presence", { to, type: "subscribe" }),
    n("presence", { to, type: "probe" }),
  ];
}

type Mutation = (rng: Rng, el: XNode, aim: Aim) => string;

const MUTATIONS: Mutation[] = [
  (rng, el) => {
    const keys = Object.keys(el.attrs);
    if (keys.length === 0) return "noop";
    const k = rng.pick(keys);
    if (k === "id") return "noop"; // ids stay unique, so replies can be matched
    el.attrs[k] = rng.chance(0.5) ? nasty(rng) : randomText(rng, 40);
    return `attr-${k}`;
  },
  (rng, el) => {
    const keys = Object.keys(el.attrs).filter((k) => k !== "id");
    if (keys.length === 0) return "noop";
    const k = rng.pick(keys);
    delete el.attrs[k];
    return `drop-${k}`;
  },
  (rng, el) => {
    el.attrs[rng.pick(["xml:lang", "foo", "type", "to", "from", "id2"])] = randomText(rng, 20);
    return "add-attr";
  },
  (rng, el) => {
    const kids = el.children.filter((c): c is XNode => typeof c !== "string");
    if (kids.length === 0) return "noop";
    el.children.push(clone(rng.pick(kids)));
    return "dup-child";
  },
  (rng, el) => {
    if (el.children.length === 0) return "noop";
    const i = rng.int(0, el.children.length - 1);
    el.children.splice(i, 1);
    return "drop-child";
  },
  (rng, el) => {
    el.children = [n(`wrap${rng.hex(1)}`, { xmlns: rng.chance(0.5) ? `urn:fuzz:${rng.hex(2)}` : undefined }, ...el.children)];
    return "wrap";
  },
  (rng, el) => {
    el.name = rng.pick(["x", "query", "body", "field", "value", "error", "iq", "message", `n${rng.hex(2)}`]);
    return "rename";
  },
  (rng, el) => {
    el.attrs.xmlns = rng.pick([SERVED.register, SERVED.gateway, SERVED.discoInfo, "jabber:client", "", `urn:fuzz:${rng.hex(2)}`]);
    return "renamespace";
  },
  (rng, el) => {
    el.children.splice(rng.int(0, el.children.length), 0, randomText(rng, 60));
    return "text";
  },
  (rng, el, aim) => {
    el.attrs.to = oddJid(rng, aim);
    return "retarget";
  },
];

export function mutatedStanza(rng: Rng, aim: Aim): StanzaCase {
  const base = rng.pick(templates(rng, aim));
  const rounds = rng.int(1, 4);
  const applied: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const all = elements(base);
    // The root stays a stanza (its name, id and type decide reply tracking); inner elements change freely.
    const el = rng.pick(all);
    const mutation = rng.pick(MUTATIONS);
    if (el === base && (mutation === MUTATIONS[6] || mutation === MUTATIONS[7] || mutation === MUTATIONS[5])) continue;
    applied.push(mutation(rng, el, aim));
  }
  return toCase(`mutate/${base.name}/${applied[0] ?? "none"}`, base);
}
