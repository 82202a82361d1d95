import xml, { type Element } from "@xmpp/xml";
import { randomUUID } from "node:crypto";
import { GatewayError } from "../core/errors.ts";
import type { OutgoingRequest } from "../core/outboundService.ts";
import { NS } from "./namespaces.ts";
import { addressOf, bareJid, type NetworkContext } from "./networkContext.ts";

const CHAT_STATES = ["composing", "paused", "active"] as const;

/**
 * A message from the user. To a contact: a chat message, correction (XEP-0308), retraction
 * (XEP-0424) or reaction (XEP-0444) is accepted into the durable queue, or bounced with an error
 * saying why; a bare chat state (XEP-0085) is passed on as typing. To the gateway itself: help.
 */
export async function onUserMessage(ctx: NetworkContext, stanza: Element): Promise<void> {
  const type = stanza.attrs.type ?? "normal";
  if (type === "error" || type === "headline") return;
  const from = stanza.attrs.from;
  const to = stanza.attrs.to ?? "";
  if (!from) return;
  const local = to.includes("@") ? to.slice(0, to.indexOf("@")) : "";
  const request = parse(stanza, from, local);
  if (!request) {
    const state = CHAT_STATES.find((s) => stanza.getChild(s, NS.chatStates));
    if (state && local) await ctx.gateway.outbound.typing(ctx.adapter, bareJid(from), addressOf(local), state);
    return; // markers, bare chat states: nothing to send
  }
  if (type === "groupchat") throw new GatewayError("not-acceptable", "Group chat messages are not supported here; send a chat message.");
  if (!local) return helpText(ctx, from);
  await ctx.gateway.outbound.accept(ctx.adapter, request);
}

/** The user's request in neutral form, or undefined when the stanza asks nothing of the network. */
function parse(stanza: Element, from: string, local: string): OutgoingRequest | undefined {
  const body = stanza.getChildText("body");
  const mediaUrls = stanza.getChildren("x", NS.oob).map((x) => x.getChildText("url")?.trim() ?? "").filter((u) => u.length > 0);
  const base = {
    userJid: bareJid(from),
    senderJid: from,
    to: addressOf(local),
    xmppId: stanza.attrs.id ?? null,
    wantReceipt: stanza.getChild("request", NS.receipts) !== undefined && stanza.attrs.id !== undefined,
    mediaUrls: [] as string[],
    body: "",
  };
  const retract = stanza.getChild("retract", NS.retract);
  if (retract?.attrs.id) return { ...base, action: { kind: "retract", targetId: retract.attrs.id } };
  const reactions = stanza.getChild("reactions", NS.reactions);
  if (reactions?.attrs.id) {
    const emojis = reactions.getChildren("reaction").map((r) => r.text().trim()).filter((e) => e.length > 0);
    return { ...base, action: { kind: "react", targetId: reactions.attrs.id, emojis } };
  }
  if (body === null && mediaUrls.length === 0) return undefined;
  // A client that attaches a file sends its URL both as body and as OOB: send the file once.
  const text = body !== null && mediaUrls.includes(body.trim()) ? "" : stripFallback(stanza, body ?? "");
  const replace = stanza.getChild("replace", NS.correct);
  const reply = stanza.getChild("reply", NS.reply);
  return {
    ...base,
    body: text,
    mediaUrls,
    replyTo: reply?.attrs.id,
    subject: stanza.getChildText("subject") ?? undefined,
    thread: stanza.getChildText("thread") ?? undefined,
    action: replace?.attrs.id ? { kind: "edit", targetId: replace.attrs.id } : undefined,
  };
}

/** Removes the quoted text a client put in the body as a reply fallback (XEP-0461 + XEP-0428). */
function stripFallback(stanza: Element, body: string): string {
  const fallback = stanza.getChildren("fallback", NS.fallback).find((f) => f.attrs.for === NS.reply);
  const range = fallback?.getChild("body");
  if (!range) return body;
  const start = Number(range.attrs.start ?? 0);
  const end = Number(range.attrs.end ?? 0);
  if (!(end > start)) return body;
  // Offsets count Unicode code points.
  const points = Array.from(body);
  return [...points.slice(0, start), ...points.slice(end)].join("");
}

async function helpText(ctx: NetworkContext, to: string): Promise<void> {
  await ctx.link.send(
    xml(
      "message",
      { type: "chat", from: ctx.domain, to, id: randomUUID() },
      xml("body", {}, `This is the ${ctx.adapter.identity.name}. To write to someone, start a chat with <${ctx.adapter.addressPrompt.prompt.toLowerCase()}>@${ctx.domain}, or use "Add contact" with this gateway.`),
    ),
  );
}
