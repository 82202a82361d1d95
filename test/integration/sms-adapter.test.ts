// The SMS adapter driven directly (no XMPP, no database) against the Twilio simulator through the
// real twilio SDK. Its webhooks are served by a bare node:http server at `publicUrl`, and the
// core's side (sink, account lookup) is a small in-memory fake.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import twilio from "twilio";
import type { Account, Adapter, WebhookRoute } from "../../src/core/adapter.ts";
import type { GatewayError } from "../../src/core/errors.ts";
import { createSmsAdapter, type SmsAdapterConfig } from "../../adapters/sms-twilio/index.ts";
import { sendError } from "../../adapters/sms-twilio/errors.ts";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { createTwilioClient } from "../../adapters/sms-twilio/twilioClient.ts";
import { FakeHost, registrationContext as ctx, rejectsWithGatewayError as rejects, until } from "../support/fakeHost.ts";

const OP_SID = "AC" + "0".repeat(32);
const OP_TOKEN = "operator-token-0000000000000000";
const POOL = ["+15550001111", "+15550002222", "+15550003333"];
const BYO_SID = "AC" + "b".repeat(32);
const BYO_TOKEN = "byo-token-bbbbbbbbbbbbbbbbbbbbbbb";
const BYO_NUMBERS = ["+15557770001", "+15557770002"];
const OTHER_SID = "AC" + "c".repeat(32);
const OTHER_NUMBER = "+15558880001";

/** A stand-in for the gateway's HTTP server: routes POSTs to the adapter's webhooks. */
async function serveWebhooks(routes: () => WebhookRoute[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0];
      const route = routes().find((r) => r.method === req.method && r.path === path);
      if (!route) return void res.writeHead(404).end();
      route
        .handle({ method: req.method ?? "POST", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) })
        .then((out) => res.writeHead(out.status, { "content-type": out.contentType ?? "text/plain" }).end(out.body))
        .catch(() => res.writeHead(599).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const poolAccount = (n: string): Account => ({ legacyAccountId: n, settings: { byo: false } });
const byoAccount = (n: string, token = BYO_TOKEN): Account => ({
  legacyAccountId: n,
  credentials: { accountSid: BYO_SID, authToken: token },
  settings: { byo: true },
});

describe("SMS adapter", () => {
  const sim = new TwilioSimulator({ deliveryDelayMs: 5 });
  const fake = new FakeHost({ unroutableWithoutAccount: true });
  let hooks: Awaited<ReturnType<typeof serveWebhooks>>;
  let adapter: Adapter;
  let config: SmsAdapterConfig;
  const extra: Adapter[] = [];

  /** Another adapter on the same simulator (its own config), stopped at the end. */
  const variant = (patch: Partial<SmsAdapterConfig>, twilioPatch: Partial<SmsAdapterConfig["twilio"]> = {}): Adapter => {
    const a = createSmsAdapter({ ...config, ...patch, twilio: { ...config.twilio, ...twilioPatch } });
    extra.push(a);
    return a;
  };

  before(async () => {
    sim.addAccount({ sid: OP_SID, authToken: OP_TOKEN, numbers: POOL });
    sim.addAccount({ sid: BYO_SID, authToken: BYO_TOKEN, numbers: BYO_NUMBERS });
    sim.addAccount({ sid: OTHER_SID, authToken: "other-token", numbers: [OTHER_NUMBER] });
    await sim.start(0);
    hooks = await serveWebhooks(() => adapter.webhooks);
    config = {
      defaultRegion: "US",
      twilio: { accountSid: OP_SID, authToken: OP_TOKEN, apiBase: sim.url, numbers: POOL },
      publicUrl: hooks.url,
      timeoutMs: 300,
    };
    adapter = createSmsAdapter(config);
    await adapter.start(fake.host);
    fake.accounts.set(POOL[0]!, poolAccount(POOL[0]!));
  });

  after(async () => {
    for (const a of [adapter, ...extra]) await a.stop();
    await hooks.close();
    await sim.stop();
  });

  test("describes itself", () => {
    assert.equal(adapter.network, "sms");
    assert.deepEqual(adapter.identity, { type: "sms", name: "SMS gateway" });
    assert.equal(adapter.maxBodyLength, 1600);
    assert.match(adapter.addressPrompt.desc, /country code \(\+44 20 7946 0958\) or in US national format/);
    assert.deepEqual(adapter.parseAddress("(555) 010-2000"), { ok: true, address: "+15550102000" });
    const bad = adapter.parseAddress("call me");
    assert.equal(bad.ok, false);
    assert.equal(adapter.displayName("+15550001111"), "+1 555 000 1111");
    assert.equal(adapter.displayName("72345"), "72345");
    assert.equal(adapter.health().ok, true);
  });

  describe("registration from the operator's pool", () => {
    test("the form lists free numbers and defaults to the first, or to the user's own", async () => {
      const form = await adapter.registrationForm(ctx([POOL[0]!]));
      const number = form.fields.find((f) => f.var === "number");
      assert.equal(number?.type, "list-single");
      assert.equal(number?.label, "Phone number");
      assert.deepEqual(number?.options, [
        { label: "+1 555 000 2222", value: POOL[1] },
        { label: "+1 555 000 3333", value: POOL[2] },
      ]);
      assert.equal(number?.value, POOL[1]);
      assert.deepEqual(form.fields.map((f) => [f.var, f.type]), [
        ["number", "list-single"],
        ["account_sid", "text-single"],
        ["auth_token", "text-private"],
      ]);
      assert.equal(form.fields[1]?.label, "Your Twilio Account SID (only to use your own Twilio number)");

      const again = await adapter.registrationForm(ctx([POOL[0]!], poolAccount(POOL[2]!)));
      assert.equal(again.fields.find((f) => f.var === "number")?.value, POOL[2]);
    });

    test("register: default, choice, taken, not in the pool, not a number", async () => {
      const first = await adapter.register(ctx([POOL[0]!]), {});
      assert.deepEqual(first.account, { legacyAccountId: POOL[1], credentials: undefined, settings: { byo: false } });
      assert.match(first.welcome ?? "", /^Your SMS number is \+1 555 000 2222\./);

      const chosen = await adapter.register(ctx(), { number: "(555) 000-3333" });
      assert.equal(chosen.account.legacyAccountId, POOL[2]);

      const taken = await rejects(adapter.register(ctx([POOL[2]!]), { number: POOL[2]! }));
      assert.equal(taken.condition, "conflict");

      const foreign = await rejects(adapter.register(ctx(), { number: "+15559990000" }));
      assert.equal(foreign.condition, "not-acceptable");
      assert.match(foreign.message, /\+1 555 999 0000 is not one of this gateway's numbers/);

      const junk = await rejects(adapter.register(ctx(), { number: "hello" }));
      assert.equal(junk.condition, "not-acceptable");
    });

    test("no free numbers: service-unavailable, and the form offers a text field for BYO", async () => {
      const full = await rejects(adapter.register(ctx(POOL), {}));
      assert.equal(full.condition, "service-unavailable");
      assert.equal(full.message, "No phone numbers are free; ask the operator.");

      const empty = variant({}, { numbers: [] });
      const none = await rejects(empty.register(ctx(), { number: POOL[0]! }));
      assert.equal(none.condition, "service-unavailable");
      assert.match(none.message, /No phone numbers are free; ask the operator/);
      const form = await empty.registrationForm(ctx());
      assert.equal(form.fields.find((f) => f.var === "number")?.type, "text-single");
    });
  });

  describe("registration with the user's own Twilio account", () => {
    test("good credentials: stored, and the number's SmsUrl points at the gateway", async () => {
      const r = await adapter.register(ctx(), { number: "555-777-0001", account_sid: BYO_SID, auth_token: BYO_TOKEN });
      assert.deepEqual(r.account, {
        legacyAccountId: BYO_NUMBERS[0],
        credentials: { accountSid: BYO_SID, authToken: BYO_TOKEN },
        settings: { byo: true },
      });
      assert.match(r.welcome ?? "", /\+1 555 777 0001, from your own Twilio account/);
      const byoClient = createTwilioClient({ accountSid: BYO_SID, authToken: BYO_TOKEN, apiBase: sim.url });
      const [n] = await byoClient.incomingPhoneNumbers.list({ phoneNumber: BYO_NUMBERS[0]! });
      assert.equal(n?.smsUrl, `${hooks.url}/webhooks/twilio/sms`);

      // Re-registering: the form shows the SID and own number but never the token; empty keeps it.
      const form = await adapter.registrationForm(ctx([], r.account));
      const number = form.fields.find((f) => f.var === "number");
      assert.equal(number?.value, BYO_NUMBERS[0]);
      assert.equal(number?.options?.[0]?.value, BYO_NUMBERS[0]);
      assert.equal(form.fields.find((f) => f.var === "account_sid")?.value, BYO_SID);
      assert.equal(form.fields.find((f) => f.var === "auth_token")?.value, undefined);
      assert.ok(!JSON.stringify(form).includes(BYO_TOKEN));
      const kept = await adapter.register(ctx([], r.account), { number: BYO_NUMBERS[1]!, account_sid: BYO_SID, auth_token: "" });
      assert.deepEqual(kept.account.credentials, { accountSid: BYO_SID, authToken: BYO_TOKEN });
      assert.equal(kept.account.legacyAccountId, BYO_NUMBERS[1]);
    });

    test("bad credentials → not-authorized", async () => {
      const err = await rejects(adapter.register(ctx(), { number: BYO_NUMBERS[0]!, account_sid: BYO_SID, auth_token: "wrong" }));
      assert.equal(err.condition, "not-authorized");
      assert.equal(err.message, "Twilio rejected that Account SID and auth token.");
    });

    test("a number the account doesn't own, a non-number, a missing token, a taken number", async () => {
      const notOwned = await rejects(adapter.register(ctx(), { number: OTHER_NUMBER, account_sid: BYO_SID, auth_token: BYO_TOKEN }));
      assert.equal(notOwned.condition, "not-acceptable");
      assert.match(notOwned.message, /\+1 555 888 0001 is not a number of Twilio account/);

      const notE164 = await rejects(adapter.register(ctx(), { number: "12", account_sid: BYO_SID, auth_token: BYO_TOKEN }));
      assert.equal(notE164.condition, "not-acceptable");
      assert.match(notE164.message, /doesn't look like a phone number/);

      const noToken = await rejects(adapter.register(ctx(), { number: BYO_NUMBERS[0]!, account_sid: BYO_SID }));
      assert.equal(noToken.condition, "not-acceptable");

      const taken = await rejects(
        adapter.register(ctx([BYO_NUMBERS[0]!]), { number: BYO_NUMBERS[0]!, account_sid: BYO_SID, auth_token: BYO_TOKEN }),
      );
      assert.equal(taken.condition, "conflict");
    });

    test("Twilio unreachable → remote-server-timeout", async () => {
      const offline = variant({}, { apiBase: "http://127.0.0.1:1" });
      const err = await rejects(offline.register(ctx(), { number: BYO_NUMBERS[0]!, account_sid: BYO_SID, auth_token: BYO_TOKEN }));
      assert.equal(err.condition, "remote-server-timeout");
    });
  });

  describe("sending", () => {
    const from = poolAccount(POOL[0]!);
    let seq = 0;
    const msg = (body: string, mediaUrls: string[] = []) => ({ id: `part-${++seq}`, body, mediaUrls });

    test("the exact fields arrive at Twilio and the sid comes back", async () => {
      const body = `<&>'" 🎉 Привет`;
      const media = ["https://media.example/cat.png"];
      const ref = await adapter.send(from, "+15551230001", msg(body, media));
      assert.match(ref.networkId, /^MM[0-9a-f]{32}$/);
      const seen = await sim.waitForSent((m) => m.sid === ref.networkId);
      assert.deepEqual(
        [seen.accountSid, seen.from, seen.to, seen.body, seen.mediaUrls, seen.statusCallback],
        [OP_SID, POOL[0], "+15551230001", body, media, `${hooks.url}/webhooks/twilio/status`],
      );
    });

    test("a BYO account sends with its own credentials; a stale token is not-authorized", async () => {
      const ref = await adapter.send(byoAccount(BYO_NUMBERS[0]!), "+15551230002", msg("own"));
      assert.equal((await sim.waitForSent((m) => m.sid === ref.networkId)).accountSid, BYO_SID);
      const stale = await rejects(adapter.send(byoAccount(BYO_NUMBERS[0]!, "changed"), "+15551230002", msg("x")));
      assert.deepEqual([stale.condition, stale.retryable, stale.networkCode], ["not-authorized", false, "20003"]);
      assert.match(stale.message, /Twilio error 20003/);
    });

    test("an invalid number is a permanent item-not-found naming 21211", async () => {
      const err = await rejects(adapter.send(from, "12345", msg("x")));
      assert.deepEqual([err.condition, err.retryable, err.networkCode], ["item-not-found", false, "21211"]);
      assert.equal(err.message, "Not sent: the number is not a valid phone number (Twilio error 21211).");
    });

    test("429 with Retry-After is transient with retryAfterMs, even with concurrent sends", async () => {
      sim.injectFailures(1, { status: 429, retryAfterSeconds: 7 });
      const results = await Promise.allSettled([
        adapter.send(from, "+15551230003", msg("one")),
        adapter.send(from, "+15551230003", msg("two")),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      assert.equal(failed.length, 1);
      const err = failed[0]!.reason as GatewayError;
      assert.deepEqual([err.retryable, err.retryAfterMs, err.networkCode], [true, 7_000, "20429"]);
    });

    test("500 and a hung request are transient", async () => {
      sim.injectFailures(1, { status: 500 });
      const broken = await rejects(adapter.send(from, "+15551230004", msg("x")));
      assert.deepEqual([broken.retryable, broken.condition], [true, "remote-server-timeout"]);
      assert.match(adapter.health().detail ?? "", /server error \(HTTP 500\)/);

      sim.hangNext(1);
      const t0 = Date.now();
      const hung = await rejects(adapter.send(from, "+15551230004", msg("x")));
      assert.equal(hung.retryable, true);
      assert.match(hung.message, /did not answer in time/);
      assert.ok(Date.now() - t0 < 2_000);

      await adapter.send(from, "+15551230004", msg("fine"));
      assert.equal(adapter.health().detail, undefined);
    });

    test("Twilio's refusals in plain words", () => {
      const refusal = (status: number, code: number) => sendError(new twilio.RestException({ statusCode: status, body: { code, message: "m" } }));
      const optOut = refusal(400, 21610);
      assert.deepEqual([optOut.condition, optOut.retryable], ["forbidden", false]);
      assert.equal(optOut.message, "Not sent: the recipient has opted out by replying STOP (Twilio error 21610).");
      const unknown = refusal(400, 21999);
      assert.deepEqual([unknown.condition, unknown.networkCode], ["not-acceptable", "21999"]);
      assert.match(unknown.message, /Twilio said "m" \(Twilio error 21999\)/);
      assert.equal(refusal(503, 20503).retryable, true);
    });

    test("findSent finds a sent part, and not an unsent one", async () => {
      const since = new Date();
      const part = msg("did this go out?");
      const ref = await adapter.send(from, "+15551230005", part);
      assert.equal((await adapter.findSent!(from, "+15551230005", part, since))?.networkId, ref.networkId);
      assert.equal(await adapter.findSent!(from, "+15551230005", msg("never sent"), since), undefined);
      assert.equal(await adapter.findSent!(from, "+15551230006", part, since), undefined);
      assert.equal(await adapter.findSent!(from, "+15551230005", part, new Date(Date.now() + 60_000)), undefined);
      await until(() => (sim.sent.find((m) => m.sid === ref.networkId)?.status === "delivered" ? true : undefined));
      assert.equal((await adapter.findSent!(from, "+15551230005", part, since))?.delivered, true);
    });
  });

  describe("status callbacks", () => {
    const from = poolAccount(POOL[0]!);

    test("sent and delivered become reports", async () => {
      const ref = await adapter.send(from, "+15551230101", { id: "s1", body: "hi", mediaUrls: [] });
      const reports = await until(() => {
        const r = fake.reports.filter((x) => x.networkId === ref.networkId);
        return r.length === 2 ? r : undefined;
      });
      assert.deepEqual(reports, [
        { networkId: ref.networkId, state: "sent" },
        { networkId: ref.networkId, state: "delivered" },
      ]);
    });

    test("failed and undelivered carry the code in plain words", async () => {
      sim.setOutcome("+15551230102", { status: "undelivered", errorCode: 30003 });
      sim.setOutcome("+15551230103", { status: "failed", errorCode: 21211 });
      const a = await adapter.send(from, "+15551230102", { id: "s2", body: "a", mediaUrls: [] });
      const b = await adapter.send(byoAccount(BYO_NUMBERS[0]!), "+15551230103", { id: "s3", body: "b", mediaUrls: [] });
      // The BYO account's callbacks are signed with its own token, found through its number.
      fake.accounts.set(BYO_NUMBERS[0]!, byoAccount(BYO_NUMBERS[0]!));
      const failed = (sid: string) => until(() => fake.reports.find((r) => r.networkId === sid && r.state === "failed"));
      assert.deepEqual(await failed(a.networkId), {
        networkId: a.networkId,
        state: "failed",
        errorCode: "30003",
        errorText: "Not delivered: the recipient's phone is unreachable, switched off or out of coverage (Twilio error 30003).",
      });
      assert.equal((await failed(b.networkId)).errorText, "Not delivered: the number is not a valid phone number (Twilio error 21211).");
      assert.ok(sim.callbackAttempts.filter((c) => c.messageSid === b.networkId).every((c) => c.httpStatus === 200));
    });
  });

  describe("inbound webhook", () => {
    const smsUrl = () => `${hooks.url}/webhooks/twilio/sms`;

    test("a signed text reaches the sink and gets empty TwiML", async () => {
      sim.setSmsUrl(POOL[0]!, smsUrl());
      const res = await sim.deliverInbound({
        from: "+15551230201",
        to: POOL[0]!,
        body: `hi <&> 🎉 Привет`,
        mediaUrls: ["https://media.example/a.png", "https://media.example/b.jpg"],
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
      assert.deepEqual(fake.messages.at(-1), {
        key: res.messageSid,
        account: POOL[0],
        from: "+15551230201",
        body: `hi <&> 🎉 Привет`,
        mediaUrls: ["https://media.example/a.png", "https://media.example/b.jpg"],
        networkId: res.messageSid,
      });
      // Replays are duplicates to the core, and still 200 so Twilio stops.
      assert.equal((await sim.deliverInbound({ from: "+15551230201", to: POOL[0]!, body: "hi", messageSid: res.messageSid })).status, 200);
    });

    test("the signature covers the query string; short-code senders pass through; content type is text/xml", async () => {
      sim.setSmsUrl(POOL[1]!, `${smsUrl()}?tag=a%20b&x=1`);
      const res = await sim.deliverInbound({ from: "72345", to: POOL[1]!, body: "Your code is 1234" });
      assert.equal(res.status, 200);
      assert.equal(fake.messages.at(-1)?.from, "72345");
      assert.equal(fake.messages.at(-1)?.account, POOL[1]);

      const params = { MessageSid: "SM" + "1".repeat(32), AccountSid: OP_SID, From: "+15551230202", To: POOL[0]!, Body: "x" };
      const direct = await fetch(smsUrl(), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
          "x-twilio-signature": twilio.getExpectedTwilioSignature(OP_TOKEN, smsUrl(), params),
        },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(direct.status, 200);
      assert.equal(direct.headers.get("content-type"), "text/xml");

      // Signed over the URL without its port (as behind a proxy that drops it): Twilio's own
      // tolerance, which the adapter keeps as the fallback of its exact-URL check.
      const portless = smsUrl().replace(/:\d+\//, "/");
      assert.notEqual(portless, smsUrl());
      const viaProxy = await fetch(smsUrl(), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilio.getExpectedTwilioSignature(OP_TOKEN, portless, { ...params, MessageSid: "SM" + "3".repeat(32) }),
        },
        body: new URLSearchParams({ ...params, MessageSid: "SM" + "3".repeat(32) }).toString(),
      });
      assert.equal(viaProxy.status, 200);
      assert.equal(fake.messages.at(-1)?.key, "SM" + "3".repeat(32));
    });

    test("forged and missing signatures are refused and nothing reaches the sink", async () => {
      sim.setSmsUrl(POOL[0]!, smsUrl());
      const before = fake.messages.length;
      const forged = await sim.deliverInbound({ from: "+15551230203", to: POOL[0]!, body: "x", authTokenOverride: "evil" });
      assert.deepEqual([forged.status, forged.body], [403, "invalid Twilio signature"]);
      const unsigned = await sim.deliverInbound({ from: "+15551230203", to: POOL[0]!, body: "x", unsigned: true });
      assert.deepEqual([unsigned.status, unsigned.body], [403, "invalid Twilio signature"]);
      // Signed by another Twilio account for one of our numbers: still not ours.
      const params = { MessageSid: "SM" + "2".repeat(32), AccountSid: OTHER_SID, From: "+15551230203", To: POOL[0]!, Body: "x" };
      assert.equal((await sim.postSigned(smsUrl(), params, "other-token")).status, 403);
      assert.equal(fake.messages.length, before);
      assert.ok(fake.logLines.some((l) => l.msg === "refused a Twilio webhook with an invalid signature"));
      assert.ok(!JSON.stringify(fake.logLines).includes("evil"));
    });

    test("a BYO number's texts are checked with that account's token", async () => {
      fake.accounts.set(BYO_NUMBERS[1]!, byoAccount(BYO_NUMBERS[1]!));
      sim.setSmsUrl(BYO_NUMBERS[1]!, smsUrl());
      const res = await sim.deliverInbound({ from: "+15551230204", to: BYO_NUMBERS[1]!, body: "to own number" });
      assert.equal(res.status, 200);
      assert.equal(fake.messages.at(-1)?.account, BYO_NUMBERS[1]);
      fake.accounts.delete(BYO_NUMBERS[1]!);
      assert.equal((await sim.deliverInbound({ from: "+15551230204", to: BYO_NUMBERS[1]!, body: "nobody's" })).status, 403);
    });

    test("wrong content type → 415; a failing sink → 500 so Twilio retries", async () => {
      const json = await fetch(smsUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      assert.equal(json.status, 415);
      assert.match(await json.text(), /application\/x-www-form-urlencoded/);

      sim.setSmsUrl(POOL[0]!, smsUrl());
      fake.failNext = true;
      const failed = await sim.deliverInbound({ from: "+15551230205", to: POOL[0]!, body: "retry me" });
      assert.equal(failed.status, 500);
      const retried = await sim.deliverInbound({ from: "+15551230205", to: POOL[0]!, body: "retry me", messageSid: failed.messageSid });
      assert.equal(retried.status, 200);
      assert.equal(fake.messages.at(-1)?.key, failed.messageSid);
    });

    test("without publicUrl every webhook is refused, with one error logged", async () => {
      const other = new FakeHost({ unroutableWithoutAccount: true });
      const blind = variant({ publicUrl: undefined });
      await blind.start(other.host);
      const route = blind.webhooks.find((r) => r.path === "/webhooks/twilio/sms")!;
      const req = { method: "POST", url: "/webhooks/twilio/sms", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from("Body=x") };
      assert.equal((await route.handle(req)).status, 403);
      assert.equal((await route.handle(req)).status, 403);
      assert.equal(other.logLines.filter((l) => l.level === 50).length, 1);
      assert.deepEqual(blind.webhooks.map((r) => `${r.method} ${r.path}`), ["POST /webhooks/twilio/sms", "POST /webhooks/twilio/status"]);
    });
  });

  test("the simulator lists messages like Twilio: filters, newest first, paging", async () => {
    const client = createTwilioClient({ accountSid: OP_SID, authToken: OP_TOKEN, apiBase: sim.url });
    const to = "+15551230301";
    const a = await client.messages.create({ from: POOL[2]!, to, body: "first" });
    const b = await client.messages.create({ from: POOL[2]!, to, body: "second" });
    await until(() => (sim.sent.filter((m) => m.to === to && m.sentAt).length === 2 ? true : undefined));
    const listed = await client.messages.list({ to, from: POOL[2]! });
    assert.deepEqual(listed.map((m) => m.sid), [b.sid, a.sid]);
    assert.equal((await client.messages.list({ to, dateSentAfter: new Date(Date.now() - 60_000) })).length, 2);
    assert.equal((await client.messages.list({ to, dateSentBefore: new Date(Date.now() - 60_000) })).length, 0);

    const today = new Date().toISOString().slice(0, 10);
    const raw = async (query: string) => {
      const res = await fetch(`${sim.url}/2010-04-01/Accounts/${OP_SID}/Messages.json?${query}`, {
        headers: { authorization: `Basic ${Buffer.from(`${OP_SID}:${OP_TOKEN}`).toString("base64")}` },
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> & { messages: Array<{ sid: string }> } };
    };
    const onDay = await raw(`To=${encodeURIComponent(to)}&DateSent=${today}&PageSize=1`);
    assert.deepEqual(onDay.json.messages.map((m) => m.sid), [b.sid]);
    assert.equal(onDay.json.page_size, 1);
    assert.match(String(onDay.json.next_page_uri), /Page=1/);
    assert.equal((await raw(`To=${encodeURIComponent(to)}&DateSent>=${today}`)).json.messages.length, 2);
    assert.equal((await raw(`To=${encodeURIComponent(to)}&DateSent<=2000-01-01`)).json.messages.length, 0);
    assert.equal((await raw("DateSent=yesterday")).status, 400);
  });
});
