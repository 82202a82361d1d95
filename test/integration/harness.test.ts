// Proves the shared test harness: private Prosody, raw component, test users, test databases.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { component, xml, type Component } from "@xmpp/component";
import type { Element } from "@xmpp/xml";
import pg from "pg";
import { createTestDatabase, terminateConnections } from "../support/database.ts";
import { startProsody, type ProsodyInstance } from "../support/prosody.ts";
import { connectUser, IqError, type TestUser } from "../support/xmppUser.ts";

const GW = "gw.example.test";
const SECRET = "harness-secret";

function isChat(from: string, body: string) {
  return (el: Element) => el.is("message") && (el.attrs.from ?? "").startsWith(from) && el.getChildText("body") === body;
}

async function startComponent(prosody: ProsodyInstance): Promise<{ comp: Component; inbox: Element[] }> {
  const comp = component({ service: `xmpp://127.0.0.1:${prosody.componentPort}`, domain: GW, password: SECRET });
  comp.reconnect.stop();
  comp.on("error", () => {});
  comp.on("connect", () => comp.socket?.setNoDelay?.(true));
  const inbox: Element[] = [];
  comp.on("stanza", (el: Element) => inbox.push(el));
  await comp.start();
  return { comp, inbox };
}

/** Like TestUser.stop(): @xmpp's stop() on a dead link leaves a 2 s timer behind. */
async function stopComponent(comp: Component | undefined): Promise<void> {
  if (!comp) return;
  comp.reconnect.stop();
  if (comp.status === "online") await comp.stop().catch(() => {});
  comp.socket?.destroy();
}

async function until<T>(fn: () => T | undefined, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("xmpp harness", () => {
  let prosody: ProsodyInstance;
  let comp: Component;
  let inbox: Element[];
  let alice: TestUser;
  let bob: TestUser;
  const service = () => `xmpp://127.0.0.1:${prosody.c2sPort}`;

  before(async () => {
    const t0 = Date.now();
    prosody = await startProsody({
      components: [{ domain: GW, secret: SECRET }],
      users: [{ username: "alice", password: "alice-pw" }],
    });
    const startMs = Date.now() - t0;
    assert.ok(startMs < 2_000, `Prosody took ${startMs} ms to start`);
    ({ comp, inbox } = await startComponent(prosody));
    await prosody.register("bob", "bob-pw"); // on the running server
    [alice, bob] = await Promise.all([
      connectUser({ service: service(), domain: prosody.host, username: "alice", password: "alice-pw", resource: "a" }),
      connectUser({ service: service(), domain: prosody.host, username: "bob", password: "bob-pw" }),
    ]);
  });

  after(async () => {
    await Promise.allSettled([alice?.stop(), bob?.stop(), stopComponent(comp)]);
    await prosody?.stop();
  });

  test("users are online with full JIDs", () => {
    assert.equal(alice.jid, `alice@${prosody.host}/a`);
    assert.equal(alice.bare, `alice@${prosody.host}`);
    assert.match(bob.jid, new RegExp(`^bob@${prosody.host.replace(/\./g, "\\.")}/.+`));
    assert.ok(prosody.running);
  });

  test("user → user message", async () => {
    await alice.send(xml("message", { to: bob.bare, type: "chat", id: "m1" }, xml("body", {}, "hi bob")));
    const got = await bob.waitFor(isChat(alice.bare, "hi bob"), { what: "alice's message" });
    assert.equal(got.attrs.from, alice.jid);
  });

  test("waitFor finds stanzas that arrived before the call, each only once", async () => {
    await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "one")));
    await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "one")));
    await bob.waitFor(isChat(alice.bare, "one")); // the first; waits for it to arrive
    await until(() => (bob.received.filter((el) => el.getChildText("body") === "one").length === 2 ? true : undefined), "second copy");
    await bob.waitFor(isChat(alice.bare, "one"), { what: "second copy, already buffered" });
    await bob.expectNone(isChat(alice.bare, "one"), 50);
    await assert.rejects(bob.waitFor(isChat(alice.bare, "one"), { timeoutMs: 100, what: "a third copy" }), /a third copy/);
  });

  test("expectNone fails on a matching stanza", async () => {
    const watching = bob.expectNone(isChat(alice.bare, "unexpected"), 2_000);
    await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "unexpected")));
    await assert.rejects(watching, /expected no such stanza/);
  });

  test("user → component message reaches the component", async () => {
    await alice.send(xml("message", { to: `+15550102000@${GW}`, type: "chat", id: "c1" }, xml("body", {}, "to the gateway")));
    const got = await until(() => inbox.find((el) => el.is("message") && el.attrs.id === "c1"), "component inbox");
    assert.equal(got.attrs.from, alice.jid);
    assert.equal(got.attrs.to, `+15550102000@${GW}`);
    assert.equal(got.getChildText("body"), "to the gateway");
  });

  test("component → user message with explicit from", async () => {
    const from = `+15550102000@${GW}`;
    await comp.send(xml("message", { from, to: alice.jid, type: "chat", id: "c2" }, xml("body", {}, "from the network")));
    const got = await alice.waitFor(isChat(from, "from the network"), { what: "component message" });
    assert.equal(got.attrs.from, from);
  });

  test("the user answers disco#info and ping; iq errors carry the condition", async () => {
    const info = await comp.iqCaller.request(
      xml("iq", { type: "get", from: GW, to: alice.jid }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })),
      5_000,
    );
    const vars = info.getChild("query")?.getChildren("feature").map((f) => f.attrs.var);
    assert.ok(vars?.includes("urn:xmpp:ping"));
    await comp.iqCaller.request(xml("iq", { type: "get", from: GW, to: alice.jid }, xml("ping", { xmlns: "urn:xmpp:ping" })), 5_000);

    const err = await alice
      .iq(xml("iq", { type: "get", to: GW }, xml("query", { xmlns: "jabber:iq:version" })))
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof IqError, String(err));
    assert.equal(err.condition, "service-unavailable");
    assert.equal(err.stanza.attrs.type, "error");
  });

  test("restart keeps accounts and ports; users and component reconnect", async () => {
    const { c2sPort, componentPort } = prosody;
    await prosody.restart();
    assert.equal(prosody.c2sPort, c2sPort);
    assert.equal(prosody.componentPort, componentPort);
    assert.ok(prosody.running);
    await Promise.allSettled([alice.stop(), bob.stop(), stopComponent(comp)]);

    ({ comp, inbox } = await startComponent(prosody));
    [alice, bob] = await Promise.all([
      connectUser({ service: service(), domain: prosody.host, username: "alice", password: "alice-pw", resource: "a" }),
      connectUser({ service: service(), domain: prosody.host, username: "bob", password: "bob-pw" }),
    ]);
    await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "after restart")));
    await bob.waitFor(isChat(alice.bare, "after restart"));
    assert.match(await prosody.logText(), /Shutting down: Received SIGTERM/);
  });

  test("connectUser gives up on a server that never completes the session", async () => {
    // Opens the stream, then says nothing more.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.once("data", () =>
        s.write(
          `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' ` +
            `id='x' from='${prosody.host}' version='1.0'>`,
        ),
      );
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      await assert.rejects(
        connectUser({ service: `xmpp://127.0.0.1:${port}`, domain: prosody.host, username: "alice", password: "x", connectTimeoutMs: 200 }),
        /no session after 200 ms/,
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test("a wrong password is refused", async () => {
    await assert.rejects(
      connectUser({ service: service(), domain: prosody.host, username: "alice", password: "wrong" }),
      /not-authorized/,
    );
  });
});

describe("test database", () => {
  test("a fresh database; drop removes it", async () => {
    const db = await createTestDatabase();
    const name = decodeURIComponent(new URL(db.url).pathname.slice(1));
    assert.match(name, /^sb_[0-9a-f]+$/);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    assert.deepEqual((await c.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    const tables = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    assert.equal(tables.rows[0].n, 0);

    // terminateConnections cuts our client
    const closed = new Promise<void>((resolve) => c.on("error", () => resolve()));
    assert.equal(await terminateConnections(db.url), 1);
    await closed;
    await c.end().catch(() => {});

    const other = await createTestDatabase();
    assert.notEqual(other.url, db.url);

    const held = new pg.Client({ connectionString: db.url }); // drop() must not wait for it
    held.on("error", () => {});
    await held.connect();
    await db.drop();
    await db.drop(); // idempotent
    await held.end().catch(() => {});

    const admin = new pg.Client({ connectionString: other.url });
    await admin.connect();
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [name]);
    await admin.end();
    assert.equal(left.rows[0].n, 0);
    await other.drop();
  });
});
