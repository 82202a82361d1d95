import xml, { type Element } from "@xmpp/xml";
import { randomUUID } from "node:crypto";
import { GatewayError } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { addressOf, bareJid, type NetworkContext } from "./networkContext.ts";

/**
 * A message from the user. To a contact: accepted into the durable queue (or bounced with an
 * error saying why). To the gateway itself: answered with a short help text.
 */
export async function onUserMessage(ctx: NetworkContext, stanza: Element): Promise<void> {
  const type = stanza.attrs.type ?? "normal";
  if (type === "error" || type === "headline") return;
  const from = stanza.attrs.from;
  const to = stanza.attrs.to ?? "";
  if (!from) return;
  const local = to.includes("@") ? to.slice(0, to.indexOf("@")) : "";
  const body = stanza.getChildText("body");
  const mediaUrls = stanza.getChildren("x", NS.oob).map((x) => x.getChildText("url")?.trim() ?? "").filter((u) => u.length > 0);
  if (body === null && mediaUrls.length === 0) return; // chat states, markers: nothing to send
  if (type === "groupchat") throw new GatewayError("not-acceptable", "Group chat messages are not supported here; send a chat message.");
  if (!local) {
    await ctx.link.send(
      xml(
        "message",
        { type: "chat", from: ctx.domain, to: from, id: randomUUID() },
        xml("body", {}, `This is the ${ctx.adapter.identity.name}. To write to someone, start a chat with <${ctx.adapter.addressPrompt.prompt.toLowerCase()}>@${ctx.domain}, or use "Add contact" with this gateway.`),
      ),
    );
    return;
  }
  // A client that attaches a file sends its URL both as body and as OOB: send the file once.
  const text = body !== null && mediaUrls.includes(body.trim()) ? "" : (body ?? "");
  await ctx.gateway.outbound.accept(ctx.adapter, {
    userJid: bareJid(from),
    senderJid: from,
    to: addressOf(local),
    body: text,
    mediaUrls,
    xmppId: stanza.attrs.id ?? null,
    wantReceipt: stanza.getChild("request", NS.receipts) !== undefined && stanza.attrs.id !== undefined,
  });
}
