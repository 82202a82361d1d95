// The gateway's own HTTP client under the twilio SDK (createTwilioClient): the wire format the SDK
// expects, timeouts and failures the SMS adapter retries, and keep-alive connection reuse.
import assert from "node:assert/strict";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { GatewayError } from "../../src/core/errors.ts";
import { classifyTwilioError, sendError } from "../../adapters/sms-twilio/errors.ts";
import { createTwilioClient, destroyTwilioClient, retryAfterMsOf } from "../../adapters/sms-twilio/twilioClient.ts";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { startKeepAliveServer } from "../support/keepAliveServer.ts";

const SID = "AC" + "fedcba9876543210".repeat(2);
const TOKEN = "0ddba11c0ffee0ddba11c0ffee0ddba1";
const FROM = "+15550003333";

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to throw");
}

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in Twilio answering Messages.create with a minimal message; counts TCP connections. */
async function startFakeTwilio(): Promise<{
  base: string;
  seen: Seen[];
  connections: () => number;
  openConnections: () => Promise<number>;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const sid = `SM${String(seen.length).padStart(32, "0")}`;
      res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ sid, account_sid: SID, status: "queued", body: "ok" }));
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    connections: () => connections,
    openConnections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("twilio client (createTwilioClient's HTTP client)", () => {
  const sim = new TwilioSimulator({ deliveryDelayMs: 5 });
  let client: ReturnType<typeof createTwilioClient>;

  before(async () => {
    sim.addAccount({ sid: SID, authToken: TOKEN, numbers: [FROM] });
    await sim.start(0);
    client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: sim.url, timeoutMs: 400 });
  });
  after(async () => {
    destroyTwilioClient(client);
    await sim.stop();
  });

  test("a message with two media URLs reaches Twilio with both, in order, and its text intact", async () => {
    const media = ["https://media.example.org/a.jpg?size=large&v=(2)", "https://media.example.org/b%20c.png"];
    const body = "two pictures: 'café' & 😀 + *more*";
    const m = await client.messages.create({ to: "+15551239001", from: FROM, body, mediaUrl: media });
    assert.match(m.sid, /^MM/);
    const seen = await sim.waitForSent((s) => s.sid === m.sid);
    assert.deepEqual(seen.mediaUrls, media);
    assert.equal(seen.body, body);
  });

  test("the request carries the SDK's headers, basic auth and a form body with repeated keys", async () => {
    const fake = await startFakeTwilio();
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: fake.base });
    try {
      await c.messages.create({ to: "+15551239002", from: FROM, body: "a b", mediaUrl: ["https://x.example/1", "https://x.example/2"] });
      const [req] = fake.seen;
      assert.ok(req);
      assert.equal(req.method, "POST");
      assert.equal(req.url, `/2010-04-01/Accounts/${SID}/Messages.json`);
      assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
      assert.match(req.headers["user-agent"] ?? "", /^twilio-node\//);
      assert.equal(req.headers.accept, "application/json");
      assert.equal(req.headers["accept-charset"], "utf-8");
      assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
      assert.equal(req.headers["content-length"], String(Buffer.byteLength(req.body)));
      const form = new URLSearchParams(req.body);
      assert.deepEqual(form.getAll("MediaUrl"), ["https://x.example/1", "https://x.example/2"]);
      assert.equal(form.get("Body"), "a b");
      assert.equal(form.get("To"), "+15551239002");
    } finally {
      destroyTwilioClient(c);
      await fake.close();
    }
  });

  test("GET query parameters are sent like the SDK's (list with a filter)", async () => {
    const m = await client.messages.create({ to: "+15551239003", from: FROM, body: "listed" });
    const page = await client.messages.page({ to: "+15551239003", from: FROM, pageSize: 5 });
    assert.deepEqual(
      page.instances.map((i) => i.sid),
      [m.sid],
    );
  });

  test("a request Twilio never answers fails, retryably, within the configured timeout", async () => {
    sim.hangNext(1);
    const t0 = Date.now();
    const err = await rejection(client.messages.create({ to: "+15551239004", from: FROM, body: "hang" }));
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 350 && elapsed < 2_000, `timed out after ${elapsed} ms, configured 400 ms`);
    assert.match((err as Error).message, /timeout/i);
    const gerr = sendError(err);
    assert.ok(gerr instanceof GatewayError);
    assert.equal(gerr.retryable, true);
    assert.match(gerr.message, /did not answer in time/);
    // The client is still usable afterwards.
    assert.match((await client.messages.create({ to: "+15551239004", from: FROM, body: "after" })).sid, /^SM/);
  });

  test("a connection refused is a retryable failure, not an internal error", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: `http://127.0.0.1:${port}` });
    try {
      const err = await rejection(c.messages.create({ to: "+15551239005", from: FROM, body: "x" }));
      assert.equal(classifyTwilioError(err)?.kind, "unavailable");
      assert.equal(sendError(err).retryable, true);
      assert.match(sendError(err).message, /could not be reached \(ECONNREFUSED\)/);
    } finally {
      destroyTwilioClient(c);
    }
  });

  test("a connection dropped mid-answer is a retryable failure", async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(201, { "Content-Type": "application/json", "Content-Length": "500" });
      res.write('{"sid": "SM');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      const err = await rejection(c.messages.create({ to: "+15551239006", from: FROM, body: "x" }));
      assert.equal(classifyTwilioError(err)?.kind, "unavailable");
      assert.equal(sendError(err).retryable, true);
    } finally {
      destroyTwilioClient(c);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("an answer that is not HTTP is a retryable failure, not an internal error", async () => {
    const server = net.createServer((socket) => {
      socket.once("data", () => socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      const err = await rejection(c.messages.create({ to: "+15551239010", from: FROM, body: "x" }));
      assert.equal(classifyTwilioError(err)?.kind, "unavailable");
      assert.equal(sendError(err).retryable, true);
    } finally {
      destroyTwilioClient(c);
      await new Promise((r) => server.close(r));
    }
  });

  test("a 429 with Retry-After becomes a retryable error that waits that long", async () => {
    sim.injectFailures(1, { status: 429, retryAfterSeconds: 7 });
    const err = await rejection(client.messages.create({ to: "+15551239007", from: FROM, body: "slow down" }));
    assert.equal((err as { status?: number }).status, 429);
    assert.equal(retryAfterMsOf(err), 7_000);
    const gerr = sendError(err);
    assert.equal(gerr.retryable, true);
    assert.equal(gerr.retryAfterMs, 7_000);
  });

  test("a refusal keeps Twilio's code and message", async () => {
    const err = await rejection(client.messages.create({ to: "555-1234", from: FROM, body: "x" }));
    assert.deepEqual([(err as { status?: number }).status, (err as { code?: number }).code], [400, 21211]);
    const gerr = sendError(err);
    assert.equal(gerr.retryable, false);
    assert.match(gerr.message, /not a valid phone number \(Twilio error 21211\)/);
  });

  test("50 sequential sends reuse one keep-alive connection", async () => {
    const fake = await startFakeTwilio();
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: fake.base });
    try {
      for (let i = 0; i < 50; i++) await c.messages.create({ to: "+15551239008", from: FROM, body: `n${i}` });
      assert.equal(fake.seen.length, 50);
      assert.ok(fake.connections() <= 2, `${fake.connections()} connections for 50 sequential sends`);
    } finally {
      destroyTwilioClient(c);
      await fake.close();
    }
  });

  test("destroy releases the idle sockets", async () => {
    const fake = await startFakeTwilio();
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: fake.base });
    try {
      await c.messages.create({ to: "+15551239009", from: FROM, body: "x" });
      assert.equal(await fake.openConnections(), 1);
      destroyTwilioClient(c);
      const deadline = Date.now() + 2_000;
      while ((await fake.openConnections()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await fake.openConnections(), 0);
    } finally {
      await fake.close();
    }
  });

  test("an idle connection is closed by us before the server's advertised keep-alive timeout", async () => {
    // A send on a connection the server is closing at that moment fails (ECONNRESET) and waits out
    // a retry; the client must stop reusing it first. The server says "Keep-Alive: timeout=3".
    const server = await startKeepAliveServer(3_000, { status: 201, json: { sid: "SM" + "0".repeat(32), account_sid: SID, status: "queued" } });
    const c = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: server.base });
    try {
      await c.messages.create({ to: "+15551239010", from: FROM, body: "x" });
      await new Promise((r) => setTimeout(r, 2_700));
      assert.deepEqual(server.closedBy, ["client"]);
    } finally {
      destroyTwilioClient(c);
      await server.close();
    }
  });
});
