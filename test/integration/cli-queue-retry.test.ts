// `switchboard queue retry` as an operator uses it after an outage: messages that ran out of
// retries while Twilio was unreachable are sent once Twilio is back; messages Twilio refused are not.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { xml } from "@xmpp/client";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import type { TestUser } from "../support/xmppUser.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/switchboard.js");
let fx: Fixture;
let alice: TestUser;
const jidOf = (n: string) => `${n}@${SMS_DOMAIN}`;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, "--config", fx.configPath], { env: { ...process.env, SB_LOG_LEVEL: "warn" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  fx = await startFixture({ retryBudgetSeconds: 2, initialBackoffMs: 200 });
  alice = await fx.user("alice");
  await fx.registerSms(alice, { number: POOL[0]! });
});
after(async () => {
  await fx?.close();
});

test("queue retry sends what failed while Twilio was down, once, and leaves refused messages alone", async () => {
  const down = "+15550107001";
  const refused = "+15550107002";
  // Twilio reports this one undelivered (the recipient opted out): a failure for good.
  fx.twilio.setOutcome(refused, { status: "undelivered", errorCode: 21610 });
  const bad = xml("message", { type: "chat", to: jidOf(refused), id: randomUUID() }, xml("body", {}, "to a number Twilio refuses"));
  await alice.send(bad);
  await alice.waitFor(is.message(jidOf(refused), (m) => m.attrs.type === "error"), { what: "refusal", timeoutMs: 10_000 });

  // Then Twilio is down for longer than the retry budget.
  fx.twilio.injectFailures(10_000, { status: 503 });
  const body = `sent after the outage ${randomUUID()}`;
  await alice.send(xml("message", { type: "chat", to: jidOf(down), id: randomUUID() }, xml("body", {}, body)));
  const timeout = await alice.waitFor(is.message(jidOf(down), (m) => m.attrs.type === "error"), { what: "timeout error", timeoutMs: 15_000 });
  assert.ok(timeout.getChild("error")!.getChild("remote-server-timeout", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  fx.twilio.clearFailures();

  const status = await cli(["queue", "status", "--json"]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).outbox.sms.failed, 2);

  const retry = await cli(["queue", "retry", "--network", "sms", "--json"]);
  assert.equal(retry.code, 0, retry.stderr);
  assert.deepEqual(JSON.parse(retry.stdout), { requeuedParts: 1, conversations: 1 });
  const sms = await fx.twilio.waitForSent((m) => m.body === body, 10_000);
  assert.equal(sms.to, down);
  assert.equal(sms.from, POOL[0]);

  // Nothing left to retry; the refused message was never sent again.
  const again = await cli(["queue", "retry", "--json"]);
  assert.deepEqual(JSON.parse(again.stdout), { requeuedParts: 0, conversations: 0 });
  await waitUntil(async () => {
    const [row] = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE state IN ('sent', 'delivered')`);
    return row.n === 1;
  }, 5000, "the retried message recorded as sent (the refused one stays failed)");
  assert.equal(fx.twilio.sent.filter((m) => m.to === down).length, 1);
  assert.equal(fx.twilio.sent.filter((m) => m.to === refused).length, 1, "the refused message was not sent again");
});

test("queue retry with a user that has nothing failed queues nothing", async () => {
  const res = await cli(["queue", "retry", "--user", "nobody@example.test"]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^0 message part\(s\) in 0 conversation\(s\) queued again/);
});
