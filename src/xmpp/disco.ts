import xml, { type Element } from "@xmpp/xml";
import type { Adapter, Capability, ContactInfo } from "../core/adapter.ts";
import { NS } from "./namespaces.ts";
import type { NetworkContext } from "./networkContext.ts";

/** The XMPP feature each adapter capability is advertised as; nothing is advertised it lacks. */
const CAPABILITY_FEATURES: Record<Capability, string[]> = {
  typing: [NS.chatStates],
  edits: [NS.correct],
  retractions: [NS.retract],
  replies: [NS.reply],
  reactions: [NS.reactions],
  attachments: [NS.oob],
  subjects: [],
};

function messageFeatures(adapter: Adapter): string[] {
  return [...adapter.capabilities].flatMap((c) => CAPABILITY_FEATURES[c]);
}

/** Features of the gateway domain. */
export function gatewayFeatures(adapter: Adapter): string[] {
  return [NS.discoInfo, NS.discoItems, NS.register, NS.gateway, NS.receipts, NS.ping, NS.version, ...messageFeatures(adapter)];
}

/** Features of a contact JID: what messages to it can carry. */
export function contactFeatures(adapter: Adapter): string[] {
  const vcard = adapter.contactInfo ? [NS.vcard] : [];
  return [NS.discoInfo, NS.receipts, NS.ping, ...vcard, ...messageFeatures(adapter)];
}

export function discoInfo(ctx: NetworkContext, contact: ContactInfo | undefined | false, node: string | undefined): Element {
  const query = xml("query", { xmlns: NS.discoInfo, node });
  if (contact !== false) {
    // XEP-0030 registry: a phone or mobile device; other networks' contacts are chat clients.
    const name = contact?.name ?? contact?.username ?? "Contact";
    query.append(xml("identity", { category: "client", type: ctx.network === "sms" ? "phone" : "pc", name }));
    for (const f of contactFeatures(ctx.adapter)) query.append(xml("feature", { var: f }));
  } else {
    query.append(xml("identity", { category: "gateway", type: ctx.adapter.identity.type, name: ctx.adapter.identity.name }));
    for (const f of gatewayFeatures(ctx.adapter)) query.append(xml("feature", { var: f }));
  }
  return query;
}

export function discoItems(node: string | undefined): Element {
  return xml("query", { xmlns: NS.discoItems, node });
}

/** XEP-0054 vCard of a contact from what the network tells. */
export function contactVcard(info: ContactInfo | undefined): Element {
  const vcard = xml("vCard", { xmlns: NS.vcard });
  if (info?.name) vcard.append(xml("FN", {}, info.name));
  if (info?.username) vcard.append(xml("NICKNAME", {}, info.username));
  if (info?.description) vcard.append(xml("DESC", {}, info.description));
  return vcard;
}
