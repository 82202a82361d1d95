// The demo user is registered with every gateway before they log in, through the same path as
// `switchboard users add` (the XEP-0077 form's checks with the network, then the notification the
// running gateway acts on: it opens the account, asks to be on the user's roster and says hello;
// Prosody keeps both for the user until they log in).
import type { Logger } from "pino";
import type { App } from "../app.ts";
import { withAdminOn } from "../cli/admin.ts";
import { register } from "../cli/users.ts";

export interface DemoAccounts {
  sms: string;
  telegram: string;
  email: string;
}

export async function preregister(app: App, log: Logger, jid: string, botToken: string): Promise<DemoAccounts> {
  return withAdminOn(app.config, app.db, log, { adapters: true }, async (admin) => {
    const sms = await register(admin, jid, "sms", {}); // the first free pool number
    const telegram = await register(admin, jid, "telegram", { token: botToken });
    const email = await register(admin, jid, "email", { localpart: jid.split("@")[0]!, name: "Demo User" });
    return { sms: sms.legacyAccountId, telegram: telegram.legacyAccountId, email: email.legacyAccountId };
  });
}
