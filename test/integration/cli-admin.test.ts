// The admin commands as an operator runs them against a running gateway: `switchboard` spawned as
// a real process on the same database, a real Prosody with real XMPP users, and the simulators.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { xml } from "@xmpp/client";
import { EMAIL_DOMAIN, POOL, SMS_DOMAIN, TELEGRAM_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import { getFreePort } from "../support/ports.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/switchboard.js");
const TOKEN = "424242:cli-admin-bot-token-secret";
const BOT_ID = 424242;
let fx: Fixture;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { config?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, "--config", opts.config ?? fx.configPath], {
      env: { ...process.env, SB_LOG_LEVEL: "warn" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function ok(res: Result): Result {
  assert.equal(res.code, 0, `exit ${res.code}: ${res.stderr}`);
  return res;
}

/** Exit 1 with exactly one line on stderr, matching `reason`. */
function failed(res: Result, reason: RegExp): void {
  assert.equal(res.code, 1, `expected exit 1, got ${res.code}: ${res.stdout}${res.stderr}`);
  const lines = res.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr: ${res.stderr}`);
  assert.match(lines[0]!, reason);
}

function badUsage(res: Result, reason: RegExp): void {
  assert.equal(res.code, 2, `expected exit 2, got ${res.code}: ${res.stderr}`);
  assert.match(res.stderr, reason);
}

before(async () => {
  fx = await startFixture({ networks: ["sms", "telegram", "email"] });
  fx.sims.telegram!.addBot({ token: TOKEN, id: BOT_ID, username: "cli_admin_bot", firstName: "CLI admin" });
  fx.sims.telegram!.addUser({ id: 7001, firstName: "Tanja" });
});
after(async () => {
  await fx?.close();
});

describe("bad usage", () => {
  test("bad arguments exit 2 naming the problem", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["users", "add", "someone@example.test"], /needs --network/],
      [["users", "add", "someone@example.test", "--network", "pigeon"], /--network must be one of sms, telegram, email/],
      [["users", "add", "not-a-jid", "--network", "sms"], /not a bare JID/],
      [["users", "add", "someone@example.test", "--network", "sms", "colour=blue"], /unknown sms registration field: colour/],
      [["users", "add", "someone@example.test", "--network", "telegram", "number=+15550001111"], /unknown telegram registration field: number/],
      [["users", "frob"], /unknown users command: frob/],
      [["numbers", "list", "--network", "sms"], /--network does not apply/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((res, i) => badUsage(res, cases[i]![1]));
    const rows = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM users WHERE jid = 'someone@example.test'`);
    assert.equal(rows[0].n, 0, "nothing was registered");
  });
});

describe("SMS through the CLI", () => {
  test("users add registers like XEP-0077: the running gateway greets the user, who can then text", async () => {
    const amy = await fx.user("amy");
    const res = ok(await cli(["users", "add", amy.bare, "--network", "sms", `number=${POOL[2]}`, "--json"]));
    assert.deepEqual(JSON.parse(res.stdout), { jid: amy.bare, network: "sms", account: POOL[2], created: true });
    await amy.waitFor(is.presence(SMS_DOMAIN, "subscribe"), { what: "subscribe from the gateway", timeoutMs: 10_000 });
    const welcome = await amy.waitFor(is.message(SMS_DOMAIN, (m) => m.getChildText("body") !== null), { what: "welcome" });
    assert.match(welcome.getChildText("body")!, /\+1 555 000 3333/);

    const body = `hello from the CLI user ${randomUUID()}`;
    await amy.send(xml("message", { type: "chat", to: `+15550102000@${SMS_DOMAIN}`, id: randomUUID() }, xml("body", {}, body)));
    const sent = await fx.twilio.waitForSent((m) => m.body === body, 10_000);
    assert.equal(sent.from, POOL[2]);
    assert.equal(sent.to, "+15550102000");
  });

  test("a taken number fails with the network's reason; an unknown pool number too", async () => {
    const ben = await fx.user("ben");
    const [taken, unknown, foreign] = await Promise.all([
      cli(["users", "add", ben.bare, "--network", "sms", `number=${POOL[2]}`]),
      cli(["users", "add", ben.bare, "--network", "sms", "number=+15559990000"]),
      cli(["users", "add", "eve@elsewhere.test", "--network", "sms"]),
    ]);
    failed(taken, /already someone else's number/);
    failed(unknown, /not one of this gateway's numbers/);
    failed(foreign, /may not register/);
  });

  test("users show, contacts list and queue status report what the gateway holds", async () => {
    const amy = fx.users.find((u) => u.bare.startsWith("amy@"))!;
    await waitUntil(async () => {
      const [row] = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE state IN ('sent', 'delivered')`);
      return row.n >= 1;
    }, 10_000, "the message to be recorded as sent");
    const show = JSON.parse(ok(await cli(["users", "show", amy.bare, "--json"])).stdout);
    assert.equal(show.jid, amy.bare);
    assert.equal(show.registrations.length, 1);
    const [r] = show.registrations;
    assert.equal(r.network, "sms");
    assert.equal(r.account, POOL[2]);
    assert.equal(r.state, "active");
    assert.equal(r.reason, null);
    assert.equal(r.contacts, 1);
    assert.equal(r.queued, 0);
    assert.equal(r.failed, 0);
    assert.ok(!Number.isNaN(Date.parse(r.createdAt)));
    failed(await cli(["users", "show", "nobody@example.test"]), /nobody@example\.test is not registered/);

    const contacts = JSON.parse(ok(await cli(["contacts", "list", amy.bare, "--network", "sms", "--json"])).stdout);
    assert.equal(contacts.length, 1);
    assert.equal(contacts[0].jid, `+15550102000@${SMS_DOMAIN}`);
    assert.equal(contacts[0].address, "+15550102000");
    assert.equal(contacts[0].network, "sms");
    assert.ok(["none", "to", "from", "both"].includes(contacts[0].subscription));
    const text = ok(await cli(["contacts", "list", amy.bare]));
    assert.match(text.stdout, /\+15550102000@sms\.example\.test\t\+15550102000/);

    const status = JSON.parse(ok(await cli(["queue", "status", "--json"])).stdout);
    const sms = status.outbox.sms;
    assert.ok((sms.sent ?? 0) + (sms.delivered ?? 0) >= 1, JSON.stringify(status));
    assert.equal(sms.oldestPendingSeconds, undefined, "nothing pending");
    assert.deepEqual(Object.keys(status).sort(), ["inbox", "outbox", "unroutable"]);
  });

  test("users remove cleans the user's roster as XEP-0077 <remove/> does", async () => {
    const cleo = await fx.user("cleo");
    ok(await cli(["users", "add", cleo.bare, "--network", "sms"]));
    await cleo.waitFor(is.presence(SMS_DOMAIN, undefined), { what: "the gateway online", timeoutMs: 10_000 });
    const contact = `+15550104000@${SMS_DOMAIN}`;
    await cleo.send(xml("presence", { type: "subscribe", to: contact }));
    await cleo.waitFor(is.presence(contact, "subscribed"), { what: "contact approves" });

    const res = ok(await cli(["users", "remove", cleo.bare, "--json"]));
    assert.deepEqual(JSON.parse(res.stdout).removed, [{ network: "sms", account: POOL[0], contacts: 1 }]);
    for (const from of [contact, SMS_DOMAIN]) {
      await cleo.waitFor(is.presence(from, "unsubscribe"), { what: `unsubscribe from ${from}`, timeoutMs: 10_000 });
      await cleo.waitFor(is.rosterPush(from, "none", "remove"), { what: `roster push ending the subscription to ${from}` });
      await cleo.waitFor(is.presence(from, "unavailable"), { what: `unavailable from ${from}` });
    }
    failed(await cli(["users", "remove", cleo.bare]), /is not registered with any network/);
  });

  test("numbers list, assign and release", async () => {
    const dan = await fx.user("dan");
    const before = JSON.parse(ok(await cli(["numbers", "list", "--json"])).stdout);
    assert.deepEqual(before.map((n: { number: string }) => n.number), POOL);
    assert.equal(before.find((n: { number: string }) => n.number === POOL[2]).user, fx.users.find((u) => u.bare.startsWith("amy@"))!.bare);
    assert.equal(before.find((n: { number: string }) => n.number === POOL[5]).user, null);

    ok(await cli(["numbers", "assign", POOL[5]!, dan.bare]));
    await dan.waitFor(is.message(SMS_DOMAIN, (m) => /\+1 555 000 6666/.test(m.getChildText("body") ?? "")), { what: "welcome", timeoutMs: 10_000 });
    const held = JSON.parse(ok(await cli(["numbers", "list", "--json"])).stdout);
    assert.equal(held.find((n: { number: string }) => n.number === POOL[5]).user, dan.bare);
    failed(await cli(["numbers", "assign", "+15559990000", dan.bare]), /not in the pool/);

    ok(await cli(["numbers", "release", POOL[5]!]));
    await dan.waitFor(is.presence(SMS_DOMAIN, "unsubscribe"), { what: "the gateway leaving dan's roster", timeoutMs: 10_000 });
    const freed = JSON.parse(ok(await cli(["numbers", "list", "--json"])).stdout);
    assert.equal(freed.find((n: { number: string }) => n.number === POOL[5]).user, null);
    failed(await cli(["numbers", "release", POOL[5]!]), /nobody holds/);
  });
});

describe("Telegram and email through the CLI", () => {
  test("users add starts the bot's polling in the running gateway; users remove stops it; no token is printed", async () => {
    const tess = await fx.user("tess");
    const tg = fx.sims.telegram!;
    failed(await cli(["users", "add", tess.bare, "--network", "telegram", "token=999:not-a-real-token"]), /Telegram rejected that bot token/);
    ok(await cli(["users", "add", tess.bare, "--network", "telegram", `token=${TOKEN}`]));
    await waitUntil(() => tg.methodCalls(TOKEN).some((c) => c.method === "getUpdates"), 10_000, "the gateway to poll the bot");
    const welcome = await tess.waitFor(is.message(TELEGRAM_DOMAIN, (m) => m.getChildText("body") !== null), { what: "welcome", timeoutMs: 10_000 });
    assert.match(welcome.getChildText("body")!, /t\.me\/cli_admin_bot/);

    // A Telegram user writes to the bot and reaches tess through the gateway.
    tg.userSends(TOKEN, 7001, "hi tess");
    await tess.waitFor(is.message(`7001@${TELEGRAM_DOMAIN}`, (m) => m.getChildText("body") === "hi tess"), { what: "the message", timeoutMs: 10_000 });

    const show = ok(await cli(["users", "show", tess.bare, "--json"]));
    const text = ok(await cli(["users", "show", tess.bare]));
    for (const out of [show.stdout, text.stdout]) assert.ok(!out.includes("cli-admin-bot-token-secret"), "the token is never printed");
    const [r] = JSON.parse(show.stdout).registrations;
    assert.equal(r.account, `@cli_admin_bot (bot ${BOT_ID})`);
    assert.equal(r.accountId, String(BOT_ID));

    ok(await cli(["users", "remove", tess.bare, "--network", "telegram"]));
    await tess.waitFor(is.presence(TELEGRAM_DOMAIN, "unsubscribe"), { what: "the gateway leaving the roster", timeoutMs: 10_000 });
    // Polling stops: after a moment no more getUpdates calls are made.
    await new Promise((r) => setTimeout(r, 500));
    const settled = tg.methodCalls(TOKEN).filter((c) => c.method === "getUpdates").length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(tg.methodCalls(TOKEN).filter((c) => c.method === "getUpdates").length, settled, "no getUpdates after removal");
  });

  test("email: a taken address fails with the reason", async () => {
    const eli = await fx.user("eli");
    const fay = await fx.user("fay");
    const res = JSON.parse(ok(await cli(["users", "add", eli.bare, "--network", "email", "localpart=eli", "--json"])).stdout);
    assert.equal(res.account, "eli@mail.example.test");
    await eli.waitFor(is.message(EMAIL_DOMAIN, (m) => /eli@mail\.example\.test/.test(m.getChildText("body") ?? "")), { what: "welcome", timeoutMs: 10_000 });
    failed(await cli(["users", "add", fay.bare, "--network", "email", "localpart=eli"]), /already someone else's address/);
  });
});

describe("doctor", () => {
  test("all checks pass against the running gateway", async () => {
    const res = ok(await cli(["doctor", "--json"]));
    const report = JSON.parse(res.stdout);
    assert.equal(report.ok, true, res.stdout);
    const names = report.checks.map((c: { name: string }) => c.name);
    for (const n of ["config", "database", "xmpp sms", "xmpp telegram", "xmpp email", "http", "sms twilio", "telegram api", "email smtp"]) {
      assert.ok(names.includes(n), `missing check ${n}`);
    }
    assert.match(report.checks.find((c: { name: string }) => c.name === "http").detail, /answering \/healthz/);
    // The probe opened streams to the component domains without a handshake: the gateway's own links stay up.
    await new Promise((r) => setTimeout(r, 300));
    for (const n of ["sms", "telegram", "email"] as const) assert.ok(fx.app!.xmpp.isUp(n), `${n} link still up`);
  });

  test("an unreachable component port fails, naming it", async () => {
    const closed = await getFreePort();
    const original = await fs.readFile(fx.configPath, "utf8");
    const file = path.join(path.dirname(fx.configPath), "doctor-bad.yaml");
    await fs.writeFile(file, original.replace(/xmpp: \{ host: 127\.0\.0\.1, port: \d+ \}/, `xmpp: { host: 127.0.0.1, port: ${closed} }`));
    const res = await cli(["doctor"], { config: file });
    failed(res, /check\(s\) failed: xmpp sms, xmpp telegram, xmpp email/);
    assert.match(res.stdout, new RegExp(`FAIL  xmpp sms: cannot connect to 127\\.0\\.0\\.1:${closed}: ECONNREFUSED`));
    assert.match(res.stdout, /ok {4}database: reachable and migrated/);
  });
});
