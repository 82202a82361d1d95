// Everything a fuzz run stands on: the test fixture (private Prosody, fresh database, Twilio
// simulator), the gateway as a child process at log level trace, and the cast of users.
//   alice  — the liveness probe: pings the gateway and texts a fixed number after every batch
//   bob    — a second registered user, for the access checks
//   carol  — never registers
//   rita   — only for the rate-limit check
//   olga   — registered with her own Twilio account (bring-your-own credentials)
//   pete   — receives the inbound texts that may poison the gateway (run last)
//   mallory — the attacker: registered, fuzzes over raw c2s connections
//   eve    — a second registered attacker, for the throwaway connections (hostile XML)
//   trudy  — a third, for the message storm (each attacker has its own rate-limit quota)
//   nina   — owns the Telegram bot (webhook mode) and the mail address nina@mail.example.test
//            that the telegram-webhook and smtp targets aim at
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { startFixture, HOST, SMS_DOMAIN, POOL, AUTH_TOKEN, ACCOUNT_SID, TELEGRAM_DOMAIN, EMAIL_DOMAIN, MAIL_DOMAIN, type Fixture } from "../../test/support/gatewayFixture.ts";
import { webhookSecrets, WEBHOOK_PREFIX } from "../../adapters/telegram/webhook.ts";
import type { TestUser } from "../../test/support/xmppUser.ts";
import { GatewayProcess } from "./gatewayProcess.ts";
import { RawClient } from "../xmpp/rawClient.ts";
import { FuzzSession } from "../xmpp/session.ts";
import type { Report } from "../report.ts";
import type { RegisterAim } from "../xmpp/gen/register.ts";

export const BYO = {
  sid: "AC" + "b0b0".repeat(8),
  token: "byo-auth-token-5f3a9c1e7d2b4a68",
  number: "+15557770001",
};

/** The fuzz bot: registered by nina in webhook mode. */
export const TG_BOT = { token: "987654:fuzz-webhook-bot-token-4c1d", id: 987654, username: "fuzz_hook_bot", senderId: 7101 };
/** nina's localpart at the mail domain. */
export const MAIL_LOCALPART = "nina";

export interface TelegramAim {
  token: string;
  /** The bot's webhook URL (publicUrl + /webhooks/telegram/<path secret>). */
  url: string;
  path: string;
  /** X-Telegram-Bot-Api-Secret-Token. */
  header: string;
  base: string;
  /** A Telegram user the simulator knows (for well-formed updates). */
  senderId: number;
}

export interface MailAim {
  smtp: { host: string; port: number };
  /** The registered address (nina's). */
  address: string;
  addressDomain: string;
  maxMessageBytes: number;
}

export interface Secrets {
  operatorSid: string;
  operatorToken: string;
  componentSecret: string;
  secretKey: string;
  byoToken: string;
}

export interface Cast {
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  rita: TestUser;
  olga: TestUser;
  pete: TestUser;
  malloryCtl: TestUser;
  trudy: TestUser;
  nina: TestUser;
}

export interface FuzzEnv {
  fx: Fixture;
  gw: GatewayProcess;
  db: pg.Client;
  domain: string;
  host: string;
  cast: Cast;
  /** The numbers the cast registered with (mallory's may change while fuzzing). */
  numbers: Record<"alice" | "bob" | "rita" | "olga" | "pete", string>;
  session: FuzzSession;
  secrets: Secrets;
  telegram: TelegramAim;
  mail: MailAim;
  /** Bodies each cast member legitimately sent, by the number they send from. */
  legit: Map<string, Set<string>>;
  aim(): RegisterAim;
  numberOf(bareJid: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface EnvOptions {
  /** networks.sms.rateLimit.perUserPerMinute for the run (the product default is 30). */
  perUserPerMinute: number;
  /** delivery.concurrency, when not the product default. */
  deliveryConcurrency?: number | undefined;
  /** The gateway's log level (trace for a real run: every line is searched for secrets). */
  logLevel?: string;
}

export async function startFuzzEnv(report: Report, log: (s: string) => void, o: EnvOptions): Promise<FuzzEnv> {
  const fx = await startFixture({ startGateway: false, perUserPerMinute: o.perUserPerMinute, networks: ["sms", "telegram", "email"], telegramMode: "webhook" });
  if (o.deliveryConcurrency !== undefined) {
    // The fixture has no option for it: edit its config file before the gateway reads it.
    const yaml = await fs.readFile(fx.configPath, "utf8");
    if (!yaml.includes("delivery: { ")) throw new Error("cannot set delivery.concurrency: the fixture's config has no 'delivery: { ' line");
    await fs.writeFile(fx.configPath, yaml.replace("delivery: { ", `delivery: { concurrency: ${o.deliveryConcurrency}, `));
    log(`delivery.concurrency set to ${o.deliveryConcurrency} in ${fx.configPath}`);
  }
  const gw = new GatewayProcess(fx.configPath, `${fx.publicUrl}/healthz`, o.logLevel ?? "trace");
  const db = new pg.Client({ connectionString: fx.db.url });
  db.on("error", () => {});
  try {
    await db.connect();
    log(`fixture up: prosody c2s ${fx.prosody.c2sPort}, component ${fx.prosody.componentPort}, http ${fx.httpPort}, twilio ${fx.twilio.url}`);
    await gw.start();
    log(`gateway child pid ${gw.pid} healthy (log level trace)`);

    fx.twilio.addAccount({ sid: BYO.sid, authToken: BYO.token, numbers: [BYO.number] });
    fx.sims.telegram!.addBot({ token: TG_BOT.token, id: TG_BOT.id, username: TG_BOT.username });
    fx.sims.telegram!.addUser({ id: TG_BOT.senderId, firstName: "Fuzzy" });
    const user = (name: string) => fx.user(name);
    const [alice, bob, carol, rita, olga, pete, malloryCtl, eve, trudy, nina] = await Promise.all(["alice", "bob", "carol", "rita", "olga", "pete", "mallory", "eve", "trudy", "nina"].map(user)) as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
    // One at a time: each takes the first free pool number.
    for (const u of [alice, bob, rita, pete, malloryCtl, eve, trudy]) await fx.registerSms(u);
    await eve.stop(); // eve only logs in over raw throwaway connections from now on
    await fx.registerSms(olga, { number: BYO.number, account_sid: BYO.sid, auth_token: BYO.token });

    // nina: the Telegram bot (webhook mode) and one mail address, for the telegram-webhook and smtp targets.
    await fx.register(nina, TELEGRAM_DOMAIN, { token: TG_BOT.token });
    await fx.register(nina, EMAIL_DOMAIN, { localpart: MAIL_LOCALPART });
    const tg = webhookSecrets(TG_BOT.token);
    const telegram: TelegramAim = { token: TG_BOT.token, url: `${fx.publicUrl}${WEBHOOK_PREFIX}${tg.path}`, path: tg.path, header: tg.header, base: fx.publicUrl, senderId: TG_BOT.senderId };
    const mail: MailAim = {
      smtp: fx.sims.inboundSmtp!,
      address: `${MAIL_LOCALPART}@${MAIL_DOMAIN}`,
      addressDomain: MAIL_DOMAIN,
      maxMessageBytes: fx.config.networks.email?.inbound.maxMessageBytes ?? 26_214_400,
    };
    log(`nina registered telegram bot ${TG_BOT.id} (webhook ${WEBHOOK_PREFIX}…) and ${mail.address} (SMTP ${mail.smtp.host}:${mail.smtp.port})`);

    const numberOf = async (bare: string): Promise<string | undefined> => {
      const res = await db.query<{ n: string }>(
        `SELECT r.legacy_account_id AS n FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.jid = $1 AND r.network = 'sms'`,
        [bare],
      );
      return res.rows[0]?.n;
    };
    const must = async (u: TestUser) => {
      const n = await numberOf(u.bare);
      if (!n) throw new Error(`${u.bare} has no SMS registration after registering`);
      return n;
    };
    const numbers = { alice: await must(alice), bob: await must(bob), rita: await must(rita), olga: await must(olga), pete: await must(pete) };
    log(`registered: ${Object.entries(numbers).map(([k, v]) => `${k} ${v}`).join(", ")}, mallory ${await numberOf(malloryCtl.bare)}`);

    const session = new FuzzSession({
      domain: SMS_DOMAIN,
      report,
      connect: (resource, presence) =>
        RawClient.connect({ host: "127.0.0.1", port: fx.prosody.c2sPort, domain: HOST, username: "mallory", password: "pw-mallory", resource, presence }),
      connectThrowaway: (resource) =>
        RawClient.connect({ host: "127.0.0.1", port: fx.prosody.c2sPort, domain: HOST, username: "eve", password: "pw-eve", resource, presence: false }),
    });

    const config = fx.config;
    const secrets: Secrets = {
      operatorSid: ACCOUNT_SID,
      operatorToken: AUTH_TOKEN,
      componentSecret: config.networks.sms?.secret ?? "",
      secretKey: config.secretKey,
      byoToken: BYO.token,
    };
    const knownNumbers = [numbers.alice, numbers.bob, numbers.olga];
    return {
      fx, gw, db, domain: SMS_DOMAIN, host: HOST,
      cast: { alice, bob, carol, rita, olga, pete, malloryCtl, trudy, nina },
      numbers, session, secrets, telegram, mail,
      legit: new Map(),
      aim: () => ({ domain: SMS_DOMAIN, host: HOST, knownNumbers, pool: POOL }),
      numberOf,
      async close() {
        session.close();
        await gw.stop().catch(() => undefined);
        await db.end().catch(() => undefined);
        await fx.close();
      },
    };
  } catch (err) {
    await gw.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await fx.close().catch(() => undefined);
    throw err;
  }
}

export function configDir(fx: Fixture): string {
  return path.dirname(fx.configPath);
}
