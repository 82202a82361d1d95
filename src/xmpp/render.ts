import xml, { type Element } from "@xmpp/xml";
import { randomUUID } from "node:crypto";
import type { UserEvent } from "../core/userLink.ts";
import { defaultErrorType } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { contactJid, type NetworkContext } from "./networkContext.ts";
import { errorElement } from "./stanzaError.ts";

/** A message counts as delivered late (and carries XEP-0203 delay) past this age. */
const LATE_MS = 5_000;

/** Renders one neutral event for the user as the stanza their client expects. */
export function renderEvent(ctx: Pick<NetworkContext, "domain">, userJid: string, event: UserEvent): Element {
  switch (event.kind) {
    case "message": {
      const from = contactJid(ctx, event.from);
      const body = event.body.length > 0 ? event.body : event.mediaUrls.join("\n");
      const msg = xml(
        "message",
        { type: "chat", from, to: userJid, id: event.stanzaId },
        xml("body", {}, body),
        xml("stanza-id", { xmlns: NS.sid, id: event.stanzaId, by: ctx.domain }),
        xml("origin-id", { xmlns: NS.sid, id: event.stanzaId }),
      );
      for (const url of event.mediaUrls) msg.append(xml("x", { xmlns: NS.oob }, xml("url", {}, url)));
      appendDelay(msg, ctx.domain, event.receivedAt);
      return msg;
    }
    case "subscribe":
      return xml(
        "presence",
        { type: "subscribe", from: contactJid(ctx, event.from), to: userJid },
        xml("nick", { xmlns: NS.nick }, event.nick),
      );
    case "receipt":
      return xml(
        "message",
        { type: "chat", from: contactJid(ctx, event.from), to: userJid, id: randomUUID() },
        xml("received", { xmlns: NS.receipts, id: event.xmppId }),
      );
    case "error": {
      const attrs: Record<string, string> = { type: "error", from: contactJid(ctx, event.from), to: event.to ?? userJid };
      if (event.xmppId) attrs.id = event.xmppId;
      return xml("message", attrs, errorElement(event.condition, defaultErrorType(event.condition), event.text));
    }
    case "notice": {
      const msg = xml("message", { type: "chat", from: ctx.domain, to: userJid, id: event.stanzaId }, xml("body", {}, event.body));
      appendDelay(msg, ctx.domain, event.receivedAt);
      return msg;
    }
  }
}

function appendDelay(msg: Element, domain: string, receivedAt: Date): void {
  if (Date.now() - receivedAt.getTime() > LATE_MS) {
    msg.append(xml("delay", { xmlns: NS.delay, from: domain, stamp: receivedAt.toISOString() }));
  }
}
