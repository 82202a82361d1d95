// The intake's hand-over of a claimed part to its conversation's drain (OutboundWorker.reserve)
// when the drain cannot trust it: the conversation's lock was lost in between.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { xml } from "@xmpp/client";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { POOL, SMS_DOMAIN, is, startFixture, waitUntil, type Fixture } from "../support/gatewayFixture.ts";

let fx: Fixture;
const jidOf = (n: string) => `${n}@${SMS_DOMAIN}`;

before(async () => {
  fx = await startFixture({ startGateway: false });
});
after(async () => {
  await fx?.close();
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
    // Seen in pg_locks: a prepared statement waits in Bind, before pg_stat_activity shows its text.
    const waiting = `SELECT 1 FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND relation = 'outbox'::regclass AND mode = 'RowExclusiveLock' AND NOT granted`;
    await waitUntil(async () => ((await blocker.query(waiting)).rowCount ?? 0) > 0, 10_000, "the insert to wait").catch(async (err: unknown) => {
      const sessions = await blocker.query(`SELECT application_name, state, wait_event_type, left(query, 60) AS query FROM pg_stat_activity WHERE datname = current_database()`);
      throw new Error(`${(err as Error).message}; database sessions: ${JSON.stringify(sessions.rows)}`);
    });
    const locks = await blocker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'switchboard-locks'`);
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
