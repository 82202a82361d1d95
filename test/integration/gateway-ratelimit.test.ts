// A runaway client cannot spend the operator's SMS budget: past the per-user limit, messages are
// refused with a clear error and never reach Twilio.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { randomUUID } from "node:crypto";
import { SMS_DOMAIN, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";

let fx: Fixture;
before(async () => {
  fx = await startFixture({ perUserPerMinute: 5 });
});
after(async () => {
  await fx?.close();
});

test("messages past networks.sms.rateLimit.perUserPerMinute are refused with resource-constraint", async () => {
  const [alice, bob] = [await fx.user("alice"), await fx.user("bob")];
  await fx.registerSms(alice);
  await fx.registerSms(bob);
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const id = randomUUID();
    ids.push(id);
    await alice.send(xml("message", { type: "chat", to: `+15550108000@${SMS_DOMAIN}`, id }, xml("body", {}, `m${i}`)));
  }
  for (const id of ids.slice(5)) {
    const err = await alice.waitFor((el) => el.name === "message" && el.attrs.type === "error" && el.attrs.id === id, { what: `refusal of ${id}` });
    assert.ok(err.getChild("error")!.getChild("resource-constraint", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert.match(err.getChild("error")!.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")!, /faster than this gateway allows/);
  }
  await waitUntil(() => fx.twilio.sent.length >= 5, 5000, "the five allowed messages");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(fx.twilio.sent.map((m) => m.body), ["m0", "m1", "m2", "m3", "m4"]);
  // Another user has a budget of their own.
  await bob.send(xml("message", { type: "chat", to: `+15550108000@${SMS_DOMAIN}`, id: randomUUID() }, xml("body", {}, "from bob")));
  await fx.twilio.waitForSent((m) => m.body === "from bob", 5000);
});
