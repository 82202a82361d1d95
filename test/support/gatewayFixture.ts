// One whole Switchboard for an integration test file: private Prosody, a fresh PostgreSQL
// database, the Twilio simulator, and the gateway itself built by the same composition root as
// `switchboard start` (in-process, or as a child process for kill -9 tests).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { App, migrate, openDatabase } from "../../src/app.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { createLogger } from "../../src/log.ts";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { MailRelaySink } from "../../adapters/email/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { startProsody, type ProsodyInstance } from "./prosody.ts";
import { connectUser, type TestUser } from "./xmppUser.ts";
import { getFreePorts } from "./ports.ts";

export const HOST = "example.test";
export const SMS_DOMAIN = "sms.example.test";
export const TELEGRAM_DOMAIN = "telegram.example.test";
export const EMAIL_DOMAIN = "email.example.test";
export const MAIL_DOMAIN = "mail.example.test";
export type FixtureNetwork = "sms" | "telegram" | "email";
const COMPONENT_SECRET = "component-secret-for-tests";
export const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
export const AUTH_TOKEN = "operator-auth-token-0123456789";
export const POOL = ["1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888"].map((n) => `+1555000${n}`);
const ROOT = path.resolve(import.meta.dirname, "../..");

export interface FixtureOptions {
  pool?: string[];
  allowedDomains?: string[];
  retryBudgetSeconds?: number;
  initialBackoffMs?: number;
  startGateway?: boolean;
  /** networks.sms.rateLimit.perUserPerMinute (default: high enough not to matter). */
  perUserPerMinute?: number;
  /** Which networks to enable (default: SMS only). */
  networks?: FixtureNetwork[];
  telegramMode?: "polling" | "webhook";
  /** networks.email.inbound.maxMessageBytes (default: the gateway's 25 MB). */
  emailMaxBytes?: number;
}

/** The simulators of the enabled networks (undefined when a network is off). */
export interface Simulators {
  twilio: TwilioSimulator;
  telegram: TelegramSimulator | undefined;
  relay: MailRelaySink | undefined;
  /** Where outside mail is delivered: the gateway's inbound SMTP listener. */
  inboundSmtp: { host: string; port: number } | undefined;
}

export class Fixture {
  app: App | undefined;
  child: ChildProcess | undefined;
  childLog = "";
  readonly users: TestUser[] = [];

  constructor(
    readonly prosody: ProsodyInstance,
    readonly db: TestDatabase,
    readonly twilio: TwilioSimulator,
    readonly sims: Simulators,
    readonly networks: FixtureNetwork[],
    readonly httpPort: number,
    readonly configPath: string,
    readonly config: Config,
    private readonly tmp: string,
  ) {}

  get publicUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Registers an XMPP account on Prosody and logs it in. */
  async user(name: string, opts: { sendPresence?: boolean } = {}): Promise<TestUser> {
    await this.prosody.register(name, "pw-" + name);
    const user = await connectUser({
      service: `xmpp://127.0.0.1:${this.prosody.c2sPort}`,
      domain: HOST,
      username: name,
      password: "pw-" + name,
      sendPresence: opts.sendPresence,
    });
    this.users.push(user);
    return user;
  }

  async startGateway(): Promise<App> {
    const app = new App(this.config, createLogger(process.env.SB_TEST_LOG ?? "silent"));
    await app.start();
    this.app = app;
    await waitUntil(() => this.networks.every((n) => app.xmpp.isUp(n)), 10_000, "the component links to come up");
    return app;
  }

  async stopGateway(): Promise<void> {
    await this.app?.stop();
    this.app = undefined;
  }

  /** Runs `switchboard start` as a separate process (for SIGKILL tests). */
  async spawnGateway(): Promise<void> {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/switchboard.js"), "start", "--config", this.configPath], {
      cwd: this.tmp,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SB_LOG_LEVEL: "debug" },
    });
    child.stdout!.on("data", (d) => (this.childLog += d));
    child.stderr!.on("data", (d) => (this.childLog += d));
    this.child = child;
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${this.childLog.slice(-3000)}`);
      const res = await fetch(`${this.publicUrl}/healthz`).catch(() => undefined);
      return res?.status === 200;
    }, 20_000, "the gateway process to become healthy");
  }

  async killGateway(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = undefined;
  }

  /** The user registers with the SMS gateway through the XEP-0077 data form. */
  async registerSms(user: TestUser, fields: Record<string, string> = {}): Promise<Element> {
    return user.iq(registerIq(fields));
  }

  async register(user: TestUser, domain: string, fields: Record<string, string>): Promise<Element> {
    return user.iq(registerIq(fields, domain));
  }

  async close(): Promise<void> {
    for (const u of this.users) await u.stop().catch(() => undefined);
    await this.killGateway();
    await this.stopGateway().catch(() => undefined);
    await this.twilio.stop();
    await this.sims.telegram?.stop();
    await this.sims.relay?.stop();
    await this.prosody.stop();
    await this.db.drop();
    await fs.rm(this.tmp, { recursive: true, force: true });
  }
}

export function registerIq(fields: Record<string, string>, to: string = SMS_DOMAIN): Element {
  const form = xml("x", { xmlns: "jabber:x:data", type: "submit" }, xml("field", { var: "FORM_TYPE" }, xml("value", {}, "jabber:iq:register")));
  for (const [name, value] of Object.entries(fields)) form.append(xml("field", { var: name }, xml("value", {}, value)));
  return xml("iq", { type: "set", to, id: "reg-" + randomBytes(4).toString("hex") }, xml("query", { xmlns: "jabber:iq:register" }, form));
}

export async function startFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const networks = opts.networks ?? ["sms"];
  const components = [
    { domain: SMS_DOMAIN, secret: COMPONENT_SECRET },
    ...(networks.includes("telegram") ? [{ domain: TELEGRAM_DOMAIN, secret: COMPONENT_SECRET }] : []),
    ...(networks.includes("email") ? [{ domain: EMAIL_DOMAIN, secret: COMPONENT_SECRET }] : []),
  ];
  const [prosody, db] = await Promise.all([startProsody({ host: HOST, components }), createTestDatabase()]);
  // Picked once Prosody listens, so the kernel cannot hand out one of its ports again.
  const [httpPort, smtpPort] = (await getFreePorts(2)) as [number, number];
  const twilio = new TwilioSimulator({ deliveryDelayMs: 20 });
  const twilioUrl = await twilio.start(0);
  const pool = opts.pool ?? POOL;
  twilio.addAccount({ sid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: pool.length ? pool : ["+15559999999"] });
  for (const n of pool) twilio.setSmsUrl(n, `http://127.0.0.1:${httpPort}/webhooks/twilio/sms`);
  const telegram = networks.includes("telegram") ? new TelegramSimulator() : undefined;
  const telegramUrl = telegram ? await telegram.start(0) : undefined;
  const relay = networks.includes("email") ? new MailRelaySink({ user: "relay", password: "relay-password" }) : undefined;
  const relayAddress = relay ? await relay.start(0) : undefined;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "sb-fixture-"));
  const yaml = `
xmpp: { host: 127.0.0.1, port: ${prosody.componentPort} }
database: { url: "${db.url}" }
http: { listen: "127.0.0.1:${httpPort}", publicUrl: "http://127.0.0.1:${httpPort}" }
secretKey: "${randomBytes(24).toString("hex")}"
access: { allowedDomains: ${JSON.stringify(opts.allowedDomains ?? [HOST])} }
log: { level: "\${SB_LOG_LEVEL}" }
delivery: { retryBudgetSeconds: ${opts.retryBudgetSeconds ?? 30}, initialBackoffMs: ${opts.initialBackoffMs ?? 200}, maxBackoffMs: 2000 }
networks:
  sms:
    domain: ${SMS_DOMAIN}
    secret: ${COMPONENT_SECRET}
    defaultRegion: US
    rateLimit: { perUserPerMinute: ${opts.perUserPerMinute ?? 10000} }
    twilio:
      accountSid: ${ACCOUNT_SID}
      authToken: ${AUTH_TOKEN}
      apiBase: "${twilioUrl}"
      numbers: ${JSON.stringify(pool)}
${
  telegramUrl
    ? `  telegram:
    domain: ${TELEGRAM_DOMAIN}
    secret: ${COMPONENT_SECRET}
    apiRoot: "${telegramUrl}"
    mode: ${opts.telegramMode ?? "polling"}
`
    : ""
}${
  relayAddress
    ? `  email:
    domain: ${EMAIL_DOMAIN}
    secret: ${COMPONENT_SECRET}
    addressDomain: ${MAIL_DOMAIN}
    smtp: { url: "${relayAddress.url}" }
    inbound: { listen: "127.0.0.1:${smtpPort}"${opts.emailMaxBytes ? `, maxMessageBytes: ${opts.emailMaxBytes}` : ""} }
`
    : ""
}`;
  const configPath = path.join(tmp, "switchboard.yaml");
  await fs.writeFile(configPath, yaml);
  const config = parseConfig(yaml, { SB_LOG_LEVEL: "info" }, configPath);
  // Migrate once up front, as an operator would before the first start.
  const log = createLogger("silent");
  const database = await openDatabase(config, log);
  await migrate(database, log);
  await database.close();
  const sims: Simulators = { twilio, telegram, relay, inboundSmtp: relay ? { host: "127.0.0.1", port: smtpPort } : undefined };
  const fixture = new Fixture(prosody, db, twilio, sims, networks, httpPort, configPath, config, tmp);
  if (opts.startGateway !== false) await fixture.startGateway();
  return fixture;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Predicates for stanzas. */
export const is = {
  message: (from: string, pred: (el: Element) => boolean = () => true) => (el: Element) =>
    el.name === "message" && el.attrs.from?.split("/")[0] === from && pred(el),
  presence: (from: string, type: string | undefined) => (el: Element) =>
    el.name === "presence" && el.attrs.from?.split("/")[0] === from && el.attrs.type === type,
  /** A roster push (RFC 6121 §2.1.6) giving `jid` one of these subscription states. */
  rosterPush: (jid: string, ...subscriptions: string[]) => (el: Element) =>
    el.name === "iq" &&
    el.attrs.type === "set" &&
    el.getChild("query", "jabber:iq:roster")?.getChildren("item").some((i) => i.attrs.jid === jid && subscriptions.includes(i.attrs.subscription ?? "")) === true,
};
