// The running gateway's side of registrations changed by the CLI: what the XMPP registration
// handler does right after it registers or unregisters someone, done on a notification instead.
import type { Logger } from "pino";
import type { Config } from "./config/schema.ts";
import type { Account, NetworkName } from "./core/adapter.ts";
import type { Gateway } from "./core/gateway.ts";
import { createSecretBox, type SecretBox } from "./crypto/secretBox.ts";
import { RegistrationEventListener, type RegistrationEvent, type SealedAccount } from "./store/registrationEvents.ts";
import type { NetworkContext } from "./xmpp/networkContext.ts";
import { sendRosterCleanup, sendWelcome } from "./xmpp/registration.ts";
import type { XmppSide } from "./xmpp/xmppSide.ts";

export interface RegistrationSyncDeps {
  url: string;
  config: Config;
  gateway: Gateway;
  xmpp: XmppSide;
  log: Logger;
  version: string;
}

export class RegistrationSync {
  private readonly listener: RegistrationEventListener;
  private readonly secrets: SecretBox;

  constructor(private readonly deps: RegistrationSyncDeps) {
    this.secrets = createSecretBox(deps.config.secretKey);
    this.listener = new RegistrationEventListener(deps.url, deps.log, (e) => this.handle(e), () => this.reopenAll());
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  /** Same order as RegistrationService.register/unregister followed by the XMPP handler's follow-up. */
  async handle(event: RegistrationEvent): Promise<void> {
    // The message paths' RegistrationCache only hears of changes made in this process.
    this.deps.gateway.registrationStore.changed();
    const ctx = this.context(event.network);
    if (!ctx) {
      this.deps.log.warn({ network: event.network }, "a registration change for a network this gateway does not run");
      return;
    }
    const { adapter, gateway } = ctx;
    if (event.op === "registered") {
      if (event.replaced) await adapter.unregistered?.(this.open(event.replaced));
      const registration = await gateway.registrationStore.findById(event.registrationId);
      // Removed or replaced again since the notification was sent: a later one covers it.
      if (!registration || registration.userJid !== event.user) return;
      await adapter.openAccount?.(gateway.registrations.account(registration));
      await sendWelcome(ctx, event.user, event.created, event.welcome);
      this.deps.log.info({ user: event.user, network: event.network }, "registered by an admin command");
    } else {
      await adapter.unregistered?.(this.open(event.account));
      await sendRosterCleanup(ctx, event.user, event.addresses);
      this.deps.log.info({ user: event.user, network: event.network }, "unregistered by an admin command");
    }
  }

  /**
   * After the listening connection was cut, notifications may have been missed: open every active
   * account again (openAccount keeps one that is already open). Missed removals are not caught.
   */
  private async reopenAll(): Promise<void> {
    const { gateway, log } = this.deps;
    for (const adapter of gateway.adapters.values()) {
      if (!adapter.openAccount) continue;
      for (const r of await gateway.registrationStore.list(adapter.network)) {
        if (r.state !== "active") continue;
        await adapter.openAccount(gateway.registrations.account(r)).catch((err) => log.warn({ err, network: adapter.network }, "could not open an account"));
      }
    }
  }

  private open(sealed: SealedAccount): Account {
    return {
      legacyAccountId: sealed.legacyAccountId,
      credentials: sealed.credentials ? JSON.parse(this.secrets.open(sealed.credentials)) : undefined,
      settings: sealed.settings,
    };
  }

  private context(network: NetworkName): NetworkContext | undefined {
    const { config, gateway, xmpp, log, version } = this.deps;
    const adapter = gateway.adapters.get(network);
    const link = xmpp.links.get(network);
    const domain = config.networks[network]?.domain;
    if (!adapter || !link || !domain) return undefined;
    return { network, domain, adapter, link, gateway, log: log.child({ network }), version, presence: xmpp.presenceOf(network) };
  }
}

