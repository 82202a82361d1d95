import type { Logger } from "pino";
import type { Account, Adapter, FormSpec, NetworkName, RegistrationContext } from "./adapter.ts";
import { GatewayError } from "./errors.ts";
import type { RegistrationStore, StoredRegistration } from "../store/registrations.ts";
import type { ContactStore } from "../store/contacts.ts";
import type { SecretBox } from "../crypto/secretBox.ts";

export interface AccessPolicy {
  allowedDomains: string[];
}

/** Registering, re-registering and unregistering users with one network (XEP-0077/XEP-0100 §4). */
export class RegistrationService {
  constructor(
    private readonly registrations: RegistrationStore,
    private readonly contacts: ContactStore,
    private readonly secrets: SecretBox,
    private readonly access: AccessPolicy,
    private readonly log: Logger,
  ) {}

  /** Throws `forbidden` when the user's server is not one the operator serves. */
  checkAllowed(userJid: string): void {
    const domain = userJid.split("@").pop()!.toLowerCase();
    const allowed = this.access.allowedDomains;
    if (allowed.length > 0 && !allowed.some((d) => d.toLowerCase() === domain)) {
      throw new GatewayError("forbidden", `Users of ${domain} may not register with this gateway.`);
    }
  }

  find(userJid: string, network: NetworkName): Promise<StoredRegistration | undefined> {
    return this.registrations.find(userJid, network);
  }

  /** Decrypted accounts of the registration objects the cache hands out: one decryption each. */
  private readonly accounts = new WeakMap<StoredRegistration, Account>();

  /** The stored account with its credentials decrypted. */
  account(registration: StoredRegistration): Account {
    let account = this.accounts.get(registration);
    if (!account) {
      account = this.open(registration);
      this.accounts.set(registration, account);
    }
    return account;
  }

  private open(registration: StoredRegistration): Account {
    return {
      legacyAccountId: registration.legacyAccountId,
      credentials: registration.credentials ? JSON.parse(this.secrets.open(registration.credentials)) : undefined,
      settings: registration.settings,
      cursor: registration.cursor ?? undefined,
    };
  }

  async form(adapter: Adapter, userJid: string): Promise<{ form: FormSpec; registered: boolean }> {
    this.checkAllowed(userJid);
    const current = await this.registrations.find(userJid, adapter.network);
    const form = await adapter.registrationForm(this.context(adapter, userJid, current));
    return { form, registered: current !== undefined };
  }

  async register(
    adapter: Adapter,
    userJid: string,
    fields: Record<string, string>,
  ): Promise<{ registration: StoredRegistration; created: boolean; welcome?: string }> {
    this.checkAllowed(userJid);
    const current = await this.registrations.find(userJid, adapter.network);
    const { account, welcome } = await adapter.register(this.context(adapter, userJid, current), fields);
    const saved = await this.registrations.save(userJid, adapter.network, {
      legacyAccountId: account.legacyAccountId,
      credentials: account.credentials ? this.secrets.seal(JSON.stringify(account.credentials)) : null,
      settings: account.settings ?? {},
    });
    if (!saved) throw new GatewayError("conflict", `${account.legacyAccountId} is already registered by another user.`);
    if (current && current.legacyAccountId !== account.legacyAccountId) {
      await adapter.unregistered?.(this.account(current));
    }
    await adapter.openAccount?.(this.account(saved.registration));
    this.log.info({ user: userJid, network: adapter.network, created: saved.created }, "registered");
    return { ...saved, welcome };
  }

  /** Removes the registration; returns the contact addresses the user's roster should lose. */
  async unregister(adapter: Adapter, userJid: string): Promise<string[]> {
    const current = await this.registrations.find(userJid, adapter.network);
    if (!current) throw new GatewayError("registration-required", "You are not registered with this gateway.");
    const addresses = (await this.contacts.list(current.id)).map((c) => c.legacyAddress);
    await this.registrations.remove(current.id);
    await adapter.unregistered?.(this.account(current));
    this.log.info({ user: userJid, network: adapter.network }, "unregistered");
    return addresses;
  }

  private context(adapter: Adapter, userJid: string, current: StoredRegistration | undefined): RegistrationContext {
    return {
      userJid,
      current: current ? this.account(current) : undefined,
      takenByOthers: () => this.registrations.takenByOthers(adapter.network, userJid),
    };
  }
}
