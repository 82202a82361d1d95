// The Twilio simulator, driven through the real twilio SDK pointed at it by createTwilioClient.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import twilio from "twilio";
import { createTwilioClient } from "../../adapters/sms-twilio/twilioClient.ts";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { until as untilShared } from "../support/fakeHost.ts";

const SID = "AC" + "0123456789abcdef".repeat(2);
const TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed";
const POOL = ["+15550001111", "+15550002222"];

interface Hook {
  url: string;
  params: Record<string, string>;
  signature: string | undefined;
  valid: boolean;
}

/** A webhook receiver that checks signatures the way our gateway does and answers 403 when bad. */
async function startReceiver(): Promise<{ base: string; hooks: Hook[]; server: http.Server }> {
  const hooks: Hook[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
      const params = Object.fromEntries(new URLSearchParams(body));
      const signature = req.headers["x-twilio-signature"] as string | undefined;
      const valid = twilio.validateRequest(TOKEN, signature ?? "", url, params);
      hooks.push({ url, params, signature, valid });
      res.writeHead(valid ? 200 : 403, { "Content-Type": "text/xml" }).end(valid ? "<Response/>" : "bad signature");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hooks, server };
}

/** test/support's `until`, with this file's 2 s default. */
const until = <T>(fn: () => T | undefined, timeoutMs = 2_000): Promise<T> => untilShared(fn, timeoutMs);

async function rejection(p: Promise<unknown>): Promise<{ status?: number; code?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { status?: number; code?: number; message: string };
  }
  assert.fail("expected the call to throw");
}

describe("twilio simulator", () => {
  const sim = new TwilioSimulator({ deliveryDelayMs: 5 });
  let client: ReturnType<typeof createTwilioClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    sim.addAccount({ sid: SID, authToken: TOKEN, numbers: POOL });
    const base = await sim.start(0);
    // Trailing slash on purpose: the factory must cope with it.
    client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBase: `${base}/`, timeoutMs: 500 });
    receiver = await startReceiver();
  });
  after(async () => {
    receiver.server.closeAllConnections();
    await new Promise((r) => receiver.server.close(r));
    const t0 = Date.now();
    await sim.stop(); // with a hung request still open
    assert.ok(Date.now() - t0 < 1_000, "stop() must not wait for hung requests");
  });

  test("creates a message with Twilio's resource shape", async () => {
    const m = await client.messages.create({ to: "+15551230001", from: POOL[0], body: "hello €" });
    assert.match(m.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(m.status, "queued");
    assert.equal(m.accountSid, SID);
    assert.equal(m.direction, "outbound-api");
    assert.equal(m.numSegments, "1");
    assert.ok(m.dateCreated instanceof Date && !Number.isNaN(m.dateCreated.getTime()));
    const seen = await sim.waitForSent((s) => s.sid === m.sid);
    assert.equal(seen.body, "hello €");
    await until(() => (seen.status === "delivered" ? true : undefined));
    const fetched = await client.messages(m.sid).fetch();
    assert.equal(fetched.status, "delivered");
  });

  test("rejects bad input with Twilio's error codes", async () => {
    const badTo = await rejection(client.messages.create({ to: "555-1234", from: POOL[0], body: "x" }));
    assert.equal(badTo.status, 400);
    assert.equal(badTo.code, 21211);
    assert.equal(badTo.message, "The 'To' number 555-1234 is not a valid phone number.");
    const badFrom = await rejection(client.messages.create({ to: "+15551230002", from: "+15559999999", body: "x" }));
    assert.equal(badFrom.code, 21606);
    const empty = await rejection(client.messages.create({ to: "+15551230002", from: POOL[0], body: "" }));
    assert.equal(empty.code, 21602);
    const tooLong = await rejection(client.messages.create({ to: "+15551230002", from: POOL[0], body: "a".repeat(1601) }));
    assert.equal(tooLong.code, 21617);
    const missing = await rejection(client.messages("SM" + "0".repeat(32)).fetch());
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 20404);
  });

  test("a wrong auth token gets 401 / 20003", async () => {
    const wrong = createTwilioClient({ accountSid: SID, authToken: "nope", apiBase: sim.url });
    const err = await rejection(wrong.messages.create({ to: "+15551230003", from: POOL[0], body: "x" }));
    assert.equal(err.status, 401);
    assert.equal(err.code, 20003);
    assert.equal((await client.api.v2010.accounts(SID).fetch()).status, "active");
  });

  test("injected 429 with Retry-After, then 500, then success", async () => {
    const calls = sim.createCalls;
    sim.injectFailures(1, { status: 429, retryAfterSeconds: 3 });
    sim.injectFailures(1, { status: 500 });
    const send = () => client.messages.create({ to: "+15551230004", from: POOL[1], body: "retry me" });
    const throttled = await rejection(send());
    assert.deepEqual([throttled.status, throttled.code], [429, 20429]);
    assert.equal(client.httpClient.lastResponse?.headers["retry-after"], "3");
    const broken = await rejection(send());
    assert.deepEqual([broken.status, broken.code], [500, 20500]);
    assert.match((await send()).sid, /^SM/);
    assert.equal(sim.createCalls - calls, 3);
  });

  test("a hung create times out on the client", async () => {
    sim.hangNext(1);
    const err = await rejection(client.messages.create({ to: "+15551230005", from: POOL[0], body: "x" }));
    assert.match(err.message, /timeout/i);
  });

  test("lists numbers with a PhoneNumber filter and updates SmsUrl", async () => {
    const all = await client.incomingPhoneNumbers.list();
    assert.deepEqual(all.map((n) => n.phoneNumber).sort(), POOL);
    const [one, ...rest] = await client.incomingPhoneNumbers.list({ phoneNumber: POOL[1] });
    assert.equal(rest.length, 0);
    assert.equal(one?.phoneNumber, POOL[1]);
    assert.match(one?.sid ?? "", /^PN[0-9a-f]{32}$/);
    const updated = await client.incomingPhoneNumbers(one!.sid).update({ smsUrl: `${receiver.base}/sms?n=2` });
    assert.equal(updated.smsUrl, `${receiver.base}/sms?n=2`);
  });

  test("status callbacks arrive in order, signed", async () => {
    const callback = `${receiver.base}/status?tag=a%20b`;
    sim.setOutcome("+15551230007", { status: "undelivered", errorCode: 30003 });
    const ok = await client.messages.create({ to: "+15551230006", from: POOL[0], body: "a", statusCallback: callback });
    const bad = await client.messages.create({ to: "+15551230007", from: POOL[0], body: "b", statusCallback: callback });
    sim.clearOutcome("+15551230007");
    const forSid = (sid: string) => receiver.hooks.filter((h) => h.params.MessageSid === sid);
    await until(() => (forSid(ok.sid).length === 2 && forSid(bad.sid).length === 2 ? true : undefined));
    assert.deepEqual(forSid(ok.sid).map((h) => h.params.MessageStatus), ["sent", "delivered"]);
    assert.deepEqual(forSid(bad.sid).map((h) => h.params.MessageStatus), ["sent", "undelivered"]);
    assert.equal(forSid(bad.sid)[1]?.params.ErrorCode, "30003");
    for (const h of [...forSid(ok.sid), ...forSid(bad.sid)]) {
      assert.equal(h.valid, true, `signature of ${h.params.MessageStatus}`);
      assert.equal(h.params.AccountSid, SID);
      assert.equal(h.params.SmsSid, h.params.MessageSid);
    }
    assert.equal((await client.messages(bad.sid).fetch()).errorCode, 30003);
  });

  test("inbound webhooks: signed, forged, unsigned", async () => {
    sim.setSmsUrl(POOL[0]!, `${receiver.base}/sms`);
    const good = await sim.deliverInbound({
      from: "+15551230008",
      to: POOL[0]!,
      body: "hi there",
      mediaUrls: ["https://media.example/a.png", "https://media.example/b"],
    });
    assert.equal(good.status, 200);
    assert.match(good.messageSid, /^MM[0-9a-f]{32}$/);
    const hook = receiver.hooks.at(-1)!;
    assert.equal(hook.valid, true);
    assert.equal(hook.params.Body, "hi there");
    assert.equal(hook.params.SmsMessageSid, good.messageSid);
    assert.deepEqual([hook.params.NumMedia, hook.params.MediaContentType0, hook.params.MediaContentType1], ["2", "image/png", "image/jpeg"]);
    const replay = await sim.deliverInbound({ from: "+15551230008", to: POOL[0]!, body: "hi", messageSid: good.messageSid });
    assert.equal(replay.messageSid, good.messageSid);
    const forged = await sim.deliverInbound({ from: "+15551230008", to: POOL[0]!, body: "x", authTokenOverride: "evil" });
    assert.equal(forged.status, 403);
    assert.equal(receiver.hooks.at(-1)?.valid, false);
    const unsigned = await sim.postSigned(`${receiver.base}/sms`, { Body: "x" }, null);
    assert.equal(unsigned.status, 403);
    assert.equal(receiver.hooks.at(-1)?.signature, undefined);
  });

  test("the /_sim/ control API", async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const other = { sid: "AC" + "a".repeat(32), authToken: "t0ken", numbers: ["+15550003333"] };
    assert.equal((await call("POST", "/_sim/accounts", other)).status, 201);
    const otherClient = createTwilioClient({ accountSid: other.sid, authToken: other.authToken, apiBase: sim.url, timeoutMs: 3_000 });
    assert.equal((await call("POST", "/_sim/failures", { count: 1, status: 503 })).status, 200);
    const err = await rejection(otherClient.messages.create({ to: "+15551230009", from: "+15550003333", body: "x" }));
    assert.equal(err.status, 503);
    const m = await otherClient.messages.create({ to: "+15551230009", from: "+15550003333", body: "via control" });
    const list = (await call("GET", "/_sim/messages")).json as unknown as Array<{ sid: string; body: string }>;
    assert.equal(list.find((x) => x.sid === m.sid)?.body, "via control");
    const inbound = await call("POST", "/_sim/inbound", { from: "+15551230010", to: POOL[0], body: "from control" });
    assert.deepEqual([inbound.status, inbound.json.status], [200, 200]);
    assert.equal(receiver.hooks.at(-1)?.params.MessageSid, inbound.json.messageSid);
    assert.equal((await call("POST", "/_sim/outcomes", { to: "+1555", status: "bogus" })).json.code, 20001);
    assert.equal((await call("DELETE", "/_sim/outcomes/%2B15551230009")).status, 200);
    assert.equal((await call("POST", "/_sim/accounts", "{")).status, 400);
    assert.equal((await call("GET", "/nowhere")).json.code, 20404);
    sim.hangNext(1); // left open on purpose: after() checks that stop() still closes promptly
    const calls = sim.createCalls;
    void otherClient.messages.create({ to: "+15551230011", from: "+15550003333", body: "x" }).catch(() => {});
    await until(() => (sim.createCalls > calls ? true : undefined));
  });
});
