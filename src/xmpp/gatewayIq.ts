import xml, { type Element } from "@xmpp/xml";
import { GatewayError } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { contactJid, type NetworkContext } from "./networkContext.ts";

/** XEP-0100 jabber:iq:gateway get: what to type. */
export function gatewayPrompt(ctx: NetworkContext): Element {
  return xml("query", { xmlns: NS.gateway }, xml("desc", {}, ctx.adapter.addressPrompt.desc), xml("prompt", {}, ctx.adapter.addressPrompt.prompt));
}

/** XEP-0100 jabber:iq:gateway set: what the person typed → the contact's JID. */
export async function gatewayTranslate(ctx: NetworkContext, userJid: string, query: Element): Promise<Element> {
  const input = query.getChildText("prompt")?.trim() ?? "";
  if (!input) throw new GatewayError("bad-request", `Type a ${ctx.adapter.addressPrompt.prompt.toLowerCase()} in <prompt/>.`);
  // Some addresses only make sense for the asker's own account (a Telegram @username their bot knows).
  const registration = await ctx.gateway.registrations.find(userJid, ctx.network);
  const parsed = ctx.adapter.parseAddress(input, registration ? ctx.gateway.registrations.account(registration) : undefined);
  if (!parsed.ok) throw new GatewayError("not-acceptable", parsed.reason);
  return xml("query", { xmlns: NS.gateway }, xml("jid", {}, contactJid(ctx, parsed.address)));
}
