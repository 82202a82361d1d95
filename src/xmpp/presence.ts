import xml, { type Element } from "@xmpp/xml";
import { NS } from "./namespaces.ts";
import { addressOf, bareJid, contactJid, type NetworkContext } from "./networkContext.ts";
import { sendRosterCleanup } from "./registration.ts";

/** Presence from the user to the gateway domain or to a contact (RFC 6121 subscriptions, XEP-0100). */
export async function onUserPresence(ctx: NetworkContext, stanza: Element): Promise<void> {
  const from = stanza.attrs.from;
  const to = stanza.attrs.to ?? "";
  if (!from) return;
  const user = bareJid(from);
  const type = stanza.attrs.type ?? "available";
  const local = to.includes("@") ? to.slice(0, to.indexOf("@")) : "";
  if (local) await toContact(ctx, user, addressOf(local), type);
  else await toGateway(ctx, user, from, type);
}

async function toGateway(ctx: NetworkContext, user: string, fullJid: string, type: string): Promise<void> {
  const registration = () => ctx.gateway.registrations.find(user, ctx.network);
  const send = (attrs: Record<string, string>, ...children: Element[]) =>
    ctx.link.send(xml("presence", { from: ctx.domain, ...attrs }, ...children));
  switch (type) {
    case "unavailable":
      // Every registered user's server answers the probes sent at link-up: this needs no lookup.
      return ctx.presence.unavailable(fullJid);
    case "subscribe": {
      const found = await registration();
      await send({ type: found ? "subscribed" : "unsubscribed", to: user });
      if (found) await send({ to: user });
      return;
    }
    case "unsubscribe":
      // Removing the gateway from the roster ends the registration (XEP-0100 §4.3, in reverse).
      if (await registration()) {
        const addresses = await ctx.gateway.registrations.unregister(ctx.adapter, user);
        await sendRosterCleanup(ctx, user, addresses);
      }
      return;
    case "probe":
    case "available": {
      const found = await registration();
      if (!found) return;
      const firstSinceLinkUp = type === "available" && ctx.presence.available(fullJid);
      if (found.state === "broken") {
        await send({ to: type === "probe" ? user : fullJid }, xml("show", {}, "xa"), xml("status", {}, `Needs attention: ${found.stateReason ?? "re-register"}`));
      } else {
        await send({ to: type === "probe" ? user : fullJid });
      }
      // Online while the gateway was away (or just started): the user's server probed the
      // contacts only at login, and the last word they had from them was the goodbye.
      if (firstSinceLinkUp) await showContacts(ctx, user, fullJid);
      return;
    }
    default:
      // subscribed, unsubscribed, error (the link-up probes' answers among them): nothing to answer.
      return;
  }
}

async function showContacts(ctx: NetworkContext, user: string, fullJid: string): Promise<void> {
  const targets = await ctx.gateway.registrationStore.presenceTargets(ctx.network, user);
  const addresses = targets.flatMap((t) => (t.address === null ? [] : [t.address]));
  // One write for all of them, as the announce does.
  if (addresses.length > 0) await ctx.link.send(...addresses.map((a) => xml("presence", { from: contactJid(ctx, a), to: fullJid })));
}

async function toContact(ctx: NetworkContext, user: string, address: string, type: string): Promise<void> {
  const from = contactJid(ctx, address);
  const send = (attrs: Record<string, string>, ...children: Element[]) =>
    ctx.link.send(xml("presence", { from, to: user, ...attrs }, ...children));
  switch (type) {
    case "subscribe": {
      const { contact, repeat } = await ctx.gateway.contacts.subscribe(ctx.adapter, user, address);
      await send({ type: "subscribed" });
      if (repeat) return; // already approved both ways: a repeat needs only its answer
      const nick = contact.displayName ?? ctx.adapter.displayName(contact.legacyAddress);
      await send({});
      await send({ type: "subscribe" }, xml("nick", { xmlns: NS.nick }, nick));
      return;
    }
    case "subscribed": {
      const contact = await ctx.gateway.contacts.find(ctx.adapter, user, address);
      if (contact) {
        await ctx.gateway.contacts.setSubscription(contact, "both");
        await send({});
      }
      return;
    }
    case "unsubscribe": {
      const contact = await ctx.gateway.contacts.find(ctx.adapter, user, address);
      if (contact) await ctx.gateway.contacts.remove(contact);
      await send({ type: "unsubscribed" });
      return;
    }
    case "probe": {
      const contact = await ctx.gateway.contacts.find(ctx.adapter, user, address);
      await send(contact ? {} : { type: "unsubscribed" });
      return;
    }
    default:
      return;
  }
}
