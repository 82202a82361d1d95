// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";

export interface BenchOptions {
  messages: number;
  warmup: number;
  json: string | undefined;
  pacedRate: number;
  pacedSeconds: number;
  scaleUsers: number;
  scaleContacts: number;
  scaleProbe: number;
  skipScale: boolean;
  /** Gateway rows to run (all when undefined). */
  only: Set<string> | undefined;
  profile: boolean;
  users: number;
  window: number;
  contactsPerUser: number;
  webhookConcurrency: number;
  smtpSessions: number;
  receipts: boolean;
  maxSeconds: number;
  drainSeconds: number;
  concurrency: number | undefined;
  durableDb: boolean;
  compareNoCallbacks: boolean;
  keep: boolean;
  logLevel: string;
}

export const USAGE = `usage: node --import tsx bench/main.ts [options]
  --messages N             messages per path (default 10000)
  --warmup N               unmeasured messages before each path (default messages/10, 100…1000)
  --json FILE              also write the results as JSON
  --paced-rate R           offered load of the paced XMPP → SMS run, msg/s (default 500)
  --paced-seconds S        length of the paced run (default 10)
  --scale-users N          users inserted for the scale run (default 10000)
  --scale-contacts N       contacts per inserted user (default 100)
  --scale-probe N          messages in the scale run's latency probe, one at a time (default 3000)
  --skip-scale             no scale run
  --only IDS               only these gateway rows, comma-separated: xmpp-sms, sms-xmpp, xmpp-telegram,
                           telegram-xmpp, xmpp-email, email-xmpp, paced (Prosody alone always runs)
  --profile                CPU-profile the gateway (--cpu-prof into bench/.profiles) and summarise
  --users N                XMPP users/connections (default 8)
  --window N               messages in flight per connection (default 100)
  --contacts-per-user N    conversations per user (default 16)
  --webhook-concurrency N  inbound webhooks in flight (default 32)
  --smtp-sessions N        SMTP sessions held open into the gateway for email → XMPP (default 16)
  --no-receipts            XMPP users ask for no delivery receipts (by default every message asks, as
                           Conversations, Gajim and Dino do)
  --max-seconds S          stop offering a path's messages after S seconds (default 60)
  --drain-seconds S        then wait at most S seconds for the rest (default 30)
  --concurrency N          set the gateway's delivery.concurrency (default: leave the gateway's own)
  --durable-db             embedded PostgreSQL with default durability instead of the tests' throwaway one
  --compare-no-callbacks   add an XMPP → SMS run with Twilio status callbacks off
  --keep                   keep the run directory (config, gateway logs)
  --log-level L            the gateway's log level (default warn)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      messages: { type: "string", default: "10000" },
      warmup: { type: "string" },
      json: { type: "string" },
      "paced-rate": { type: "string", default: "500" },
      "paced-seconds": { type: "string", default: "10" },
      "scale-users": { type: "string", default: "10000" },
      "scale-contacts": { type: "string", default: "100" },
      "scale-probe": { type: "string", default: "3000" },
      "skip-scale": { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      users: { type: "string", default: "8" },
      window: { type: "string", default: "100" },
      "contacts-per-user": { type: "string", default: "16" },
      "webhook-concurrency": { type: "string", default: "32" },
      "smtp-sessions": { type: "string", default: "16" },
      "no-receipts": { type: "boolean", default: false },
      "max-seconds": { type: "string", default: "60" },
      "drain-seconds": { type: "string", default: "30" },
      concurrency: { type: "string" },
      "durable-db": { type: "boolean", default: false },
      "compare-no-callbacks": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      "log-level": { type: "string", default: "warn" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got ${v}`);
    return n;
  };
  const int = (name: string, v: string | undefined, min: number, max?: number) => {
    const n = num(name, v, min, max);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got ${v}`);
    return n;
  };
  const messages = int("messages", values.messages, 1);
  const rowIds = ["xmpp-sms", "sms-xmpp", "xmpp-telegram", "telegram-xmpp", "xmpp-email", "email-xmpp", "paced"];
  const unknown = (values.only ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0 && !rowIds.includes(s));
  if (unknown.length > 0) throw new Error(`--only: unknown row ${unknown.join(", ")} (rows: ${rowIds.join(", ")})`);
  return {
    messages,
    warmup: values.warmup === undefined ? Math.min(1000, Math.max(100, Math.round(messages / 10))) : int("warmup", values.warmup, 0),
    json: values.json,
    pacedRate: num("paced-rate", values["paced-rate"], 1),
    pacedSeconds: num("paced-seconds", values["paced-seconds"], 1),
    scaleUsers: int("scale-users", values["scale-users"], 1),
    scaleContacts: int("scale-contacts", values["scale-contacts"], 0),
    scaleProbe: int("scale-probe", values["scale-probe"], 10),
    skipScale: values["skip-scale"] ?? false,
    only: values.only === undefined ? undefined : new Set(values.only.split(",").map((s) => s.trim()).filter((s) => s.length > 0)),
    profile: values.profile ?? false,
    users: int("users", values.users, 2, 99),
    window: int("window", values.window, 1),
    contactsPerUser: int("contacts-per-user", values["contacts-per-user"], 1, 100),
    // The simulator's webhook agent holds 32 sockets: more would only queue inside it.
    webhookConcurrency: int("webhook-concurrency", values["webhook-concurrency"], 1, 32),
    smtpSessions: int("smtp-sessions", values["smtp-sessions"], 1, 100),
    receipts: !(values["no-receipts"] ?? false),
    maxSeconds: num("max-seconds", values["max-seconds"], 1),
    drainSeconds: num("drain-seconds", values["drain-seconds"], 1),
    concurrency: values.concurrency === undefined ? undefined : int("concurrency", values.concurrency, 1),
    durableDb: values["durable-db"] ?? false,
    compareNoCallbacks: values["compare-no-callbacks"] ?? false,
    keep: values.keep ?? false,
    logLevel: values["log-level"] ?? "warn",
  };
}
