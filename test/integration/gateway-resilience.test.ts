// Nothing accepted is lost or doubled: the XMPP server restarting with messages waiting, and the
// gateway process killed with SIGKILL while messages are in flight in both directions.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { randomUUID } from "node:crypto";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import { connectUser, type TestUser } from "../support/xmppUser.ts";
import pg from "pg";

let fx: Fixture;
const ALICE_NUMBER = POOL[0]!;
const jidOf = (n: string) => `${n}@${SMS_DOMAIN}`;

before(async () => {
  fx = await startFixture({ startGateway: false });
});
after(async () => {
  await fx?.close();
});

async function reconnect(name: string): Promise<TestUser> {
  const user = await connectUser({ service: `xmpp://127.0.0.1:${fx.prosody.c2sPort}`, domain: fx.prosody.host, username: name, password: "pw-" + name });
  fx.users.push(user);
  return user;
}

test("SMS received while the XMPP server is down are delivered in order, marked as delayed, once it is back", async () => {
  await fx.startGateway();
  const alice = await fx.user("alice");
  await fx.registerSms(alice, { number: ALICE_NUMBER });
  const from = "+15550105000";
  await fx.prosody.halt();
  await waitUntil(() => !fx.app!.xmpp.isUp("sms"), 5000, "the link to notice");
  for (let i = 0; i < 5; i++) {
    const res = await fx.twilio.deliverInbound({ from, to: ALICE_NUMBER, body: `while down ${i}` });
    assert.equal(res.status, 200, "accepted while the XMPP server is down");
  }
  await new Promise((r) => setTimeout(r, 5500)); // long enough to count as late
  await fx.prosody.resume();
  const back = await reconnect("alice");
  await waitUntil(() => fx.app!.xmpp.isUp("sms"), 20_000, "the link to come back");
  const bodies: string[] = [];
  for (let i = 0; i < 5; i++) {
    const msg = await back.waitFor(is.message(jidOf(from), (m) => m.getChildText("body") !== null), { what: `message ${i}`, timeoutMs: 20_000 });
    assert.ok(msg.getChild("delay", "urn:xmpp:delay")?.attrs.stamp, "late messages carry XEP-0203 delay");
    bodies.push(msg.getChildText("body")!);
  }
  assert.deepEqual(bodies, [0, 1, 2, 3, 4].map((i) => `while down ${i}`));
  await back.expectNone(is.message(jidOf(from), (m) => m.getChildText("body") !== null), 500);
  await fx.stopGateway();
});

test("the gateway killed with SIGKILL mid-flow loses and doubles nothing", async () => {
  await fx.spawnGateway();
  const alice = await reconnect("alice");
  const to = "+15550106000";
  const send = (i: number) => alice.send(xml("message", { type: "chat", to: jidOf(to), id: randomUUID() }, xml("body", {}, `out ${i}`)));
  for (let i = 0; i < 3; i++) await send(i);
  await waitUntil(() => fx.twilio.sent.filter((m) => m.to === to).length === 3, 10_000, "three sent");
  fx.twilio.hangNext(1); // the next send is in flight at Twilio when the gateway dies
  for (let i = 3; i < 10; i++) await send(i);
  const inbound: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fx.twilio.deliverInbound({ from: "+15550106001", to: ALICE_NUMBER, body: `in ${i}` });
    if (res.status === 200) inbound.push(res.messageSid);
  }
  await new Promise((r) => setTimeout(r, 300));
  await fx.killGateway();

  await fx.spawnGateway();
  await waitUntil(() => fx.twilio.sent.filter((m) => m.to === to).length >= 10, 40_000, "all ten sent after the restart");
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(
    fx.twilio.sent.filter((m) => m.to === to).map((m) => m.body),
    Array.from({ length: 10 }, (_, i) => `out ${i}`),
    "each message sent exactly once, in order",
  );
  const received: string[] = [];
  for (let i = 0; i < 5; i++) {
    const msg = await alice.waitFor(is.message(jidOf("+15550106001"), (m) => m.getChildText("body") !== null), { what: `inbound ${i}`, timeoutMs: 20_000 });
    received.push(msg.getChildText("body")!);
  }
  assert.deepEqual(received, [0, 1, 2, 3, 4].map((i) => `in ${i}`));
  await alice.expectNone(is.message(jidOf("+15550106001"), (m) => m.getChildText("body") !== null), 1000);
  assert.equal(inbound.length, 5);
  await fx.killGateway();
});

test("a message claimed at intake whose conversation lock is lost meanwhile is still sent once, with its receipt", async () => {
  // A busy conversation's next part is claimed by the intake's insert and handed to the drain
  // (OutboundWorker.reserve). Here the lock connection dies while that insert waits on a table
  // lock: the drain must not trust the hand-over, and sends the part after asking Twilio.
  await fx.startGateway();
  const carol = await fx.user("carol");
  await fx.registerSms(carol, { number: POOL[1]! });
  const to = "+15550107000";
  const send = (body: string) => {
    const msg = xml("message", { type: "chat", to: jidOf(to), id: randomUUID() }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" }));
    return carol.send(msg).then(() => msg.attrs.id as string);
  };
  const receipt = (id: string) => is.message(jidOf(to), (m) => m.getChild("received", "urn:xmpp:receipts")?.attrs.id === id);
  const first = await send("before the lock is lost");
  await carol.waitFor(receipt(first), { what: "the first receipt" });
  await new Promise((r) => setTimeout(r, 200)); // the conversation's drain is idle, its lock still held

  const blocker = new pg.Client({ connectionString: fx.db.url });
  await blocker.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE outbox IN SHARE MODE"); // the intake's insert waits for this
    const second = await send("while the lock is lost");
    await waitUntil(async () => (await blocker.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO outbox%'`)).rowCount === 1, 5000, "the insert to wait");
    const locks = await blocker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'switchboard-locks'`);
    assert.equal(locks.rowCount, 1, "the gateway's lock connection was there to cut");
    await new Promise((r) => setTimeout(r, 300)); // the gateway notices
    await blocker.query("COMMIT");
    await carol.waitFor(receipt(second), { what: "the second receipt", timeoutMs: 15_000 });
  } finally {
    await blocker.end();
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    fx.twilio.sent.filter((m) => m.to === to).map((m) => m.body),
    ["before the lock is lost", "while the lock is lost"],
    "each sent exactly once, in order",
  );
  await fx.stopGateway();
});
