import xml, { type Element } from "@xmpp/xml";
import { randomUUID } from "node:crypto";
import { GatewayError } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { contactJid, type NetworkContext } from "./networkContext.ts";
import { readSubmittedForm, renderForm } from "./dataForm.ts";

/** XEP-0077 get: instructions and the data form, with <registered/> when already registered. */
export async function registrationForm(ctx: NetworkContext, userJid: string): Promise<Element> {
  const { form, registered } = await ctx.gateway.registrations.form(ctx.adapter, userJid);
  const query = xml("query", { xmlns: NS.register });
  if (registered) query.append(xml("registered"));
  query.append(xml("instructions", {}, form.instructions));
  query.append(renderForm(form, NS.register));
  return query;
}

/** XEP-0077 set: register, update, or (with <remove/>) unregister and clean the user's roster. */
export async function registrationSet(ctx: NetworkContext, userJid: string, query: Element): Promise<"registered" | "removed"> {
  if (query.getChild("remove")) {
    const addresses = await ctx.gateway.registrations.unregister(ctx.adapter, userJid);
    // The result must go out before the roster clean-up (XEP-0100 §4.3), so defer it.
    setImmediate(() => void sendRosterCleanup(ctx, userJid, addresses));
    return "removed";
  }
  const x = query.getChild("x", NS.dataForms);
  if (!x) throw new GatewayError("bad-request", "Submit the registration data form (jabber:x:data) returned by the form request.");
  const fields = readSubmittedForm(x, NS.register);
  const { created, welcome } = await ctx.gateway.registrations.register(ctx.adapter, userJid, fields);
  setImmediate(() => void sendWelcome(ctx, userJid, created, welcome));
  return "registered";
}

/** After a registration: the gateway asks onto a new user's roster, shows itself online, says the welcome line. */
export async function sendWelcome(ctx: NetworkContext, userJid: string, created: boolean, welcome: string | undefined): Promise<void> {
  try {
    if (created) await ctx.link.send(xml("presence", { type: "subscribe", from: ctx.domain, to: userJid }));
    await ctx.link.send(xml("presence", { from: ctx.domain, to: userJid }));
    if (welcome) {
      await ctx.link.send(xml("message", { type: "chat", from: ctx.domain, to: userJid, id: randomUUID() }, xml("body", {}, welcome)));
    }
  } catch (err) {
    ctx.log.warn({ err }, "could not send post-registration presence");
  }
}

/** Unsubscribe, unsubscribed and unavailable from every contact and the gateway itself. */
export async function sendRosterCleanup(ctx: NetworkContext, userJid: string, addresses: string[]): Promise<void> {
  try {
    for (const from of [...addresses.map((a) => contactJid(ctx, a)), ctx.domain]) {
      await ctx.link.send(
        xml("presence", { type: "unsubscribe", from, to: userJid }),
        xml("presence", { type: "unsubscribed", from, to: userJid }),
        xml("presence", { type: "unavailable", from, to: userJid }),
      );
    }
  } catch (err) {
    ctx.log.warn({ err }, "could not send the roster clean-up after unregistering");
  }
}
