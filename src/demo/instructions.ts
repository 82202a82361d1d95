// What the demo tells the person trying it: how to log in, whom to write to, and how to play the
// network contacts writing back (curl against the simulators' control APIs). One set of facts,
// printed as text or, with --json, as one object for scripts.
import { escapeLocalpart } from "../core/jidEscape.ts";
import type { DemoDomains } from "./gatewayConfig.ts";
import { EMAIL_CONTACT, SMS_CONTACT, TELEGRAM_BOT, TELEGRAM_CONTACT, type DemoSimulators } from "./simulators.ts";

export interface HttpCall {
  method: "GET" | "POST";
  url: string;
  body?: Record<string, unknown>;
  /** The same call, to paste into a shell. */
  curl: string;
}

export interface NetworkFacts {
  /** The gateway's JID (its component domain). */
  gateway: string;
  /** The demo user's account on the network: number, bot, address. */
  account: string;
  /** A contact to write to, and who that is on the network. */
  contact: { jid: string; name: string; address: string };
  /** Makes that contact write to the demo user. */
  writeBack: HttpCall;
  /** What the network received from the demo user. */
  received: HttpCall;
}

export interface DemoFacts {
  xmpp: {
    jid: string;
    password: string;
    domain: string;
    host: string;
    port: number;
    /** STARTTLS on the client port, with a self-signed certificate. */
    certificate: string;
    sha256: string;
  };
  networks: { sms: NetworkFacts; telegram: NetworkFacts & { botToken: string }; email: NetworkFacts };
  /** The gateway's webhooks, /healthz and /metrics. */
  gatewayUrl: string;
  files: { dataDir: string; config: string; gatewayLog: string; prosodyLog: string };
}

export interface FactsInput {
  user: { jid: string; password: string };
  domains: DemoDomains;
  c2sPort: number;
  certificate: { certificate: string; sha256: string };
  sims: DemoSimulators;
  /** What the pre-registration gave the demo user. */
  accounts: { sms: string; telegram: string; email: string };
  gatewayUrl: string;
  inboundSmtpPort: number;
  files: DemoFacts["files"];
}

export function demoFacts(i: FactsInput): DemoFacts {
  const { domains, sims } = i;
  const token = sims.telegram.botToken;
  return {
    xmpp: {
      jid: i.user.jid,
      password: i.user.password,
      domain: domains.host,
      host: "127.0.0.1",
      port: i.c2sPort,
      certificate: i.certificate.certificate,
      sha256: i.certificate.sha256,
    },
    networks: {
      sms: {
        gateway: domains.sms,
        account: i.accounts.sms,
        contact: { jid: `${SMS_CONTACT}@${domains.sms}`, name: SMS_CONTACT, address: SMS_CONTACT },
        writeBack: post(`${sims.twilio.url}/_sim/inbound`, { from: SMS_CONTACT, to: i.accounts.sms, body: "Hello from SMS" }),
        received: get(`${sims.twilio.url}/_sim/messages`),
      },
      telegram: {
        gateway: domains.telegram,
        account: `@${TELEGRAM_BOT.username}`,
        botToken: token,
        contact: { jid: `${TELEGRAM_CONTACT.id}@${domains.telegram}`, name: TELEGRAM_CONTACT.firstName, address: String(TELEGRAM_CONTACT.id) },
        writeBack: post(`${sims.telegram.url}/_sim/userSends`, { token, userId: TELEGRAM_CONTACT.id, text: "Hello from Telegram" }),
        received: get(`${sims.telegram.url}/_sim/botMessages?token=${encodeURIComponent(token)}`),
      },
      email: {
        gateway: domains.email,
        account: i.accounts.email,
        contact: { jid: `${escapeLocalpart(EMAIL_CONTACT.address)}@${domains.email}`, name: EMAIL_CONTACT.name, address: EMAIL_CONTACT.address },
        writeBack: post(`${sims.mail.controlUrl}/_sim/send`, {
          target: { host: "127.0.0.1", port: i.inboundSmtpPort },
          mail: { from: `${EMAIL_CONTACT.name} <${EMAIL_CONTACT.address}>`, to: i.accounts.email, subject: "Hello", text: "Hello from email" },
        }),
        received: get(`${sims.mail.controlUrl}/_sim/mails`),
      },
    },
    gatewayUrl: i.gatewayUrl,
    files: i.files,
  };
}

function get(url: string): HttpCall {
  return { method: "GET", url, curl: `curl -s ${sh(url)}` };
}

function post(url: string, body: Record<string, unknown>): HttpCall {
  return { method: "POST", url, body, curl: `curl -s ${sh(url)} -H 'Content-Type: application/json' -d ${sh(JSON.stringify(body))}` };
}

/** One shell word, single-quoted. */
function sh(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function renderFacts(f: DemoFacts): string {
  const { xmpp } = f;
  const { sms, telegram, email } = f.networks;
  const defaultPort = xmpp.port === 5222;
  const lines = [
    "Switchboard demo is running. Ctrl-C stops it.",
    "",
    "Log in with your XMPP client (Gajim, Dino, Conversations, Monal):",
    `  JID        ${xmpp.jid}`,
    `  password   ${xmpp.password}`,
    defaultPort
      ? `  server     found by itself (${xmpp.domain}, port 5222); STARTTLS`
      : `  server     ${xmpp.host}, port ${xmpp.port} (set both in the account's connection settings); STARTTLS`,
    `  The certificate is self-signed: accept it when asked (SHA-256 ${xmpp.sha256}).`,
    `  Dino only accepts certificates the system trusts: add ${xmpp.certificate} to the system's trust store.`,
    "",
    `${xmpp.jid} is registered with all three gateways; accept their contact requests:`,
    `  ${pad(sms.gateway)} your number ${sms.account}`,
    `  ${pad(telegram.gateway)} your bot ${telegram.account} (its token, for a client's registration form: ${telegram.botToken})`,
    `  ${pad(email.gateway)} your address ${email.account}`,
    "",
    "Write to a contact (start a chat with this JID):",
    `  SMS        ${sms.contact.jid}`,
    `  Telegram   ${telegram.contact.jid}   (${telegram.contact.name}: a bot cannot write first, so let her write first, below)`,
    `  email      ${email.contact.jid}   (${email.contact.name} <${email.contact.address}>)`,
    "",
    "Be the contact writing back:",
    `  SMS        ${sms.writeBack.curl}`,
    `  Telegram   ${telegram.writeBack.curl}`,
    `  email      ${email.writeBack.curl}`,
    "",
    "See what the networks received from you:",
    `  SMS        ${sms.received.curl}`,
    `  Telegram   ${telegram.received.curl}`,
    `  email      ${email.received.curl}`,
    "",
    `Files in ${f.files.dataDir}: the gateway's configuration (${rel(f, f.files.config)}) and log (${rel(f, f.files.gatewayLog)}), Prosody's log (${rel(f, f.files.prosodyLog)}).`,
  ];
  return lines.join("\n");
}

function pad(s: string): string {
  return s.padEnd(20);
}

function rel(f: DemoFacts, file: string): string {
  return file.startsWith(`${f.files.dataDir}/`) ? file.slice(f.files.dataDir.length + 1) : file;
}
