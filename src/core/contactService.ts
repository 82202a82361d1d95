import type { Account, Adapter } from "./adapter.ts";
import { GatewayError } from "./errors.ts";
import type { RegistrationStore, StoredRegistration } from "../store/registrations.ts";
import type { ContactStore, StoredContact, Subscription } from "../store/contacts.ts";

/** The user's contacts on one network, as their roster subscriptions change. */
export class ContactService {
  constructor(
    private readonly registrations: RegistrationStore,
    private readonly contacts: ContactStore,
    private readonly accountOf: (registration: StoredRegistration) => Account,
  ) {}

  private async registration(adapter: Adapter, userJid: string): Promise<StoredRegistration> {
    const r = await this.registrations.find(userJid, adapter.network);
    if (!r) throw new GatewayError("registration-required", "You must register with this gateway before adding contacts.");
    return r;
  }

  /**
   * The user subscribed to a contact: create it (idempotent) and record the subscription.
   * `repeat` is true when it was already subscribed (nothing new to tell the user).
   */
  async subscribe(adapter: Adapter, userJid: string, input: string): Promise<{ contact: StoredContact; repeat: boolean }> {
    const r = await this.registration(adapter, userJid);
    const parsed = adapter.parseAddress(input, this.accountOf(r));
    if (!parsed.ok) throw new GatewayError("item-not-found", parsed.reason);
    const { contact, previous } = await this.contacts.subscribe(r.id, parsed.address, adapter.displayName(parsed.address));
    return { contact, repeat: previous === "both" };
  }

  async find(adapter: Adapter, userJid: string, input: string): Promise<StoredContact | undefined> {
    const r = await this.registrations.find(userJid, adapter.network);
    if (!r) return undefined;
    const parsed = adapter.parseAddress(input, this.accountOf(r));
    if (!parsed.ok) return undefined;
    return this.contacts.find(r.id, parsed.address);
  }

  async setSubscription(contact: StoredContact, subscription: Subscription): Promise<void> {
    await this.contacts.setSubscription(contact.id, subscription);
  }

  /** The user removed the contact from their roster. */
  async remove(contact: StoredContact): Promise<void> {
    await this.contacts.remove(contact.id);
  }

  list(registrationId: string): Promise<StoredContact[]> {
    return this.contacts.list(registrationId);
  }
}
