// Everything the benchmark runs against: a private Prosody, PostgreSQL, the network simulators (in
// this process: Twilio, Telegram's Bot API, the outbound SMTP relay), the gateway's config, and the
// logged-in benchmark users. The gateway process itself is started and stopped per measurement
// (GatewayProcess).
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { MailRelaySink } from "../../adapters/email/simulator/index.ts";
import { startProsody, type ProsodyInstance } from "../../test/support/prosody.ts";
import { getFreePorts } from "../../test/support/ports.ts";
import { openBenchDatabase, type BenchDatabase } from "./database.ts";
import { dbActivity } from "./dbActivity.ts";
import { writeGatewayConfig } from "./gatewayConfig.ts";
import { GatewayProcess } from "./gatewayProcess.ts";
import { tapSimulator, tapTelegram, type SimulatorTap, type TelegramTap } from "./simulatorTap.ts";
import { RawClient } from "../xmpp/rawClient.ts";

// The same names as the integration tests' fixture (test/support/gatewayFixture.ts).
export const HOST = "example.test";
export const SMS_DOMAIN = "sms.example.test";
export const TELEGRAM_DOMAIN = "telegram.example.test";
export const EMAIL_DOMAIN = "email.example.test";
/** The mail domain users get addresses in (networks.email.addressDomain). */
export const MAIL_DOMAIN = "mail.example.test";
const COMPONENT_SECRET = "bench-component-secret";
export const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
export const AUTH_TOKEN = "bench-operator-auth-token-0123456789";
const RELAY_USER = "relay";
const RELAY_PASSWORD = "bench-relay-password";

export interface BenchUser {
  /** Named to sort after the scale run's users, so the last presence of a startup announce is ours. */
  username: string;
  /** The pool number the user registers with. */
  number: string;
  /** The user's own Telegram bot (as from @BotFather), registered with the Telegram gateway. */
  bot: { id: number; token: string; username: string };
  /** The user's address at the email gateway (localpart registered, @MAIL_DOMAIN). */
  email: string;
  client: RawClient;
}

export interface EnvOptions {
  users: number;
  durableDb: boolean;
  concurrency: number | undefined;
  profile: boolean;
  logLevel: string;
}

export class BenchEnv {
  gateway: GatewayProcess | undefined;
  private gatewayStarts = 0;

  private constructor(
    readonly runDir: string,
    readonly prosody: ProsodyInstance,
    readonly db: BenchDatabase,
    readonly sim: TwilioSimulator,
    readonly tap: SimulatorTap,
    readonly telegram: TelegramSimulator,
    readonly telegramTap: TelegramTap,
    readonly relay: MailRelaySink,
    /** The gateway's inbound SMTP listener (networks.email.inbound.listen). */
    readonly inboundSmtp: { host: string; port: number },
    readonly httpPort: number,
    readonly configPath: string,
    readonly users: BenchUser[],
    readonly profileDir: string | undefined,
  ) {}

  static async start(o: EnvOptions): Promise<BenchEnv> {
    const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), "sb-bench-"));
    const names = Array.from({ length: o.users }, (_, i) => `zbench-${String(i + 1).padStart(3, "0")}`);
    const numbers = names.map((_, i) => `+1555000${String(1000 + i).padStart(4, "0")}`);
    const bots = names.map((_, i) => {
      const id = 700_000_001 + i;
      return { id, token: `${id}:bench-bot-token-${String(i + 1).padStart(3, "0")}`, username: `zbench${String(i + 1).padStart(3, "0")}bot` };
    });
    const [prosody, db] = await Promise.all([
      startProsody({
        host: HOST,
        components: [SMS_DOMAIN, TELEGRAM_DOMAIN, EMAIL_DOMAIN].map((domain) => ({ domain, secret: COMPONENT_SECRET })),
        users: names.map((username) => ({ username, password: `pw-${username}` })),
      }),
      openBenchDatabase({ durable: o.durableDb, runDir }),
    ]);
    // Picked once Prosody listens, so the kernel cannot hand out one of its ports again.
    const [httpPort, smtpPort] = (await getFreePorts(2)) as [number, number];
    const telegram = new TelegramSimulator();
    const telegramUrl = await telegram.start(0);
    for (const b of bots) telegram.addBot({ ...b, firstName: `Bench bot ${b.username}` });
    const telegramTap = tapTelegram(telegram, bots.map((b) => b.token));
    const relay = new MailRelaySink({ user: RELAY_USER, password: RELAY_PASSWORD });
    const relayAddress = await relay.start(0);
    const sim = new TwilioSimulator({ deliveryDelayMs: 20 });
    const tap = tapSimulator(sim);
    const apiBase = await sim.start(0);
    sim.addAccount({ sid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers });
    for (const n of numbers) sim.setSmsUrl(n, `http://127.0.0.1:${httpPort}/webhooks/twilio/sms`);
    const configPath = await writeGatewayConfig({
      dir: runDir,
      componentPort: prosody.componentPort,
      databaseUrl: db.url,
      httpPort,
      smsDomain: SMS_DOMAIN,
      componentSecret: COMPONENT_SECRET,
      userDomain: HOST,
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBase, numbers },
      telegram: { domain: TELEGRAM_DOMAIN, apiRoot: telegramUrl },
      email: { domain: EMAIL_DOMAIN, addressDomain: MAIL_DOMAIN, relayUrl: relayAddress.url, inboundPort: smtpPort },
      concurrency: o.concurrency,
      logLevel: o.logLevel,
    });
    await GatewayProcess.migrate(configPath);
    const clients = await Promise.all(
      names.map((username) =>
        RawClient.connect({ host: "127.0.0.1", port: prosody.c2sPort, domain: HOST, username, password: `pw-${username}` }),
      ),
    );
    const users = names.map((username, i) => ({ username, number: numbers[i]!, bot: bots[i]!, email: `${username}@${MAIL_DOMAIN}`, client: clients[i]! }));
    const profileDir = o.profile ? path.resolve(import.meta.dirname, "../.profiles") : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    const inboundSmtp = { host: "127.0.0.1", port: smtpPort };
    return new BenchEnv(runDir, prosody, db, sim, tap, telegram, telegramTap, relay, inboundSmtp, httpPort, configPath, users, profileDir);
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.httpPort}/webhooks/twilio/sms`;
  }

  /** Prosody's pid, from the pidfile of its private config. */
  prosodyPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.prosody.dir, "prosody.pid"), "utf8").trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Starts a fresh gateway process (stopping any running one first). */
  async startGateway(): Promise<{ startupMs: number; startupPeakRss: number }> {
    await this.stopGateway();
    const n = ++this.gatewayStarts;
    const { gateway, startupMs } = await GatewayProcess.start({
      configPath: this.configPath,
      healthUrl: `http://127.0.0.1:${this.httpPort}/healthz`,
      logFile: path.join(this.runDir, `gateway-${n}.log`),
      ...(this.profileDir ? { profileDir: this.profileDir } : {}),
    });
    this.gateway = gateway;
    return { startupMs, startupPeakRss: gateway.memory()?.peakRss ?? Number.NaN };
  }

  async stopGateway(): Promise<{ shutdownMs: number; killed: boolean } | undefined> {
    const gateway = this.gateway;
    this.gateway = undefined;
    if (!gateway) return undefined;
    // A slow shutdown is worth a look at what the database sessions are waiting for.
    const timer = setTimeout(() => {
      void dbActivity(this.db.url).then((a) => process.stderr.write(`[bench] the gateway is still shutting down after 2 s; database sessions:\n${a}\n`));
    }, 2_000);
    try {
      return await gateway.stop();
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Registers every benchmark user with all three gateways through XEP-0077 data forms, as a
   * client would: SMS with its own pool number, Telegram with its own bot's token (checked by the
   * gateway with getMe at the simulator), email with its username as the localpart.
   */
  async registerUsers(): Promise<void> {
    await Promise.all(
      this.users.map(async (u, i) => {
        await this.register(u, `reg-sms-${i}`, SMS_DOMAIN, { number: u.number });
        await this.register(u, `reg-tg-${i}`, TELEGRAM_DOMAIN, { token: u.bot.token });
        await this.register(u, `reg-em-${i}`, EMAIL_DOMAIN, { localpart: u.username, name: u.username });
      }),
    );
  }

  private async register(u: BenchUser, id: string, domain: string, fields: Record<string, string>): Promise<void> {
    let form = `<field var='FORM_TYPE'><value>jabber:iq:register</value></field>`;
    for (const [name, value] of Object.entries(fields)) form += `<field var='${name}'><value>${escapeXml(value)}</value></field>`;
    const answer = await u.client.iq(
      `<iq type='set' id='${id}' to='${domain}'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>${form}</x></query></iq>`,
      id,
    );
    if (!/type=['"]result['"]/.test(answer.slice(0, answer.indexOf(">")))) throw new Error(`${u.username} could not register with ${domain}: ${answer}`);
  }

  /** Stops everything; keeps the run directory (logs) when `keep` is set. */
  async close(keep: boolean): Promise<void> {
    this.gateway?.kill();
    for (const u of this.users) u.client.close();
    await this.sim.stop().catch(() => {});
    await this.telegram.stop().catch(() => {});
    await this.relay.stop().catch(() => {});
    await this.prosody.stop().catch(() => {});
    await this.db.close().catch(() => {});
    if (!keep) await fsp.rm(this.runDir, { recursive: true, force: true });
  }
}

function escapeXml(s: string): string {
  return s.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
