import xml, { type Element } from "@xmpp/xml";
import { NS } from "./namespaces.ts";
import type { NetworkContext } from "./networkContext.ts";

/** Features of the gateway domain: only what is implemented for this network. */
export function gatewayFeatures(): string[] {
  return [NS.discoInfo, NS.discoItems, NS.register, NS.gateway, NS.receipts, NS.ping, NS.version];
}

/** Features of a contact JID. */
export function contactFeatures(): string[] {
  return [NS.discoInfo, NS.receipts, NS.ping];
}

export function discoInfo(ctx: NetworkContext, toContact: boolean, node: string | undefined): Element {
  const query = xml("query", { xmlns: NS.discoInfo, node });
  if (toContact) {
    // XEP-0030 registry: a phone or mobile device; other networks name their own contact kind.
    query.append(xml("identity", { category: "client", type: ctx.network === "sms" ? "phone" : "pc", name: "Contact" }));
    for (const f of contactFeatures()) query.append(xml("feature", { var: f }));
  } else {
    query.append(xml("identity", { category: "gateway", type: ctx.adapter.identity.type, name: ctx.adapter.identity.name }));
    for (const f of gatewayFeatures()) query.append(xml("feature", { var: f }));
  }
  return query;
}

export function discoItems(node: string | undefined): Element {
  return xml("query", { xmlns: NS.discoItems, node });
}
