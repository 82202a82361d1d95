// Only users of access.allowedDomains may register.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { SMS_DOMAIN, startFixture, type Fixture } from "../support/gatewayFixture.ts";
import { IqError } from "../support/xmppUser.ts";

let fx: Fixture;
before(async () => {
  fx = await startFixture({ allowedDomains: ["example.org"] });
});
after(async () => {
  await fx?.close();
});

test("a user of a server that is not allowed gets forbidden with a text", async () => {
  const u = await fx.user("stranger");
  for (const attempt of [
    u.iq(xml("iq", { type: "get", to: SMS_DOMAIN }, xml("query", { xmlns: "jabber:iq:register" }))),
    fx.registerSms(u),
  ]) {
    const err = await attempt.then(() => assert.fail("expected forbidden"), (e: unknown) => e);
    assert.ok(err instanceof IqError);
    assert.equal(err.condition, "forbidden");
    assert.match(err.text, /example\.test/);
  }
  const rows = await fx.app!.db.ds.query(`SELECT count(*)::int AS n FROM users`);
  assert.equal(rows[0].n, 0);
});
