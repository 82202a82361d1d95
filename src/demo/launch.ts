// Starts the demo's parts in order (each stop handed to `started` as soon as it exists) and
// returns what to tell the person trying it. Everything lives in ./data/demo (see workspace.ts).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { App } from "../app.ts";
import type { NetworkName } from "../core/adapter.ts";
import { createLogger } from "../log.ts";
import { demoCertificate } from "./certificate.ts";
import { demoDomains, writeGatewayConfig } from "./gatewayConfig.ts";
import { demoFacts, type DemoFacts } from "./instructions.ts";
import { chooseClientPort, getStablePorts } from "../ports.ts";
import { preregister } from "./preregister.ts";
import { startProsody } from "./prosody.ts";
import { startSimulators } from "./simulators.ts";
import { openWorkspace } from "./workspace.ts";

export interface DemoOptions {
  xmppPort?: number;
  password?: string;
}

const DATA_DIR = "data/demo";
const DOMAIN = "localhost";
const USERNAME = "demo";
const NETWORKS: NetworkName[] = ["sms", "telegram", "email"];
const LINKS_TIMEOUT_MS = 15_000;

export async function launchDemo(opts: DemoOptions, started: (stop: () => Promise<void>) => void, setLog: (log: Logger) => void): Promise<DemoFacts> {
  const ws = await openWorkspace(DATA_DIR);
  started(() => ws.release());

  const logStream = fs.createWriteStream(ws.logFile, { flags: "a" });
  logStream.on("error", () => {}); // a line logged after the end is lost, not a crash
  const log = createLogger("info", logStream);
  setLog(log);
  started(() => new Promise<void>((resolve) => logStream.end(resolve)));
  // As in `switchboard start`: graphile-worker 0.17 leaves some rejections unhandled; rows are durable.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection (carrying on)"));

  const client = await chooseClientPort(opts.xmppPort);
  const certificate = await demoCertificate(ws.tlsDir, DOMAIN);
  const [httpPort, smtpPort] = (await getStablePorts(2)) as [number, number];
  const gatewayUrl = `http://127.0.0.1:${httpPort}`;

  const sims = await startSimulators(gatewayUrl);
  started(() => sims.stop());

  const domains = demoDomains(DOMAIN);
  const componentSecret = randomBytes(18).toString("base64url");
  const user = { jid: `${USERNAME}@${DOMAIN}`, password: opts.password ?? randomBytes(9).toString("base64url") };
  const prosody = await startProsody({
    host: DOMAIN,
    components: [domains.sms, domains.telegram, domains.email].map((domain) => ({ domain, secret: componentSecret })),
    users: [{ username: USERNAME, password: user.password }],
    dir: ws.prosodyDir,
    c2sPort: client.port,
    c2sInterfaces: client.interfaces,
    tls: certificate,
    detached: true,
  });
  started(() => prosody.stop());

  const config = await writeGatewayConfig(ws.configFile, domains, { component: prosody.componentPort, http: httpPort, smtp: smtpPort }, componentSecret, sims);
  const app = new App(config, log);
  try {
    await app.start({ migrate: true });
  } finally {
    // Also after a failed start: whatever it had opened is closed by stop().
    started(() => app.stop());
  }
  await until(() => NETWORKS.every((n) => app.xmpp.isUp(n)), LINKS_TIMEOUT_MS, "the gateway's component links to come up");

  const accounts = await preregister(app, log, user.jid, sims.telegram.botToken);
  return demoFacts({
    user,
    domains,
    c2sPort: client.port,
    certificate,
    sims,
    accounts,
    gatewayUrl,
    inboundSmtpPort: smtpPort,
    files: { dataDir: ws.root, config: ws.configFile, gatewayLog: ws.logFile, prosodyLog: path.join(ws.prosodyDir, "prosody.log") },
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
