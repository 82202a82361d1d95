// Random <message/> stanzas: every type, no/empty/many/huge bodies, unknown namespaces, OOB junk,
// forged carbons and addresses.
import type { Rng } from "../../../test/support/rng.ts";
import { anyJid, contactJid, type Aim } from "../jids.ts";
import { bulk, nasty, randomText } from "../text.ts";
import { freshId, toCase, type StanzaCase } from "../stanzaCase.ts";
import { n, type XNode } from "../tree.ts";

const TYPES = ["chat", "normal", "groupchat", "headline", "error", "garbage", "", undefined, "CHAT", "chat "] as const;

export function randomMessage(rng: Rng, aim: Aim): StanzaCase {
  const target = anyJid(rng, aim);
  const type = rng.pick(TYPES);
  const id = rng.weighted<string | undefined>([
    [85, freshId("m")],
    [5, undefined],
    [5, ""],
    [5, freshId("m") + "-" + bulk(rng.int(100, 3000))],
  ]);
  const children: XNode[] = [];
  const bodyKind = rng.weighted<string>([
    [50, "one"],
    [10, "none"],
    [8, "empty"],
    [8, "many"],
    [6, "lang"],
    [6, "whitespace"],
    [8, "big"],
    [4, "huge"],
  ]);
  let label = `message/${bodyKind}`;
  switch (bodyKind) {
    case "one":
      children.push(n("body", {}, randomText(rng, 200)));
      break;
    case "empty":
      children.push(n("body"));
      break;
    case "many":
      for (let i = rng.int(2, 50); i > 0; i--) children.push(n("body", {}, randomText(rng, 40)));
      break;
    case "lang":
      children.push(n("body", { "xml:lang": rng.pick(["en", "de", "", "x".repeat(500), "zz-ZZ-u-nu-arab"]) }, randomText(rng, 60)));
      children.push(n("body", { "xml:lang": "fr" }, randomText(rng, 60)));
      break;
    case "whitespace":
      children.push(n("body", {}, rng.pick([" ", "\n\n\t", "\r\n", "\u200b", "\ufeff"])));
      break;
    case "big":
      children.push(n("body", {}, bulk(rng.int(2_000, 20_000), "lorem ipsum ")));
      break;
    case "huge":
      children.push(n("body", {}, bulk(rng.int(100_000, 240_000), "0123456789")));
      break;
  }
  for (let i = rng.weighted<number>([[60, 0], [25, 1], [10, 3], [5, 20]]); i > 0; i--) children.push(extra(rng, aim));
  // Huge bodies to real contacts would each become ~100 SMS; keep those for the size batch.
  let to = target.jid;
  if (bodyKind === "huge" && target.kind === "contact" && rng.chance(0.8)) to = aim.domain;
  if (bodyKind === "huge") label += target.kind === "contact" && to !== aim.domain ? "->contact" : "->domain";
  return toCase(label, n("message", { to, type, id }, ...children));
}

/** Payloads other than the body. */
function extra(rng: Rng, aim: Aim): XNode {
  return rng.pick<() => XNode>([
    () => n("request", { xmlns: "urn:xmpp:receipts" }),
    () => n("received", { xmlns: "urn:xmpp:receipts", id: nasty(rng) }),
    () => n(rng.pick(["active", "composing", "paused", "gone", "inactive"]), { xmlns: "http://jabber.org/protocol/chatstates" }),
    () => n("x", { xmlns: "jabber:x:oob" }, n("url", {}, rng.pick(["javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1:5432/", "", " ", bulk(5000), "https://example.org/a.jpg", randomText(rng, 40)]))),
    () => n("x", { xmlns: "jabber:x:oob" }),
    () => n("subject", {}, randomText(rng, 80)),
    () => n("thread", { parent: nasty(rng) }, randomText(rng, 30)),
    () => n("html", { xmlns: "http://jabber.org/protocol/xhtml-im" }, n("body", { xmlns: "http://www.w3.org/1999/xhtml" }, n("script", {}, "alert(1)"))),
    () => n("x", { xmlns: "jabber:x:data", type: "submit" }, n("field", { var: "FORM_TYPE" }, n("value", {}, "jabber:iq:register"))),
    () => n("delay", { xmlns: "urn:xmpp:delay", stamp: rng.pick(["1970-01-01T00:00:00Z", "not-a-date", "9999-12-31T23:59:59Z"]) }),
    () => n("stanza-id", { xmlns: "urn:xmpp:sid:0", by: aim.domain, id: nasty(rng) }),
    () => n("origin-id", { xmlns: "urn:xmpp:sid:0", id: nasty(rng) }),
    () => n("replace", { xmlns: "urn:xmpp:message-correct:0", id: nasty(rng) }),
    () => n("reactions", { xmlns: "urn:xmpp:reactions:0", id: nasty(rng) }, n("reaction", {}, "👍")),
    () => n("error", { type: "cancel" }, n("item-not-found", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
    () =>
      n("sent", { xmlns: "urn:xmpp:carbons:2" },
        n("forwarded", { xmlns: "urn:xmpp:forward:0" },
          n("message", { xmlns: "jabber:client", from: `alice@${aim.host}/x`, to: contactJid(rng, aim), type: "chat" }, n("body", {}, "forged carbon")))),
    () => n("addresses", { xmlns: "http://jabber.org/protocol/address" }, n("address", { type: "ofrom", jid: `alice@${aim.host}` })),
    () => n(`u${rng.hex(2)}`, { xmlns: `urn:fuzz:${rng.hex(3)}` }, randomText(rng, 30)),
    () => n("body", { xmlns: `urn:not-client:${rng.hex(2)}` }, "a body in another namespace"),
    () => n("nick", { xmlns: "http://jabber.org/protocol/nick" }, randomText(rng, 50)),
  ])();
}
