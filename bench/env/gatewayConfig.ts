// The switchboard.yaml the benchmark's gateway runs with: all three networks, the operator's
// defaults except for the addresses of the private Prosody, database and simulators (Twilio,
// Telegram Bot API, SMTP relay; the inbound SMTP listener on a loopback port), a quiet log, and the
// per-user send rate limit raised out of the way (a policy against runaway clients, not a cost:
// the benchmark's few users each send thousands of messages a minute on purpose).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

export interface GatewayConfigInput {
  dir: string;
  componentPort: number;
  databaseUrl: string;
  httpPort: number;
  smsDomain: string;
  componentSecret: string;
  userDomain: string;
  twilio: { accountSid: string; authToken: string; apiBase: string; numbers: string[] };
  /** Telegram in its default mode, long polling (one getUpdates held per registered bot). */
  telegram: { domain: string; apiRoot: string };
  email: { domain: string; addressDomain: string; relayUrl: string; inboundPort: number };
  /** delivery.concurrency (conversations drained at once); the gateway's default when undefined. */
  concurrency: number | undefined;
  logLevel: string;
}

export async function writeGatewayConfig(c: GatewayConfigInput): Promise<string> {
  const delivery = c.concurrency === undefined ? "" : `delivery: { concurrency: ${c.concurrency} }\n`;
  const yaml = `# written by bench/env/gatewayConfig.ts
xmpp: { host: 127.0.0.1, port: ${c.componentPort} }
database: { url: ${JSON.stringify(c.databaseUrl)} }
http: { listen: "127.0.0.1:${c.httpPort}", publicUrl: "http://127.0.0.1:${c.httpPort}" }
secretKey: "${randomBytes(24).toString("hex")}"
access: { allowedDomains: [${c.userDomain}] }
log: { level: ${c.logLevel} }
${delivery}networks:
  sms:
    domain: ${c.smsDomain}
    secret: ${c.componentSecret}
    defaultRegion: US
    rateLimit: { perUserPerMinute: 1000000 }
    twilio:
      accountSid: ${c.twilio.accountSid}
      authToken: ${c.twilio.authToken}
      apiBase: ${JSON.stringify(c.twilio.apiBase)}
      numbers: ${JSON.stringify(c.twilio.numbers)}
  telegram:
    domain: ${c.telegram.domain}
    secret: ${c.componentSecret}
    apiRoot: ${JSON.stringify(c.telegram.apiRoot)}
    mode: polling
  email:
    domain: ${c.email.domain}
    secret: ${c.componentSecret}
    addressDomain: ${c.email.addressDomain}
    smtp: { url: ${JSON.stringify(c.email.relayUrl)} }
    inbound: { listen: "127.0.0.1:${c.email.inboundPort}" }
`;
  const file = path.join(c.dir, "switchboard.yaml");
  await fs.writeFile(file, yaml);
  return file;
}
