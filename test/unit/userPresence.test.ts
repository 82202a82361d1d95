import { test } from "node:test";
import assert from "node:assert/strict";
import { UserPresence } from "../../src/xmpp/userPresence.ts";

test("a user's contacts are shown once per link-up, on the first available presence", () => {
  const p = new UserPresence();
  assert.equal(p.available("Alice@example.org/phone"), true);
  assert.equal(p.available("alice@example.org/laptop"), false, "a second resource: the server probes for it itself");
  p.unavailable("alice@example.org/phone");
  p.unavailable("alice@example.org/laptop");
  assert.equal(p.available("alice@example.org/phone"), false, "a later login: the server probes the contacts");
  p.reset();
  assert.equal(p.available("alice@example.org/phone"), true, "after the link came back up");
});

test("offline is known from the last resource leaving or from a probe's bare unavailable", () => {
  const p = new UserPresence();
  assert.equal(p.isKnownOffline("bob@example.org"), false, "never heard of: unknown, not offline");
  p.available("bob@example.org/a");
  p.available("bob@example.org/b");
  p.unavailable("bob@example.org/a");
  assert.equal(p.isKnownOffline("bob@example.org"), false, "one resource still online");
  p.unavailable("bob@example.org/b");
  assert.equal(p.isKnownOffline("BOB@example.org"), true);
  p.unavailable("carol@example.org");
  assert.equal(p.isKnownOffline("carol@example.org"), true, "the probe's answer for a user with no resource online");
  p.available("carol@example.org/x");
  assert.equal(p.isKnownOffline("carol@example.org"), false);
});
