import { GatewayError } from "../core/errors.ts";
import { withAdmin, type Admin } from "./admin.ts";
import type { CliContext } from "./context.ts";
import { register, unregister } from "./users.ts";

function pool(admin: Admin): string[] {
  const sms = admin.config.networks.sms;
  if (!sms) throw new GatewayError("service-unavailable", "the sms network is not enabled in the configuration (networks.sms)");
  return sms.twilio.numbers;
}

/** "+1 (555) 000-1111" → "+15550001111"; pool numbers are E.164 in the configuration. */
function normalise(number: string): string {
  return number.replace(/[\s().-]/g, "");
}

/** The operator's pool (networks.sms.twilio.numbers) and who holds each number. */
export async function runNumbersList(ctx: CliContext): Promise<number> {
  return withAdmin(ctx, {}, async (admin) => {
    const numbers = pool(admin);
    const holders = new Map((await admin.registrationStore.list("sms")).map((r) => [r.legacyAccountId, r.userJid]));
    const rows = numbers.map((number) => ({ number, user: holders.get(number) ?? null }));
    if (ctx.json) ctx.out(JSON.stringify(rows));
    else if (rows.length === 0) ctx.out("the pool is empty (networks.sms.twilio.numbers)");
    else for (const r of rows) ctx.out(`${r.number}\t${r.user ?? "free"}`);
    return 0;
  });
}

/** Registers the user on SMS with this pool number (as `users add <jid> --network sms number=<number>`). */
export async function runNumbersAssign(ctx: CliContext, number: string, jid: string): Promise<number> {
  return withAdmin(ctx, { adapters: true }, async (admin) => {
    const e164 = normalise(number);
    if (!pool(admin).includes(e164)) throw new GatewayError("not-acceptable", `${number} is not in the pool (networks.sms.twilio.numbers)`);
    const registered = await register(admin, jid, "sms", { number: e164 });
    if (ctx.json) ctx.out(JSON.stringify({ number: e164, user: jid, created: registered.created }));
    else ctx.out(`${e164} assigned to ${jid}`);
    return 0;
  });
}

/** Removes the SMS registration that holds the number. */
export async function runNumbersRelease(ctx: CliContext, number: string): Promise<number> {
  return withAdmin(ctx, { adapters: true }, async (admin) => {
    const e164 = normalise(number);
    const holder = await admin.registrationStore.findByAccount("sms", e164);
    if (!holder) throw new GatewayError("item-not-found", `nobody holds ${e164}`);
    const [removed] = await unregister(admin, holder.userJid, "sms");
    if (ctx.json) ctx.out(JSON.stringify({ number: e164, user: holder.userJid, contacts: removed?.contacts ?? 0 }));
    else ctx.out(`${e164} released from ${holder.userJid}`);
    return 0;
  });
}
