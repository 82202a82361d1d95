import { bareJid, resourceOf } from "./networkContext.ts";

/**
 * Which users are online, as far as their presence to the gateway domain tells (users approve
 * the gateway's subscription when they register, so their servers send it every change, and
 * answer the probes sent at link-up). What it is for: after the gateway (re)starts, a user who is
 * online gets their contacts' presence again — the goodbye on shutdown withdrew it, and the
 * user's server probes contacts only when the user logs in — and the goodbye skips users known
 * to be offline, whose servers would discard it anyway.
 */
export class UserPresence {
  /** Available resources per bare JID. */
  private readonly online = new Map<string, Set<string>>();
  /** Users with no available resource, by their own server's word. */
  private readonly offline = new Set<string>();
  /** Users whose contacts' presence was sent since the link came up. */
  private readonly greeted = new Set<string>();

  /** The link came (back) up: whatever was known is stale. */
  reset(): void {
    this.online.clear();
    this.offline.clear();
    this.greeted.clear();
  }

  /** Available presence from `fullJid`. True when the user's contacts should be shown to them now. */
  available(fullJid: string): boolean {
    const user = bareJid(fullJid);
    const resources = this.online.get(user) ?? new Set<string>();
    resources.add(resourceOf(fullJid));
    this.online.set(user, resources);
    this.offline.delete(user);
    if (this.greeted.has(user)) return false;
    this.greeted.add(user);
    return true;
  }

  /**
   * Unavailable from one resource, or from the bare JID (a probe's answer: nobody online). Taken
   * from anyone, without a lookup (every user's server answers the link-up probes at once), so
   * the set is bounded: forgetting only costs goodbyes the server discards.
   */
  unavailable(jid: string): void {
    if (this.offline.size >= MAX_KNOWN_OFFLINE) this.offline.clear();
    const user = bareJid(jid);
    const resources = this.online.get(user);
    if (resources && jid.includes("/")) resources.delete(resourceOf(jid));
    if (!resources || !jid.includes("/") || resources.size === 0) {
      this.online.delete(user);
      this.offline.add(user);
    }
  }

  isKnownOffline(user: string): boolean {
    return this.offline.has(bareJid(user));
  }
}

const MAX_KNOWN_OFFLINE = 1_000_000;
