// Presence over the gateway's life: announced on start, answered on probe, withdrawn on shutdown;
// /healthz while the XMPP server is away; a wrong component secret stops the link for good.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { ComponentLink } from "../../src/xmpp/componentLink.ts";
import { createLogger } from "../../src/log.ts";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";
import { connectUser } from "../support/xmppUser.ts";

let fx: Fixture;
const contact = `+15550107000@${SMS_DOMAIN}`;

before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.close();
});

test("shutdown withdraws presence of the gateway and every contact; startup announces the gateway", async () => {
  const alice = await fx.user("alice");
  await fx.registerSms(alice, { number: POOL[0]! });
  await alice.send(xml("presence", { type: "subscribe", to: contact }));
  await alice.waitFor(is.presence(contact, "subscribe"), { what: "the contact's reverse request" });
  await alice.send(xml("presence", { type: "subscribed", to: contact }));
  await alice.send(xml("presence", { type: "subscribed", to: SMS_DOMAIN }));
  await alice.send(xml("presence", { type: "subscribe", to: SMS_DOMAIN }));
  await alice.waitFor(is.presence(SMS_DOMAIN, "subscribed"), { what: "the gateway approves" });

  await fx.stopGateway();
  await alice.waitFor(is.presence(contact, "unavailable"), { what: "contact unavailable on shutdown" });
  await alice.waitFor(is.presence(SMS_DOMAIN, "unavailable"), { what: "gateway unavailable on shutdown" });

  // Alice stays logged in: her server will not probe her contacts again, so the gateway must show
  // them to her once it is back, or they stay unavailable until she reconnects.
  const mark = alice.received.length;
  await fx.startGateway();
  const since = (pred: (el: Element) => boolean) => () => alice.received.slice(mark).some(pred);
  await waitUntil(since(is.presence(SMS_DOMAIN, undefined)), 10_000, "gateway presence on startup");
  await waitUntil(since(is.presence(contact, undefined)), 10_000, "the contact's presence again after the restart");
});

test("a user logging in probes the gateway and contacts and gets their presence", async () => {
  const again = await connectUser({ service: `xmpp://127.0.0.1:${fx.prosody.c2sPort}`, domain: fx.prosody.host, username: "alice", password: "pw-alice", resource: "second" });
  fx.users.push(again);
  await again.waitFor(is.presence(SMS_DOMAIN, undefined), { what: "gateway presence answering the probe" });
  await again.waitFor(is.presence(contact, undefined), { what: "contact presence answering the probe" });
});

test("a registration that needs attention shows the gateway away, with the reason, to a probe", async () => {
  const bob = await fx.user("bob");
  await fx.registerSms(bob, { number: POOL[1]! });
  const registration = await fx.app!.gateway.registrationStore.find(bob.bare, "sms");
  await fx.app!.gateway.registrationStore.markBroken(registration!.id, "Twilio refused the credentials");
  const mark = bob.received.length;
  await bob.send(xml("presence", { type: "probe", to: SMS_DOMAIN }));
  await waitUntil(() => bob.received.slice(mark).some(is.presence(SMS_DOMAIN, undefined)), 5000, "the gateway's presence");
  const answer = bob.received.slice(mark).find(is.presence(SMS_DOMAIN, undefined))!;
  assert.equal(answer.getChildText("show"), "xa");
  assert.equal(answer.getChildText("status"), "Needs attention: Twilio refused the credentials");
});

test("/healthz is 503 while the XMPP server is away and 200 once the link is back", async () => {
  await fx.prosody.halt();
  await waitUntil(async () => (await fetch(`${fx.publicUrl}/healthz`)).status === 503, 5000, "503");
  const body = (await (await fetch(`${fx.publicUrl}/healthz`)).json()) as { components: { sms: { state: string } } };
  assert.notEqual(body.components.sms.state, "online");
  await fx.prosody.resume();
  await waitUntil(async () => (await fetch(`${fx.publicUrl}/healthz`)).status === 200, 20_000, "200 again");
});

test("a wrong component secret fails the link and stops retrying", async () => {
  const link = new ComponentLink({ host: "127.0.0.1", port: fx.prosody.componentPort, domain: SMS_DOMAIN, secret: "wrong", log: createLogger("silent") });
  try {
    await link.start();
    await waitUntil(() => link.state === "failed", 5000, `the link to give up (state ${link.state}, last error ${link.lastError})`);
    assert.equal(link.lastError, "not-authorized");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(link.state, "failed", "no reconnect after not-authorized");
  } finally {
    await link.stop();
  }
});
