import type { NetworkName } from "../core/adapter.ts";
import { GatewayError } from "../core/errors.ts";
import { contactJid } from "../xmpp/networkContext.ts";
import { withAdmin } from "./admin.ts";
import type { CliContext } from "./context.ts";

/** The user's contacts: the JID on our component domain, the legacy address, name, subscription. */
export async function runContactsList(ctx: CliContext, jid: string, network: NetworkName | undefined): Promise<number> {
  return withAdmin(ctx, {}, async ({ config, queries }) => {
    const registrations = (await queries.registrationsOf(jid)).filter((r) => !network || r.network === network);
    if (registrations.length === 0) throw new GatewayError("item-not-found", `${jid} is not registered${network ? ` on ${network}` : " with any network"}`);
    const contacts = (await queries.contactsOf(jid, network)).map((c) => {
      const domain = config.networks[c.network]?.domain;
      return {
        network: c.network,
        jid: domain ? contactJid({ domain }, c.legacyAddress) : null,
        address: c.legacyAddress,
        name: c.displayName,
        subscription: c.subscription,
      };
    });
    if (ctx.json) ctx.out(JSON.stringify(contacts));
    else if (contacts.length === 0) ctx.out(`${jid} has no contacts${network ? ` on ${network}` : ""}`);
    else for (const c of contacts) ctx.out(`${c.jid ?? `(${c.network} is off)`}\t${c.address}\t${c.name ?? ""}\t${c.subscription}`);
    return 0;
  });
}
