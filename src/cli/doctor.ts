// `switchboard doctor`: checks each thing the gateway needs, prints every result, fails naming
// the checks that failed. Read-only: nothing is registered, sent or migrated.
import http from "node:http";
import net from "node:net";
import { createTransport } from "nodemailer";
import { openDatabase } from "../app.ts";
import type { Config } from "../config/schema.ts";
import { createLogger } from "../log.ts";
import { pendingMigrations } from "../store/dataSource.ts";
import { GatewayError } from "../core/errors.ts";
import { NETWORKS } from "./args.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

const TIMEOUT_MS = 5_000;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export async function runDoctor(ctx: CliContext): Promise<number> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = await loadCliConfig(ctx);
    checks.push({ name: "config", ok: true, detail: "valid" });
  } catch (err) {
    checks.push({ name: "config", ok: false, detail: oneLine((err as Error).message) });
  }
  if (config) {
    const c = config;
    checks.push(await check("database", () => database(c)));
    const probes: Array<Promise<Check>> = [];
    for (const network of NETWORKS) {
      const section = c.networks[network];
      if (!section) continue;
      probes.push(check(`xmpp ${network}`, () => componentPort(c.xmpp.host, c.xmpp.port, section.domain)));
    }
    probes.push(check("http", () => httpListen(c.http.listenAddress.host, c.http.listenAddress.port)));
    const { sms, telegram, email } = c.networks;
    if (sms) probes.push(check("sms twilio", () => twilioAccount(sms.twilio.apiBase, sms.twilio.accountSid, sms.twilio.authToken)));
    if (telegram) probes.push(check("telegram api", () => reachable(telegram.apiRoot)));
    if (email) probes.push(check("email smtp", () => smtpRelay(email.smtp.url)));
    checks.push(...(await Promise.all(probes)));
  }
  const failed = checks.filter((c) => !c.ok);
  if (ctx.json) ctx.out(JSON.stringify({ ok: failed.length === 0, checks }));
  else for (const c of checks) ctx.out(`${c.ok ? "ok  " : "FAIL"}  ${c.name}: ${c.detail}`);
  if (failed.length === 0) return 0;
  throw new GatewayError("service-unavailable", `doctor: ${failed.length} check(s) failed: ${failed.map((c) => c.name).join(", ")}`);
}

async function check(name: string, run: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await run() };
  } catch (err) {
    return { name, ok: false, detail: oneLine((err as Error).message) };
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, "; ");
}

async function database(config: Config): Promise<string> {
  const db = await openDatabase(config, createLogger("error"));
  try {
    const pending = await pendingMigrations(db.ds);
    if (pending.length > 0) throw new Error(`reachable, but ${pending.length} migration(s) pending (${pending.join(", ")}); run \`switchboard migrate\``);
    const [queue] = await db.ds.query(`SELECT to_regclass('graphile_worker.migrations') AS t`);
    if (!queue?.t) throw new Error("reachable, but the job queue's schema (graphile_worker) is missing; run `switchboard migrate`");
    return "reachable and migrated";
  } finally {
    await db.close();
  }
}

/**
 * Connects to the component port and opens an XEP-0114 stream to the domain, without the
 * handshake (so a running gateway's link is left alone): the server answers with a stream for a
 * component it knows, or with host-unknown.
 */
function componentPort(host: string, port: number, domain: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let answer = "";
    const done = (err: Error | undefined, detail?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(detail!);
    };
    const timer = setTimeout(() => done(new Error(`${host}:${port} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    socket.on("error", (err) => done(new Error(`cannot connect to ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    socket.on("connect", () => {
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}'>`,
      );
    });
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (/host-unknown/.test(answer)) return done(new Error(`${host}:${port} does not serve the component domain ${domain} (host-unknown)`));
      if (/<stream:error/.test(answer) && /<\/stream:error>/.test(answer)) {
        return done(new Error(`${host}:${port} refused a stream to ${domain}: ${/<([a-z-]+) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/.exec(answer)?.[1] ?? "stream error"}`));
      }
      if (/<stream:stream[^>]*\sid=/.test(answer) && !/<stream:error/.test(answer)) {
        socket.write("</stream:stream>");
        return done(undefined, `${host}:${port} answers for ${domain}`);
      }
      if (answer.length > 4096) done(new Error(`${host}:${port} is not an XMPP component port`));
    });
    socket.on("close", () => done(new Error(`${host}:${port} closed the connection without answering for ${domain}`)));
  });
}

/** Free (the gateway can bind it) or answering /healthz (a gateway already runs there). */
async function httpListen(host: string, port: number): Promise<string> {
  const free = await new Promise<boolean | Error>((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" ? false : err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (free instanceof Error) throw new Error(`cannot listen on ${host}:${port}: ${free.message}`);
  if (free) return `${host}:${port} is free`;
  const target = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.get({ host: target, port, path: "/healthz", timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", reject);
  }).catch((err: Error) => {
    throw new Error(`${host}:${port} is in use by something that does not answer /healthz (${err.message})`);
  });
  if (status === 200 || status === 503) return `${host}:${port} is in use by a gateway answering /healthz (${status})`;
  throw new Error(`${host}:${port} is in use by something else (/healthz answered ${status})`);
}

async function fetchWithTimeout(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

/** GET the operator's account with the configured credentials. */
async function twilioAccount(apiBase: string, accountSid: string, authToken: string): Promise<string> {
  const res = await fetchWithTimeout(`${apiBase}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}.json`, {
    headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` },
  });
  if (res.status === 401 || res.status === 404) throw new Error(`${new URL(apiBase).origin} rejected the configured account SID and auth token (HTTP ${res.status})`);
  if (res.status !== 200) throw new Error(`${new URL(apiBase).origin} answered HTTP ${res.status} for the account`);
  const body = (await res.json().catch(() => ({}))) as { status?: string };
  if (body.status && body.status !== "active") throw new Error(`the Twilio account is ${body.status}`);
  return `account ${accountSid} reachable at ${new URL(apiBase).origin}${body.status ? ` (${body.status})` : ""}`;
}

/** Any HTTP answer means the Bot API host is reachable (a token is per user, so none is tried). */
async function reachable(url: string): Promise<string> {
  const res = await fetchWithTimeout(`${url}/`);
  await res.body?.cancel();
  return `${new URL(url).origin} answers (HTTP ${res.status})`;
}

async function smtpRelay(url: string): Promise<string> {
  const transport = createTransport({ url, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS });
  const where = (() => {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === "smtps:" ? "465" : "587")}`;
  })();
  try {
    await transport.verify();
    return `relay ${where} answers and accepts the credentials`;
  } catch (err) {
    // The URL holds the relay's password: name only its host.
    throw new Error(`relay ${where}: ${(err as Error).message.replace(/smtps?:\/\/[^\s]*/g, "(relay URL)")}`);
  } finally {
    transport.close();
  }
}
