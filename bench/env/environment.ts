// Everything the benchmark runs against: a private Prosody, PostgreSQL, the Twilio simulator (in
// this process), the gateway's config, and the logged-in benchmark users. The gateway process
// itself is started and stopped per measurement (GatewayProcess).
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { startProsody, type ProsodyInstance } from "../../test/support/prosody.ts";
import { getFreePort } from "../../test/support/ports.ts";
import { openBenchDatabase, type BenchDatabase } from "./database.ts";
import { dbActivity } from "./dbActivity.ts";
import { writeGatewayConfig } from "./gatewayConfig.ts";
import { GatewayProcess } from "./gatewayProcess.ts";
import { tapSimulator, type SimulatorTap } from "./simulatorTap.ts";
import { RawClient } from "../xmpp/rawClient.ts";

export const HOST = "example.test";
export const SMS_DOMAIN = "sms.example.test";
const COMPONENT_SECRET = "bench-component-secret";
export const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
export const AUTH_TOKEN = "bench-operator-auth-token-0123456789";

const SETTLE_BEFORE_STOP_MS = 250;

export interface BenchUser {
  /** Named to sort after the scale run's users, so the last presence of a startup announce is ours. */
  username: string;
  /** The pool number the user registers with. */
  number: string;
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
    readonly httpPort: number,
    readonly configPath: string,
    readonly users: BenchUser[],
    readonly profileDir: string | undefined,
  ) {}

  static async start(o: EnvOptions): Promise<BenchEnv> {
    const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), "sb-bench-"));
    const names = Array.from({ length: o.users }, (_, i) => `zbench-${String(i + 1).padStart(3, "0")}`);
    const numbers = names.map((_, i) => `+1555000${String(1000 + i).padStart(4, "0")}`);
    const [prosody, db, httpPort] = await Promise.all([
      startProsody({
        host: HOST,
        components: [{ domain: SMS_DOMAIN, secret: COMPONENT_SECRET }],
        users: names.map((username) => ({ username, password: `pw-${username}` })),
      }),
      openBenchDatabase({ durable: o.durableDb, runDir }),
      getFreePort(),
    ]);
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
      concurrency: o.concurrency,
      logLevel: o.logLevel,
    });
    await GatewayProcess.migrate(configPath);
    const clients = await Promise.all(
      names.map((username) =>
        RawClient.connect({ host: "127.0.0.1", port: prosody.c2sPort, domain: HOST, username, password: `pw-${username}` }),
      ),
    );
    const users = names.map((username, i) => ({ username, number: numbers[i]!, client: clients[i]! }));
    const profileDir = o.profile ? path.resolve(import.meta.dirname, "../.profiles") : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    return new BenchEnv(runDir, prosody, db, sim, tap, httpPort, configPath, users, profileDir);
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
    // Let the last status callbacks land first: the gateway's shutdown waits for an HTTP
    // connection that is busy when it starts (until its keep-alive timeout, past the 15 s limit).
    await new Promise((r) => setTimeout(r, SETTLE_BEFORE_STOP_MS));
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

  /** Registers every benchmark user with the SMS gateway through XEP-0077, each with its own pool number. */
  async registerUsers(): Promise<void> {
    await Promise.all(
      this.users.map(async (u, i) => {
        const id = `reg-${i}`;
        const answer = await u.client.iq(
          `<iq type='set' id='${id}' to='${SMS_DOMAIN}'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>` +
            `<field var='FORM_TYPE'><value>jabber:iq:register</value></field><field var='number'><value>${u.number}</value></field></x></query></iq>`,
          id,
        );
        if (!/type=['"]result['"]/.test(answer.slice(0, answer.indexOf(">")))) throw new Error(`${u.username} could not register: ${answer}`);
      }),
    );
  }

  /** Stops everything; keeps the run directory (logs) when `keep` is set. */
  async close(keep: boolean): Promise<void> {
    this.gateway?.kill();
    for (const u of this.users) u.client.close();
    await this.sim.stop().catch(() => {});
    await this.prosody.stop().catch(() => {});
    await this.db.close().catch(() => {});
    if (!keep) await fsp.rm(this.runDir, { recursive: true, force: true });
  }
}
