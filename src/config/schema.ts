// The shape of switchboard.yaml (ARCHITECTURE.md, "Configuration — contract").
// Messages here are shown to operators after "<key path>: ", so they read as the rest of a sentence.
import { createPrivateKey } from "node:crypto";
import { isSupportedCountry } from "libphonenumber-js";
import { z } from "zod";
import { isE164 } from "../../adapters/sms-twilio/phoneNumber.ts";

import type { NetworkName } from "../core/adapter.ts";

export type { NetworkName };
export const NETWORK_NAMES: readonly NetworkName[] = ["sms", "telegram", "email"];

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HostPort {
  host: string;
  port: number;
}

const MIN_SECRET_KEY_LENGTH = 32;

// A value of ${PORT} arrives as a string; a number-looking string is accepted where a number is due.
function int(min: number, max: number, what: string) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` })
      .int({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` })
      .min(min, { error: (iss) => `expected ${what}, got ${describe(iss.input)}` })
      .max(max, { error: (iss) => `expected ${what}, got ${describe(iss.input)}` }),
  );
}

const text = () =>
  z
    .string({
      error: (iss) => (iss.input === undefined ? "is required" : `expected a string, got ${describe(iss.input, true)}`),
    })
    .min(1, { error: "must not be empty" });

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const domainName = () =>
  text()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => HOSTNAME.test(s), { error: (iss) => `${show(iss.input)} is not a domain name` });

function parseHostPort(s: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? "", port };
}

// Port 0 is allowed: tests and the demo bind an ephemeral port.
const hostPort = () =>
  text().refine((s) => parseHostPort(s) !== undefined, {
    error: (iss) => `${show(iss.input)} is not host:port (e.g. 127.0.0.1:8080, [::1]:8080)`,
  });

function withAddress<T extends { listen: string }>(section: T): T & { listenAddress: HostPort } {
  const address = parseHostPort(section.listen);
  if (!address) throw new Error(`unreachable: ${section.listen} was validated as host:port`);
  return { ...section, listenAddress: address };
}

function schemes(protocols: readonly string[]): string {
  return protocols.map((p) => `${p}//`).join(" or ");
}

function url(protocols: readonly string[], opts: { trimSlash: boolean }) {
  return text().transform((s, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(s.trim());
    } catch {
      ctx.addIssue({ code: "custom", message: `${show(s)} is not an absolute URL (${schemes(protocols)}…)`, input: s });
      return z.NEVER;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({ code: "custom", message: `${show(s)} must start with ${schemes(protocols)}`, input: s });
      return z.NEVER;
    }
    if (!opts.trimSlash) return s.trim();
    if (parsed.search || parsed.hash) {
      ctx.addIssue({ code: "custom", message: `${show(s)} must not have a query or fragment`, input: s });
      return z.NEVER;
    }
    // No trailing slash, so callers can append "/webhooks/…" without doubling it.
    return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, "");
  });
}

// Connection URLs may carry passwords: never echoed back in messages.
function secretUrl(protocols: readonly string[]) {
  return text().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${schemes(protocols)}` },
  );
}

const httpUrl = () => url(["http:", "https:"], { trimSlash: true });

const bareJid = () =>
  text()
    .transform((s) => s.trim().toLowerCase())
    .refine(
      (s) => {
        const at = s.indexOf("@");
        return at > 0 && !/[\s/]/.test(s) && HOSTNAME.test(s.slice(at + 1));
      },
      { error: (iss) => `${show(iss.input)} is not a bare JID (user@domain, no resource)` },
    );

const e164 = () =>
  z
    .string({
      // YAML reads an unquoted +15550001111 as a number and drops the '+'.
      error: (iss) =>
        typeof iss.input === "number"
          ? `${iss.input} is a number to YAML: write the phone number quoted, as "+${iss.input}"`
          : `expected an E.164 number as a string, got ${describe(iss.input)}`,
    })
    .refine(isE164, {
      error: (iss) => `${show(iss.input)} is not an E.164 number (like "+15550001111")`,
    });

const region = () =>
  text()
    .transform((s) => s.trim().toUpperCase())
    .refine((s) => isSupportedCountry(s), {
      error: (iss) => `${show(iss.input)} is not a region code libphonenumber knows (ISO 3166 alpha-2, like US, GB, DE)`,
    });

const privateKeyPem = () =>
  text().refine(
    (s) => {
      try {
        createPrivateKey(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: "is not a PEM private key" },
  );

const xmppSchema = z.strictObject({
  host: text().default("127.0.0.1"),
  port: int(1, 65535, "a port number (1-65535)").default(5347),
});

const databaseSchema = z.strictObject({
  url: secretUrl(["postgres:", "postgresql:"]).optional(),
  // Relative to the config file's directory; load.ts makes it absolute.
  dataDir: text().default("./data"),
});

const httpSchema = z
  .strictObject({
    listen: hostPort().default("127.0.0.1:8080"),
    publicUrl: httpUrl().optional(),
  })
  .transform(withAddress);

const accessSchema = z.strictObject({
  allowedDomains: z.array(domainName()).default([]),
  admins: z.array(bareJid()).default([]),
});

const logSchema = z.strictObject({
  level: z
    .enum(LOG_LEVELS, {
      error: (iss) => `${show(iss.input)} is not one of ${LOG_LEVELS.join(", ")}`,
    })
    .default("info"),
});

const deliverySchema = z
  .strictObject({
    retryBudgetSeconds: int(1, 365 * 24 * 3600, "a whole number of seconds").default(3600),
    initialBackoffMs: int(1, 24 * 3600 * 1000, "a whole number of milliseconds").default(1000),
    maxBackoffMs: int(1, 24 * 3600 * 1000, "a whole number of milliseconds").default(300_000),
    concurrency: int(1, 10_000, "a whole number of workers (1 or more)").default(256),
  })
  .superRefine((d, ctx) => {
    if (d.maxBackoffMs < d.initialBackoffMs) {
      ctx.addIssue({
        code: "custom",
        path: ["maxBackoffMs"],
        message: `${d.maxBackoffMs} is less than delivery.initialBackoffMs (${d.initialBackoffMs})`,
      });
    }
  });

const smsSchema = z.strictObject({
  domain: domainName(),
  secret: text(),
  defaultRegion: region().default("US"),
  twilio: z.strictObject({
    accountSid: text(),
    authToken: text(),
    apiBase: httpUrl().default("https://api.twilio.com"),
    numbers: z
      .array(e164())
      .default([])
      .superRefine((numbers, ctx) => {
        numbers.forEach((n, i) => {
          if (numbers.indexOf(n) !== i) {
            ctx.addIssue({ code: "custom", path: [i], message: `${show(n)} is listed twice` });
          }
        });
      }),
  }),
  rateLimit: z
    .strictObject({
      perUserPerMinute: int(1, 1_000_000, "a whole number of messages (1 or more)").default(30),
    })
    .prefault({}),
});

// apiRoot has no trailing slash here; telegraf wants one when the root has a path (adapter's job).
const telegramSchema = z.strictObject({
  domain: domainName(),
  secret: text(),
  apiRoot: httpUrl().default("https://api.telegram.org"),
  mode: z
    .enum(["polling", "webhook"], {
      error: (iss) => `${show(iss.input)} is not one of polling, webhook`,
    })
    .default("polling"),
});

const emailSchema = z.strictObject({
  domain: domainName(),
  secret: text(),
  addressDomain: domainName(),
  smtp: z.strictObject({
    url: secretUrl(["smtp:", "smtps:"]),
    // Each connection carries one mail at a time (several round trips each): the pool is the rate.
    connections: int(1, 100, "a whole number of connections (1 to 100)").default(10),
  }),
  inbound: z
    .strictObject({
      listen: hostPort().default("0.0.0.0:2525"),
      maxMessageBytes: int(1024, 2 ** 31 - 1, "a size in bytes (1024 or more)").default(26_214_400),
    })
    .prefault({})
    .transform(withAddress),
  dkim: z
    .strictObject({
      domainName: domainName(),
      keySelector: text(),
      privateKey: privateKeyPem(),
    })
    .optional(),
});

const networksSchema = z.strictObject({
  sms: smsSchema.optional(),
  telegram: telegramSchema.optional(),
  email: emailSchema.optional(),
});

export const configSchema = z
  .strictObject({
    xmpp: xmppSchema.prefault({}),
    database: databaseSchema.prefault({}),
    http: httpSchema.prefault({}),
    secretKey: z
      .string({
        error: (iss) =>
          iss.input === undefined
            ? `is required (at least ${MIN_SECRET_KEY_LENGTH} characters; e.g. from: openssl rand -base64 32)`
            : `expected a string, got ${describe(iss.input, true)}`,
      })
      .min(MIN_SECRET_KEY_LENGTH, {
        error: (iss) =>
          `must be at least ${MIN_SECRET_KEY_LENGTH} characters (it has ${String(iss.input).length}); e.g. from: openssl rand -base64 32`,
      }),
    access: accessSchema.prefault({}),
    log: logSchema.prefault({}),
    delivery: deliverySchema.prefault({}),
    networks: networksSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.networks.telegram?.mode === "webhook" && c.http.publicUrl === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["networks", "telegram", "mode"],
        message: "webhook needs http.publicUrl (the address Telegram calls); set it or use polling",
      });
    }
    const seen = new Map<string, NetworkName>();
    for (const name of NETWORK_NAMES) {
      const domain = c.networks[name]?.domain;
      if (domain === undefined) continue;
      const other = seen.get(domain);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["networks", name, "domain"],
          message: `${show(domain)} is already networks.${other}.domain; each network needs its own component domain`,
        });
      } else {
        seen.set(domain, name);
      }
    }
  });

export type Config = z.output<typeof configSchema>;
export type XmppConfig = Config["xmpp"];
export type HttpConfig = Config["http"];
export type DeliveryConfig = Config["delivery"];
export type SmsConfig = NonNullable<Config["networks"]["sms"]>;
export type TelegramConfig = NonNullable<Config["networks"]["telegram"]>;
export type EmailConfig = NonNullable<Config["networks"]["email"]>;

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** For "got …": the value too, unless the key may hold a secret. */
export function describe(v: unknown, hideValue = false): string {
  if (v === undefined) return "nothing";
  if (v === null) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  const kind = typeof v === "number" ? "a number" : typeof v === "boolean" ? "a boolean" : `a ${typeof v}`;
  return hideValue ? kind : `${kind} (${show(v)})`;
}
