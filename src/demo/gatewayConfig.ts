// The gateway's configuration for the demo: an ordinary switchboard.yaml, written into the demo's
// directory and read back through the same validation as `switchboard start --config`, so the
// demo runs exactly what an operator's file would (and shows a newcomer a complete one).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { parseConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { DEMO_POOL, type DemoSimulators } from "./simulators.ts";

export interface DemoDomains {
  /** The XMPP server's own domain, where the demo user lives. */
  host: string;
  sms: string;
  telegram: string;
  email: string;
  /** Where users get their email addresses. */
  mail: string;
}

export function demoDomains(host: string): DemoDomains {
  return { host, sms: `sms.${host}`, telegram: `telegram.${host}`, email: `email.${host}`, mail: `mail.${host}` };
}

export interface GatewayPorts {
  component: number;
  http: number;
  smtp: number;
}

export async function writeGatewayConfig(
  file: string,
  domains: DemoDomains,
  ports: GatewayPorts,
  componentSecret: string,
  sims: DemoSimulators,
): Promise<Config> {
  const q = JSON.stringify;
  const publicUrl = `http://127.0.0.1:${ports.http}`;
  const yaml = `# Written by \`switchboard demo\` at every start; the demo's simulators play the networks.
xmpp: { host: 127.0.0.1, port: ${ports.component} }
database: { dataDir: "." }   # the embedded PostgreSQL, in ./postgres next to this file
http: { listen: "127.0.0.1:${ports.http}", publicUrl: ${q(publicUrl)} }
secretKey: ${q(randomBytes(24).toString("base64url"))}
access: { allowedDomains: [${domains.host}] }
log: { level: info }
delivery: { retryBudgetSeconds: 120 }
networks:
  sms:
    domain: ${domains.sms}
    secret: ${q(componentSecret)}
    twilio:
      accountSid: ${sims.twilio.accountSid}
      authToken: ${q(sims.twilio.authToken)}
      apiBase: ${q(sims.twilio.url)}
      numbers: ${q(DEMO_POOL)}
  telegram:
    domain: ${domains.telegram}
    secret: ${q(componentSecret)}
    apiRoot: ${q(sims.telegram.url)}
  email:
    domain: ${domains.email}
    secret: ${q(componentSecret)}
    addressDomain: ${domains.mail}
    smtp: { url: ${q(sims.mail.relayUrl)} }
    inbound: { listen: "127.0.0.1:${ports.smtp}" }
`;
  await fs.writeFile(file, yaml, { mode: 0o600 });
  return parseConfig(yaml, {}, file);
}
