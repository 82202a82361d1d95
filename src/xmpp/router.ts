import xml, { type Element } from "@xmpp/xml";
import type { MiddlewareContext } from "@xmpp/component";
import { GatewayError } from "../core/errors.ts";
import { NS } from "./namespaces.ts";
import { addressOf, bareJid, type NetworkContext } from "./networkContext.ts";
import { bounce, errorFor } from "./stanzaError.ts";
import { contactVcard, discoInfo, discoItems } from "./disco.ts";
import { registrationForm, registrationSet } from "./registration.ts";
import { gatewayPrompt, gatewayTranslate } from "./gatewayIq.ts";
import { onUserMessage } from "./messages.ts";
import { onUserPresence } from "./presence.ts";
import { KeyedSerial } from "./keyedSerial.ts";

type IqHandler = (ctx: NetworkContext, iq: Element, query: Element, toContact: boolean) => Promise<Element | true> | Element | true;

/**
 * Installs every stanza handler on one network's component link. Every failure becomes a stanza
 * error with a text for the sender; nothing thrown here may reach the library (it would be lost).
 */
export function installRoutes(ctx: NetworkContext): Routes {
  const { xmpp } = ctx.link;
  const iq = (type: "get" | "set", ns: string, handler: IqHandler, contactsToo = false) => {
    xmpp.iqCallee[type](ns, elementName(ns), async (mw: MiddlewareContext) => {
      const toContact = Boolean(mw.to?.local);
      if (toContact && !contactsToo) return errorFor(new GatewayError("service-unavailable", "Contacts do not offer this service."));
      try {
        return await handler(ctx, mw.stanza, mw.element!, toContact);
      } catch (err) {
        logUnexpected(ctx, err, mw.stanza);
        return errorFor(err);
      }
    });
  };

  iq("get", NS.discoInfo, async (c, stanza, q, toContact) => discoInfo(c, toContact ? await contactInfo(c, stanza) : false, q.attrs.node), true);
  iq("get", NS.vcard, async (c, stanza, _q, toContact) => {
    if (!toContact || !c.adapter.contactInfo) throw new GatewayError("service-unavailable", "No vCard here.");
    return contactVcard(await contactInfo(c, stanza));
  }, true);
  iq("get", NS.discoItems, (_c, _iq, q) => discoItems(q.attrs.node), true);
  iq("get", NS.ping, () => true, true);
  iq("get", NS.version, (c) =>
    xml("query", { xmlns: NS.version }, xml("name", {}, "Switchboard"), xml("version", {}, c.version)),
  );
  iq("get", NS.register, (c, stanza) => registrationForm(c, bareJid(stanza.attrs.from!)));
  iq("set", NS.register, async (c, stanza, q) => {
    await registrationSet(c, bareJid(stanza.attrs.from!), q);
    return true as const;
  });
  iq("get", NS.gateway, (c) => gatewayPrompt(c));
  iq("set", NS.gateway, (c, stanza, q) => gatewayTranslate(c, bareJid(stanza.attrs.from ?? ""), q));

  const conversations = new KeyedSerial();
  const subscriptions = new KeyedSerial();
  xmpp.middleware.use(async (mw: MiddlewareContext, next) => {
    const { stanza } = mw;
    if (stanza.name !== "message" && stanza.name !== "presence") return next();
    const user = bareJid(stanza.attrs.from ?? "");
    const handle = async () => {
      try {
        if (closing && stanza.name === "message" && stanza.attrs.type !== "error") {
          // Stanzas the server already passed to us while we stop: say so instead of dropping them.
          throw new GatewayError("service-unavailable", "The gateway is restarting; this message was not sent. Send it again in a minute.");
        }
        if (stanza.name === "message") await onUserMessage(ctx, stanza);
        else await onUserPresence(ctx, stanza);
      } catch (err) {
        logUnexpected(ctx, err, stanza);
        const reply = bounce(stanza, errorFor(err));
        if (reply) await ctx.link.send(reply).catch(() => undefined);
      }
    };
    if (stanza.name === "presence" && SUBSCRIPTION_TYPES.has(stanza.attrs.type ?? "")) {
      // Each answer to a subscription change makes the XMPP server rewrite a roster: a burst from
      // one user is taken one at a time, paced, and bounded, so it cannot starve everyone else.
      if (subscriptions.pending(user) >= MAX_PENDING_SUBSCRIPTIONS) {
        ctx.log.warn({ pending: MAX_PENDING_SUBSCRIPTIONS }, "subscription flood from one user; dropping the excess");
        return;
      }
      await subscriptions.run(user, async () => {
        await handle();
        await new Promise((resolve) => setTimeout(resolve, SUBSCRIPTION_PACE_MS));
      });
      return;
    }
    await conversations.run(`${user} ${bareJid(stanza.attrs.to ?? "")}`, handle);
  });

  let closing = false;
  return {
    async close(budgetMs: number) {
      closing = true;
      const settled = Promise.all([conversations.settled(), subscriptions.settled()]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, budgetMs)))]);
      clearTimeout(timer);
    },
  };
}

export interface Routes {
  /**
   * Stops taking messages (each one still arriving is answered service-unavailable) and waits,
   * at most `budgetMs`, for those being accepted to commit, so none is dropped unanswered.
   */
  close(budgetMs: number): Promise<void>;
}

const SUBSCRIPTION_TYPES = new Set(["subscribe", "subscribed", "unsubscribe", "unsubscribed"]);
const SUBSCRIPTION_PACE_MS = 20;
const MAX_PENDING_SUBSCRIPTIONS = 500;

function elementName(ns: string): string {
  return ns === NS.ping ? "ping" : ns === NS.vcard ? "vCard" : "query";
}

/** What the network knows of the contact an IQ is addressed to, as seen by the asking user. */
async function contactInfo(ctx: NetworkContext, stanza: Element) {
  if (!ctx.adapter.contactInfo) return undefined;
  const to = stanza.attrs.to ?? "";
  const registration = await ctx.gateway.registrations.find(bareJid(stanza.attrs.from ?? ""), ctx.network);
  if (!registration) return undefined;
  const account = ctx.gateway.registrations.account(registration);
  const parsed = ctx.adapter.parseAddress(addressOf(to.slice(0, to.indexOf("@"))), account);
  if (!parsed.ok) return undefined;
  return ctx.adapter.contactInfo(account, parsed.address).catch(() => undefined);
}

function logUnexpected(ctx: NetworkContext, err: unknown, stanza: Element): void {
  if (err instanceof GatewayError && err.condition !== "internal-server-error") {
    ctx.log.debug({ condition: err.condition, stanza: stanza.name }, "stanza refused");
  } else {
    ctx.log.error({ err, stanza: stanza.name }, "stanza handling failed");
  }
}
