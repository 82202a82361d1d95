// Disco, registration (XEP-0077/XEP-0100), jabber:iq:gateway and roster clean-up, through a real
// Prosody and a real XMPP client.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { POOL, SMS_DOMAIN, is, registerIq, startFixture, type Fixture } from "../support/gatewayFixture.ts";
import { IqError } from "../support/xmppUser.ts";

const DISCO = "http://jabber.org/protocol/disco#info";
let fx: Fixture;

before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.close();
});

function fieldValues(query: Element, name: string): { value: string | null; options: string[]; type?: string } {
  const field = query.getChild("x", "jabber:x:data")!.getChildren("field").find((f) => f.attrs.var === name)!;
  return { value: field.getChildText("value"), options: field.getChildren("option").map((o) => o.getChildText("value")!), type: field.attrs.type };
}

async function iqError(p: Promise<unknown>): Promise<IqError> {
  const err = await p.then(
    () => assert.fail("expected an error reply"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof IqError, `expected an IqError, got ${String(err)}`);
  return err;
}

describe("service discovery", () => {
  test("the domain is an SMS gateway with the features it implements", async () => {
    const u = await fx.user("disco");
    const res = await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: DISCO })));
    const identity = res.getChild("query")!.getChild("identity")!;
    assert.equal(identity.attrs.category, "gateway");
    assert.equal(identity.attrs.type, "sms");
    const features = res.getChild("query")!.getChildren("feature").map((f) => f.attrs.var);
    for (const f of [DISCO, "http://jabber.org/protocol/disco#items", "jabber:iq:register", "jabber:iq:gateway", "urn:xmpp:receipts", "urn:xmpp:ping", "jabber:iq:version"]) {
      assert.ok(features.includes(f), `missing feature ${f}`);
    }
  });

  test("contact JIDs answer disco#info and pings; unknown IQs get service-unavailable", async () => {
    const u = await fx.user("disco2");
    const contact = `+15550102000@${SMS_DOMAIN}`;
    const info = await u.iq(xml("iq", { type: "get", to: contact }, xml("query", { xmlns: DISCO })));
    assert.equal(info.getChild("query")!.getChild("identity")!.attrs.category, "client");
    await u.iq(xml("iq", { type: "get", to: contact }, xml("ping", { xmlns: "urn:xmpp:ping" })));
    await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("ping", { xmlns: "urn:xmpp:ping" })));
    const version = await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:version" })));
    assert.equal(version.getChild("query")!.getChildText("name"), "Switchboard");
    const err = await iqError(u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "urn:example:nothing" }))));
    assert.equal(err.condition, "service-unavailable");
  });
});

describe("registration", () => {
  test("the form offers the free pool numbers; registering gives the first one and a presence subscription", async () => {
    const u = await fx.user("alice");
    const form = await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" })));
    const query = form.getChild("query")!;
    assert.equal(query.getChild("registered"), undefined);
    assert.ok(query.getChildText("instructions"));
    const number = fieldValues(query, "number");
    assert.equal(number.type, "list-single");
    assert.deepEqual(number.options, POOL);

    await fx.registerSms(u);
    await u.waitFor(is.presence(SMS_DOMAIN, "subscribe"), { what: "subscribe from the gateway" });
    await u.waitFor(is.presence(SMS_DOMAIN, undefined), { what: "available presence from the gateway" });
    const welcome = await u.waitFor(is.message(SMS_DOMAIN, (m) => m.getChildText("body") !== null), { what: "welcome message" });
    assert.match(welcome.getChildText("body")!, /\+1 555 000 1111/);

    const again = await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" })));
    assert.ok(again.getChild("query")!.getChild("registered"), "<registered/> once registered");
    assert.equal(fieldValues(again.getChild("query")!, "number").value, POOL[0]);
  });

  test("a chosen number is given; a number taken by another user is a conflict", async () => {
    const bob = await fx.user("bob");
    await fx.registerSms(bob, { number: POOL[2]! });
    const carol = await fx.user("carol");
    const form = await carol.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" })));
    assert.ok(!fieldValues(form.getChild("query")!, "number").options.includes(POOL[2]!), "taken numbers are not offered");
    const err = await iqError(fx.registerSms(carol, { number: POOL[2]! }));
    assert.equal(err.condition, "conflict");
    assert.ok(err.text.length > 0);
  });

  test("re-registering moves the user to another free number and frees the old one", async () => {
    const dave = await fx.user("dave");
    const formOf = async () => (await dave.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" })))).getChild("query")!;
    await fx.registerSms(dave);
    const first = fieldValues(await formOf(), "number").value!;
    assert.equal(first, POOL[1], "the first free number");
    await fx.registerSms(dave, { number: POOL[6]! });
    const now = await formOf();
    assert.equal(fieldValues(now, "number").value, POOL[6]);
    const rows = await fx.app!.db.ds.query(`SELECT legacy_account_id FROM registrations WHERE legacy_account_id IN ($1, $2)`, [first, POOL[6]]);
    assert.deepEqual(rows, [{ legacy_account_id: POOL[6] }]);
    const carol = await fx.user("carol2");
    const offered = fieldValues((await carol.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" })))).getChild("query")!, "number").options;
    assert.ok(offered.includes(first), "the old number is free again");
    assert.ok(!offered.includes(POOL[6]!));
  });

  test("unregistering removes credentials and cleans the roster of the gateway and every contact", async () => {
    const erin = await fx.user("erin");
    await fx.registerSms(erin);
    const contact = `+15550104000@${SMS_DOMAIN}`;
    await erin.send(xml("presence", { type: "subscribe", to: contact }));
    await erin.waitFor(is.presence(contact, "subscribed"), { what: "contact approves" });
    await erin.iq(xml("iq", { type: "set", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" }, xml("remove"))));
    // The server turns the gateway's unsubscribe + unsubscribed into roster pushes that end each
    // subscription; the client then sees unavailable presence and can drop the items (XEP-0100 §4.3).
    for (const from of [contact, SMS_DOMAIN]) {
      await erin.waitFor(is.presence(from, "unsubscribe"), { what: `unsubscribe from ${from}` });
      await erin.waitFor(is.rosterPush(from, "none", "remove"), { what: `roster push ending the subscription to ${from}` });
      await erin.waitFor(is.presence(from, "unavailable"), { what: `unavailable from ${from}` });
    }
    const rows = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.jid = $1`, [erin.bare]);
    assert.equal(rows[0].n, 0);
    const err = await iqError(erin.iq(xml("iq", { type: "set", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" }, xml("remove")))));
    assert.equal(err.condition, "registration-required");
  });

  test("removing the gateway from the roster unregisters", async () => {
    const fay = await fx.user("fay");
    await fx.registerSms(fay);
    await fay.send(xml("presence", { type: "unsubscribe", to: SMS_DOMAIN }));
    await fay.waitFor(is.presence(SMS_DOMAIN, "unavailable"), { what: "the gateway going offline for fay" });
    const rows = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM users u JOIN registrations r ON r.user_id = u.id WHERE u.jid = $1`, [fay.bare]);
    assert.equal(rows[0].n, 0);
  });

  test("stored credentials are encrypted at rest", async () => {
    const rows = await fx.app!.db.ds.query(`SELECT credentials FROM registrations WHERE credentials IS NOT NULL`);
    for (const r of rows) assert.match(r.credentials, /^v1\./);
  });
});

describe("jabber:iq:gateway", () => {
  const translate = async (input: string) => {
    const u = fx.users[0]!;
    const res = await u.iq(xml("iq", { type: "set", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:gateway" }, xml("prompt", {}, input))));
    return res.getChild("query")!.getChildText("jid");
  };

  test("get gives a description and the prompt", async () => {
    const u = fx.users[0]!;
    const res = await u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:gateway" })));
    assert.equal(res.getChild("query")!.getChildText("prompt"), "Phone number");
    assert.ok(res.getChild("query")!.getChildText("desc"));
  });

  test("national and international numbers become E.164 JIDs", async () => {
    assert.equal(await translate("+1 (555) 010-2000"), `+15550102000@${SMS_DOMAIN}`);
    assert.equal(await translate("(555) 010-2000"), `+15550102000@${SMS_DOMAIN}`);
    assert.equal(await translate("+44 20 7946 0958"), `+442079460958@${SMS_DOMAIN}`);
  });

  test("nonsense gets a modify error with a text", async () => {
    const u = fx.users[0]!;
    const err = await iqError(u.iq(xml("iq", { type: "set", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:gateway" }, xml("prompt", {}, "hello there")))));
    assert.equal(err.type, "modify");
    assert.ok(err.text.length > 0);
  });
});
