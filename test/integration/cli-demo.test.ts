// `switchboard demo` as a newcomer runs it: one process that starts a private Prosody with TLS, the
// simulators, the embedded PostgreSQL and the gateway, prints how to log in (--json here), lets a
// real XMPP client chat with each network both ways through the printed control calls, and stops
// everything on SIGTERM with exit 0.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { xml } from "@xmpp/client";
import type { DemoFacts, HttpCall } from "../../src/demo/instructions.ts";
import { is, waitUntil } from "../support/gatewayFixture.ts";
import { getFreePort } from "../support/ports.ts";
import { connectUser, type TestUser } from "../support/xmppUser.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/switchboard.js");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tmp: string;
let demo: ChildProcess;
let stdout = "";
let stderr = "";
let exited: Promise<number | null>;
let facts: DemoFacts;
let user: TestUser | undefined;

/** A short-lived `switchboard` run (one that fails before starting anything). */
function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

function failed(res: Result, reason: RegExp): void {
  assert.equal(res.code, 1, `expected exit 1, got ${res.code}: ${res.stdout}${res.stderr}`);
  const lines = res.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr: ${res.stderr}`);
  assert.match(lines[0]!, reason);
}

async function call(c: HttpCall): Promise<unknown> {
  const res = await fetch(c.url, { method: c.method, ...(c.body ? { body: JSON.stringify(c.body), headers: { "Content-Type": "application/json" } } : {}) });
  const text = await res.text();
  assert.equal(res.status, 200, `${c.method} ${c.url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Processes whose command line names the demo's directory (its Prosody and PostgreSQL). */
async function processesUsing(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline.replace(/\0/g, " ").trim()}`);
  }
  return found;
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "sb-demo-"));
  await fs.chmod(tmp, 0o755); // the embedded PostgreSQL runs as `postgres` when we are root
  const xmppPort = await getFreePort();
  // DATABASE_URL stays in the environment: the demo uses its own embedded database regardless.
  demo = spawn(process.execPath, [BIN, "demo", "--json", "--xmpp-port", String(xmppPort)], { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
  exited = new Promise((resolve) => demo.once("exit", (code) => resolve(code)));
  demo.stdout!.on("data", (d) => (stdout += d));
  demo.stderr!.on("data", (d) => (stderr += d));
  await waitUntil(() => {
    if (demo.exitCode !== null) throw new Error(`the demo exited with ${demo.exitCode}: ${stderr}`);
    return stdout.includes("\n");
  }, 40_000, "the demo to print its facts");
  facts = JSON.parse(stdout.split("\n")[0]!) as DemoFacts;
  assert.equal(facts.xmpp.port, xmppPort);
  // The certificate is self-signed: this test process (only) accepts it; its fingerprint is checked below.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
});

after(async () => {
  delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  await user?.stop();
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    demo.kill("SIGTERM");
    await exited;
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("switchboard demo", () => {
  test("prints the login, the gateways and the control calls; uses its own database and TLS", async () => {
    assert.equal(facts.xmpp.jid, "demo@localhost");
    assert.ok(facts.xmpp.password.length >= 8);
    assert.deepEqual(
      Object.values(facts.networks).map((n) => n.gateway),
      ["sms.localhost", "telegram.localhost", "email.localhost"],
    );
    assert.equal(facts.networks.sms.contact.jid, "+15550102000@sms.localhost");
    assert.match(facts.networks.sms.writeBack.curl, /^curl -s http:\/\/127\.0\.0\.1:\d+\/_sim\/inbound /);
    assert.equal(facts.files.dataDir, path.join(await fs.realpath(tmp), "data/demo"));
    await fs.access(path.join(facts.files.dataDir, "postgres", "PG_VERSION"));
    assert.doesNotMatch(await fs.readFile(facts.files.config, "utf8"), /^\s*url:/m, "no database.url: the embedded PostgreSQL");

    user = await connectUser({ service: `xmpp://127.0.0.1:${facts.xmpp.port}`, domain: facts.xmpp.domain, username: "demo", password: facts.xmpp.password });
    const tlsSocket = (user.client.socket as unknown as { socket?: { getPeerCertificate?: () => { fingerprint256?: string } } }).socket;
    assert.equal(tlsSocket?.getPeerCertificate?.().fingerprint256, facts.xmpp.sha256, "logged in over TLS with the printed certificate");
    // Pre-registered while offline: the gateways' roster requests were kept for the user.
    for (const n of Object.values(facts.networks)) {
      await user.waitFor(is.presence(n.gateway, "subscribe"), { what: `subscribe from ${n.gateway}` });
    }
  });

  test("SMS: the user's message reaches the Twilio simulator, and the printed call texts back", async () => {
    const sms = facts.networks.sms;
    const body = `hello SMS ${randomUUID()}`;
    await user!.send(xml("message", { type: "chat", to: sms.contact.jid, id: randomUUID() }, xml("body", {}, body)));
    await waitUntil(async () => ((await call(sms.received)) as Array<{ body: string; to: string; from: string }>).some((m) => m.body === body && m.to === sms.contact.address && m.from === sms.account), 10_000, "the SMS at the simulator");

    await call(sms.writeBack);
    const reply = await user!.waitFor(is.message(sms.contact.jid, (m) => m.getChildText("body") !== null), { what: "the inbound SMS", timeoutMs: 10_000 });
    assert.equal(reply.getChildText("body"), (sms.writeBack.body as { body: string }).body);
  });

  test("Telegram: the printed call makes Alice write to the bot; the user's reply reaches her", async () => {
    const tg = facts.networks.telegram;
    await call(tg.writeBack);
    const hello = await user!.waitFor(is.message(tg.contact.jid, (m) => m.getChildText("body") !== null), { what: "Alice's message", timeoutMs: 10_000 });
    assert.match(hello.getChildText("body")!, /Hello from Telegram/);

    const text = `hello Telegram ${randomUUID()}`;
    await user!.send(xml("message", { type: "chat", to: tg.contact.jid, id: randomUUID() }, xml("body", {}, text)));
    await waitUntil(async () => JSON.stringify(await call(tg.received)).includes(text), 10_000, "the bot's message at the simulator");
  });

  test("email: the printed call delivers Bob's mail; the user's reply leaves through the relay", async () => {
    const email = facts.networks.email;
    await call(email.writeBack);
    const mail = await user!.waitFor(is.message(email.contact.jid, (m) => m.getChildText("body") !== null), { what: "Bob's mail", timeoutMs: 10_000 });
    assert.match(mail.getChildText("body")!, /Hello from email/);

    const text = `hello email ${randomUUID()}`;
    await user!.send(xml("message", { type: "chat", to: email.contact.jid, id: randomUUID() }, xml("body", {}, text)));
    await waitUntil(async () => ((await call(email.received)) as Array<{ text?: string; envelope: { to: string[] } }>).some((m) => m.text?.includes(text) && m.envelope.to.includes(email.contact.address)), 10_000, "the mail at the relay");
  });

  test("refusals: bad usage exits 2; a second demo here, a taken port, no Prosody exit 1 with one line", async () => {
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), "sb-demo-other-"));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const [badPort, extra, notForDemo, second, portTaken, noProsody] = await Promise.all([
        run(["demo", "--xmpp-port", "70000"], elsewhere),
        run(["demo", "now"], elsewhere),
        run(["users", "list", "--xmpp-port", "5222"], elsewhere),
        run(["demo"], tmp),
        run(["demo", "--xmpp-port", String(taken)], elsewhere),
        run(["demo"], elsewhere, { PROSODY_BIN: path.join(elsewhere, "no-prosody-here") }),
      ]);
      assert.equal(badPort.code, 2, badPort.stderr);
      assert.match(badPort.stderr, /--xmpp-port must be a port number/);
      assert.equal(extra.code, 2, extra.stderr);
      assert.equal(notForDemo.code, 2, notForDemo.stderr);
      assert.match(notForDemo.stderr, /--xmpp-port does not apply to users list/);
      failed(second, /another switchboard demo \(PID \d+\) is running/);
      failed(portTaken, new RegExp(`port ${taken} .*is taken`));
      failed(noProsody, /apt-get install prosody/);
    } finally {
      holder.close();
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });

  test("SIGTERM stops everything: exit 0, nothing on stderr, no Prosody or PostgreSQL left", async () => {
    await user?.stop();
    user = undefined;
    assert.ok((await processesUsing(tmp)).length >= 2, "the demo's Prosody and PostgreSQL were running");
    demo.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.equal(stderr, "");
    assert.deepEqual(await processesUsing(tmp), []);
  });
});
