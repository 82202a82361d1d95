import xml, { type Element } from "@xmpp/xml";
import { randomUUID } from "node:crypto";
import type { UserEvent } from "../core/userLink.ts";
import { defaultErrorType } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { contactJid, type NetworkContext } from "./networkContext.ts";
import { errorElement } from "./stanzaError.ts";

/** A message counts as delivered late (and carries XEP-0203 delay) past this age. */
const LATE_MS = 5_000;

/** Renders one neutral event for the user as the stanza(s) their client expects. */
export function renderEvent(ctx: Pick<NetworkContext, "domain">, userJid: string, event: UserEvent): Element[] {
  const one = renderOne(ctx, userJid, event);
  if (event.kind !== "account-broken") return [one];
  const notice = xml("message", { type: "chat", from: ctx.domain, to: userJid, id: event.stanzaId }, xml("body", {}, `Your account needs attention: ${event.reason} Register again to fix it.`));
  return [one, notice];
}

function renderOne(ctx: Pick<NetworkContext, "domain">, userJid: string, event: UserEvent): Element {
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
      if (event.replyTo) msg.append(xml("reply", { xmlns: NS.reply, id: event.replyTo, to: from }));
      if (event.subject) msg.append(xml("subject", {}, event.subject));
      if (event.thread) msg.append(xml("thread", {}, event.thread));
      appendDelay(msg, ctx.domain, event.receivedAt);
      return msg;
    }
    case "edit":
      return xml(
        "message",
        { type: "chat", from: contactJid(ctx, event.from), to: userJid, id: event.stanzaId },
        xml("body", {}, event.body),
        xml("replace", { xmlns: NS.correct, id: event.targetId }),
      );
    case "reaction":
      return xml(
        "message",
        { type: "chat", from: contactJid(ctx, event.from), to: userJid, id: event.stanzaId },
        xml("reactions", { xmlns: NS.reactions, id: event.targetId }, ...event.emojis.map((e) => xml("reaction", {}, e))),
        xml("store", { xmlns: NS.hints }),
      );
    case "retraction":
      return xml(
        "message",
        { type: "chat", from: contactJid(ctx, event.from), to: userJid, id: event.stanzaId },
        xml("retract", { xmlns: NS.retract, id: event.targetId }),
        xml("fallback", { xmlns: NS.fallback, for: NS.retract }),
        xml("body", {}, "/me deleted a message, but your client does not show deletions."),
        xml("store", { xmlns: NS.hints }),
      );
    case "typing":
      return xml("message", { type: "chat", from: contactJid(ctx, event.from), to: userJid }, xml(event.state, { xmlns: NS.chatStates }));
    case "account-broken":
      // A presence error shows the gateway as failing in rosters; the message says why in words.
      return xml("presence", { type: "error", from: ctx.domain, to: userJid }, errorElement("not-authorized", "auth", event.reason));
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
