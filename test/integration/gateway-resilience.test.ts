// Nothing accepted is lost or doubled: the XMPP server restarting with messages waiting, and the
// gateway process killed with SIGKILL while messages are in flight in both directions.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { randomUUID } from "node:crypto";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import { connectUser, type TestUser } from "../support/xmppUser.ts";

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
