import type { Logger } from "pino";
import type { Adapter, NetworkName } from "../core/adapter.ts";
import type { Gateway } from "../core/gateway.ts";
import type { ComponentLink } from "./componentLink.ts";
import type { UserPresence } from "./userPresence.ts";
import { escapeLocalpart, unescapeLocalpart } from "../core/jidEscape.ts";

/** Everything a stanza handler needs about the one network its component domain serves. */
export interface NetworkContext {
  network: NetworkName;
  domain: string;
  adapter: Adapter;
  link: ComponentLink;
  gateway: Gateway;
  log: Logger;
  version: string;
  /** Which users are online (their presence to the gateway domain). */
  presence: UserPresence;
}

/**
 * The JID of a contact: its legacy address, XEP-0106 escaped, at the network's domain, in the
 * case-folded form servers compare JIDs in (the original spelling stays in the contact row).
 */
export function contactJid(ctx: Pick<NetworkContext, "domain">, address: string): string {
  return `${escapeLocalpart(address).toLowerCase()}@${ctx.domain}`;
}

/** The legacy address a JID localpart stands for (as typed; the adapter normalises it). */
export function addressOf(localpart: string): string {
  return unescapeLocalpart(localpart);
}

export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** The resource part of a JID ("" for a bare JID). */
export function resourceOf(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? "" : jid.slice(slash + 1);
}
