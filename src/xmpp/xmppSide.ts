import xml from "@xmpp/xml";
import type { Logger } from "pino";
import type { Adapter, NetworkName } from "../core/adapter.ts";
import type { Gateway } from "../core/gateway.ts";
import type { UserEvent, UserLink } from "../core/userLink.ts";
import { ComponentLink } from "./componentLink.ts";
import { contactJid, type NetworkContext } from "./networkContext.ts";
import { UserPresence } from "./userPresence.ts";
import { installRoutes, type Routes } from "./router.ts";

/** How long a stopping gateway waits for messages being accepted to commit. */
const ACCEPT_BUDGET_MS = 5000;
import { renderEvent } from "./render.ts";

const GOODBYE_BUDGET_MS = 5_000;

export interface ComponentConfig {
  network: NetworkName;
  domain: string;
  secret: string;
}

/**
 * The XMPP side: one component link per enabled network. It is the core's UserLink, and tells
 * the core when a link comes back so queued events flow again.
 */
export class XmppSide implements UserLink {
  private readonly contexts = new Map<NetworkName, NetworkContext>();
  private readonly routes = new Map<NetworkName, Routes>();
  readonly links = new Map<NetworkName, ComponentLink>();
  /** Which users are online, per network (see UserPresence). */
  readonly userPresence = new Map<NetworkName, UserPresence>();

  constructor(
    server: { host: string; port: number },
    private readonly components: ComponentConfig[],
    private readonly log: Logger,
    private readonly version: string,
  ) {
    for (const c of components) {
      this.links.set(c.network, new ComponentLink({ host: server.host, port: server.port, domain: c.domain, secret: c.secret, log }));
    }
  }

  /** Wires the handlers; the gateway exists only after the links (it needs this UserLink). */
  attach(gateway: Gateway, adapters: Map<NetworkName, Adapter>): void {
    for (const c of this.components) {
      const link = this.links.get(c.network)!;
      const ctx: NetworkContext = {
        network: c.network,
        domain: c.domain,
        adapter: adapters.get(c.network)!,
        link,
        gateway,
        log: this.log.child({ network: c.network }),
        version: this.version,
        presence: this.presenceOf(c.network),
      };
      this.contexts.set(c.network, ctx);
      this.routes.set(c.network, installRoutes(ctx));
      link.onUp(() => {
        ctx.presence.reset();
        void this.announce(ctx).catch((err) => ctx.log.warn({ err }, "could not announce presence"));
        void gateway.inboxWorker.resume(c.network).catch((err) => ctx.log.warn({ err }, "could not resume inbox delivery"));
      });
    }
  }

  presenceOf(network: NetworkName): UserPresence {
    let known = this.userPresence.get(network);
    if (!known) this.userPresence.set(network, (known = new UserPresence()));
    return known;
  }

  async start(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.start()));
  }

  /** Says goodbye (unavailable from the gateway and every contact), then closes the links. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.contexts.values()].map(async (ctx) => {
        await this.routes.get(ctx.network)?.close(ACCEPT_BUDGET_MS);
        if (ctx.link.isUp) {
          try {
            await this.goodbye(ctx);
          } catch (err) {
            ctx.log.warn({ err }, "could not send unavailable presence on shutdown");
          }
        }
        await ctx.link.stop();
      }),
    );
  }

  isUp(network: NetworkName): boolean {
    return this.links.get(network)?.isUp ?? false;
  }

  async deliver(network: NetworkName, userJid: string, events: UserEvent[]): Promise<void> {
    const ctx = this.contexts.get(network);
    if (!ctx) throw new Error(`no component for ${network}`);
    await ctx.link.send(...events.flatMap((e) => renderEvent(ctx, userJid, e)));
  }

  health(): Record<string, { domain: string; state: string; error?: string }> {
    const out: Record<string, { domain: string; state: string; error?: string }> = {};
    for (const [network, link] of this.links) out[network] = { domain: link.domain, state: link.state, ...(link.lastError ? { error: link.lastError } : {}) };
    return out;
  }

  /**
   * Presence from the gateway to every registered user, so their rosters show it online, and a
   * probe of each: their servers answer with the user's presence (online resources, or
   * unavailable), which shows them their contacts again (presence.ts) and tells the goodbye whom
   * to skip.
   */
  private async announce(ctx: NetworkContext): Promise<void> {
    const registrations = await ctx.gateway.registrationStore.list(ctx.network);
    // Written in chunks: one socket write per 500 users rather than one per user. The probes go
    // after every user has the presence: with 10,000 users, interleaving them made the last user
    // see the gateway online 1.5 s later.
    for (const type of [undefined, "probe"]) {
      for (let i = 0; i < registrations.length; i += 500) {
        await ctx.link.send(...registrations.slice(i, i + 500).map((r) => xml("presence", { from: ctx.domain, to: r.userJid, ...(type ? { type } : {}) })));
      }
    }
  }

  /**
   * Unavailable from the gateway, then from every contact whose presence the user sees (users
   * known to be offline left out), written in
   * chunks. This runs against the shutdown deadline: with a million subscribed contacts the XMPP
   * server could not take them all in time, so the gateway's own goes first and the rest stop at
   * GOODBYE_BUDGET_MS (logged).
   */
  private async goodbye(ctx: NetworkContext): Promise<void> {
    const started = Date.now();
    // A user whose server said they are offline would have it discarded (RFC 6121 §4.5.3.2).
    const shown = (await ctx.gateway.registrationStore.presenceTargets(ctx.network)).filter((t) => !ctx.presence.isKnownOffline(t.userJid));
    for (let i = 0; i < shown.length; i += 500) {
      if (Date.now() - started > GOODBYE_BUDGET_MS) {
        ctx.log.warn({ sent: i, total: shown.length }, "shutdown: not every contact's unavailable presence was sent in time");
        return;
      }
      await ctx.link.send(
        ...shown.slice(i, i + 500).map((t) =>
          xml("presence", { type: "unavailable", from: t.address === null ? ctx.domain : contactJid(ctx, t.address), to: t.userJid }),
        ),
      );
    }
  }

}
