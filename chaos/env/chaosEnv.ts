// Everything the run needs, started and wired: the fixture (private Prosody with offline storage,
// a fresh PostgreSQL database, the three network simulators), a fault proxy in front of each
// network API, the gateway as a child process pointed at the proxies, and one XMPP user
// registered on all three networks with one contact each.
import { escapeLocalpart } from "../../src/core/jidEscape.ts";
import { EMAIL_DOMAIN, MAIL_DOMAIN, POOL, SMS_DOMAIN, TELEGRAM_DOMAIN, startFixture, type Fixture } from "../../test/support/gatewayFixture.ts";
import type { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import type { MailRelaySink } from "../../adapters/email/simulator/index.ts";
import type { ChaosOptions } from "../args.ts";
import { Ledger } from "../ledger.ts";
import { HttpFaultProxy } from "../proxy/httpFaultProxy.ts";
import { RelayPolicy } from "../proxy/relayPolicy.ts";
import { SmtpFaultProxy } from "../proxy/smtpFaultProxy.ts";
import { TelegramPolicy } from "../proxy/telegramPolicy.ts";
import { TwilioPolicy } from "../proxy/twilioPolicy.ts";
import { Rng } from "../../test/support/rng.ts";
import type { Network } from "../types.ts";
import { ChatUser } from "../xmpp/chatUser.ts";
import { relayAddressOf, writeChaosConfig } from "./chaosConfig.ts";
import { GatewayProcess } from "./gatewayProcess.ts";
import { enableOfflineStorage } from "./prosodyOffline.ts";
import { establishContacts } from "./setup.ts";

export const BOT = { token: "424242:chaos-bot-token-0123456789", id: 424242, username: "chaos_relay_bot" };
export const TG_PERSON = { id: 7001, firstName: "Tanya", lastName: "Chaos" };

export interface Contact {
  network: Network;
  /** The contact's JID as the user writes to it (lower case). */
  jid: string;
  /** The contact's address on the network. */
  address: string;
  /** The user's own account on the network (pool number, bot id, mail address). */
  account: string;
}

export interface ChaosEnv {
  fx: Fixture;
  telegram: TelegramSimulator;
  relay: MailRelaySink;
  inboundSmtp: { host: string; port: number };
  ledger: Ledger;
  gateway: GatewayProcess;
  user: ChatUser;
  policies: { sms: TwilioPolicy; telegram: TelegramPolicy; email: RelayPolicy };
  contacts: Record<Network, Contact>;
  close(): Promise<void>;
}

export async function startChaosEnv(opts: ChaosOptions, log: (line: string) => void): Promise<ChaosEnv> {
  const fx = await startFixture({ networks: ["sms", "telegram", "email"], startGateway: false, retryBudgetSeconds: 3600 });
  const closers: Array<() => Promise<void>> = [() => fx.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  };
  try {
    await enableOfflineStorage(fx.prosody);
    const telegram = fx.sims.telegram!;
    const relay = fx.sims.relay!;
    const ledger = new Ledger();
    const policies = {
      sms: new TwilioPolicy(fx.twilio, Rng.derive(opts.seed, "twilio"), 0, ledger),
      telegram: new TelegramPolicy(telegram, BOT.token, Rng.derive(opts.seed, "telegram"), 0, ledger),
      email: new RelayPolicy(relay, Rng.derive(opts.seed, "relay"), 0, ledger),
    };
    const twilioProxy = new HttpFaultProxy(fx.twilio.url, policies.sms);
    const telegramProxy = new HttpFaultProxy(telegram.url, policies.telegram);
    const smtpProxy = new SmtpFaultProxy(await relayAddressOf(fx.configPath), policies.email);
    await Promise.all([twilioProxy.start(), telegramProxy.start(), smtpProxy.start()]);
    closers.push(() => twilioProxy.stop(), () => telegramProxy.stop(), () => smtpProxy.stop());
    const config = await writeChaosConfig(
      fx.configPath,
      { twilioUrl: fx.twilio.url, telegramUrl: telegram.url },
      { twilioApiBase: twilioProxy.url, telegramApiRoot: telegramProxy.url, smtpPort: smtpProxy.port },
    );

    const gateway = new GatewayProcess(config, `${fx.publicUrl}/healthz`, opts.gatewayLog);
    closers.push(() => gateway.close());
    await gateway.start();

    await fx.prosody.register("alice", "pw-alice");
    const user = new ChatUser({ service: `xmpp://127.0.0.1:${fx.prosody.c2sPort}`, domain: fx.prosody.host, username: "alice", password: "pw-alice", log });
    closers.push(() => user.stop());
    await user.connect();

    telegram.addBot({ token: BOT.token, id: BOT.id, username: BOT.username, firstName: "Chaos relay" });
    telegram.addUser(TG_PERSON);
    const account = POOL[0]!;
    const contacts: Record<Network, Contact> = {
      sms: { network: "sms", address: "+15550107000", jid: `+15550107000@${SMS_DOMAIN}`, account },
      telegram: { network: "telegram", address: String(TG_PERSON.id), jid: `${TG_PERSON.id}@${TELEGRAM_DOMAIN}`, account: String(BOT.id) },
      email: { network: "email", address: "bob@outside.example", jid: `${escapeLocalpart("bob@outside.example")}@${EMAIL_DOMAIN}`.toLowerCase(), account: `alice@${MAIL_DOMAIN}` },
    };
    const inboundSmtp = fx.sims.inboundSmtp!;
    await fx.register(user.session, SMS_DOMAIN, { number: account });
    await fx.register(user.session, TELEGRAM_DOMAIN, { token: BOT.token });
    await fx.register(user.session, EMAIL_DOMAIN, { localpart: "alice" });
    await establishContacts({ fx, telegram, inboundSmtp, user, contacts, token: BOT.token });

    return { fx, telegram, relay, inboundSmtp, ledger, gateway, user, policies, contacts, close };
  } catch (err) {
    await close();
    throw err;
  }
}
