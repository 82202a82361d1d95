import type { NetworkName } from "../core/adapter.ts";
import { GatewayError } from "../core/errors.ts";
import type { StoredRegistration } from "../store/registrations.ts";
import { publishRegistrationEvent } from "../store/registrationEvents.ts";
import type { RegistrationSummary } from "../store/adminQueries.ts";
import { adapterFor, withAdmin, type Admin } from "./admin.ts";
import { NETWORKS } from "./args.ts";
import { UsageError } from "./usage.ts";
import type { CliContext } from "./context.ts";

export async function runUsersList(ctx: CliContext): Promise<number> {
  return withAdmin(ctx, {}, async ({ registrationStore }) => {
    const rows = await registrationStore.list();
    const users = rows.map((r) => ({ jid: r.userJid, network: r.network, account: r.legacyAccountId, state: r.state, registeredAt: r.createdAt.toISOString() }));
    if (ctx.json) ctx.out(JSON.stringify(users));
    else if (users.length === 0) ctx.out("no registered users");
    else for (const u of users) ctx.out(`${u.jid}\t${u.network}\t${u.account}\t${u.state}\t${u.registeredAt}`);
    return 0;
  });
}

/** How an operator recognises the legacy account: the number, @bot username, or mail address. */
export function accountLabel(r: Pick<RegistrationSummary, "network" | "legacyAccountId" | "settings">): string {
  if (r.network === "telegram" && typeof r.settings.username === "string") return `@${r.settings.username} (bot ${r.legacyAccountId})`;
  if (r.network === "sms" && r.settings.byo === true) return `${r.legacyAccountId} (own Twilio number)`;
  return r.legacyAccountId;
}

export async function runUsersShow(ctx: CliContext, jid: string): Promise<number> {
  return withAdmin(ctx, {}, async ({ queries }) => {
    const found = await queries.registrationsOf(jid);
    if (found.length === 0) throw new GatewayError("item-not-found", `${jid} is not registered with any network`);
    const registrations = found.map((r) => ({
      network: r.network,
      account: accountLabel(r),
      accountId: r.legacyAccountId,
      state: r.state,
      reason: r.stateReason,
      createdAt: r.createdAt.toISOString(),
      contacts: r.contacts,
      queued: r.queued,
      failed: r.failed,
      inboxPending: r.inboxPending,
    }));
    if (ctx.json) {
      ctx.out(JSON.stringify({ jid, registrations }));
      return 0;
    }
    ctx.out(jid);
    for (const r of registrations) {
      const state = r.reason ? `${r.state}: ${r.reason}` : r.state;
      ctx.out(`  ${r.network}\t${r.account}\t${state}\tsince ${r.createdAt}\t${r.contacts} contacts, ${r.queued} queued, ${r.failed} failed, ${r.inboxPending} waiting for XMPP`);
    }
    return 0;
  });
}

export async function runUsersAdd(ctx: CliContext, jid: string, network: NetworkName, fields: Record<string, string>): Promise<number> {
  return withAdmin(ctx, { adapters: true }, async (admin) => {
    const registered = await register(admin, jid, network, fields);
    if (ctx.json) ctx.out(JSON.stringify({ jid, network, account: registered.legacyAccountId, created: registered.created }));
    else ctx.out(`${registered.created ? "registered" : "re-registered"} ${jid} on ${network} as ${accountLabel(registered)}`);
    return 0;
  });
}

/**
 * Registers exactly as an XEP-0077 form submission does (same service, same checks with the
 * network), then tells running gateways so they start receiving and greet the user.
 */
export async function register(
  admin: Admin,
  jid: string,
  network: NetworkName,
  fields: Record<string, string>,
): Promise<StoredRegistration & { created: boolean }> {
  const adapter = adapterFor(admin, network);
  const { form } = await admin.registrations.form(adapter, jid);
  const known = new Set(form.fields.map((f) => f.var));
  const unknown = Object.keys(fields).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown ${network} registration field: ${unknown.join(", ")} (the form has: ${[...known].join(", ")})`);
  }
  const current = await admin.registrations.find(jid, network);
  const { registration, created, welcome } = await admin.registrations.register(adapter, jid, fields);
  const replaced = current && current.legacyAccountId !== registration.legacyAccountId ? sealed(current) : undefined;
  await publishRegistrationEvent(admin.db.ds, {
    op: "registered",
    user: jid,
    network,
    registrationId: registration.id,
    created,
    ...(welcome ? { welcome } : {}),
    ...(replaced ? { replaced } : {}),
  });
  return { ...registration, created };
}

export async function runUsersRemove(ctx: CliContext, jid: string, network: NetworkName | undefined): Promise<number> {
  return withAdmin(ctx, { adapters: true }, async (admin) => {
    const removed = await unregister(admin, jid, network);
    if (ctx.json) ctx.out(JSON.stringify({ jid, removed }));
    else for (const r of removed) ctx.out(`removed ${jid} from ${r.network} (${r.account}; ${r.contacts} contacts)`);
    return 0;
  });
}

/**
 * Unregisters exactly as XEP-0077 <remove/> does, on one network or all the user has; running
 * gateways then stop receiving for the account and clean the user's roster.
 */
export async function unregister(
  admin: Admin,
  jid: string,
  network: NetworkName | undefined,
): Promise<Array<{ network: NetworkName; account: string; contacts: number }>> {
  const current: StoredRegistration[] = [];
  for (const n of network ? [network] : NETWORKS) {
    const r = await admin.registrations.find(jid, n);
    if (r) current.push(r);
  }
  if (current.length === 0) throw new GatewayError("item-not-found", `${jid} is not registered${network ? ` on ${network}` : " with any network"}`);
  const removed = [];
  for (const r of current) {
    const adapter = admin.adapters.get(r.network);
    let addresses: string[];
    if (adapter) {
      addresses = await admin.registrations.unregister(adapter, jid);
    } else {
      // The network is off in this configuration: nothing can be told to it, the rows still go.
      addresses = (await admin.queries.contactsOf(jid, r.network)).map((c) => c.legacyAddress);
      await admin.registrationStore.remove(r.id);
    }
    await publishRegistrationEvent(admin.db.ds, { op: "unregistered", user: jid, network: r.network, account: sealed(r), addresses });
    removed.push({ network: r.network, account: r.legacyAccountId, contacts: addresses.length });
  }
  return removed;
}

function sealed(r: StoredRegistration) {
  return { legacyAccountId: r.legacyAccountId, credentials: r.credentials, settings: r.settings };
}
