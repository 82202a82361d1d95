// Webhook inputs with one right answer: exact replays are delivered once, another Twilio account
// can't speak for a number it doesn't own, a bring-your-own number's webhooks work.
import { randomBytes } from "node:crypto";
import type { Element } from "@xmpp/xml";
import type { FuzzEnv } from "../../env/fuzzEnv.ts";
import type { TestUser } from "../../../test/support/xmppUser.ts";
import type { InboundCase } from "../types.ts";
import type { TwilioCtx } from "./context.ts";
import { inboundForm, postForm, statusForm } from "./signing.ts";

const bodyIs = (text: string) => (el: Element) => el.name === "message" && el.getChildText("body") === text;

function countBodies(u: TestUser, text: string): number {
  return u.received.filter(bodyIs(text)).length;
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export function fixedTwilioCases(env: FuzzEnv, c: TwilioCtx): InboundCase[] {
  const { alice, pete, olga, bob } = env.cast;
  const uniq = (what: string) => `${what}-${randomBytes(4).toString("hex")}`;
  const cases: InboundCase[] = [];

  // The same MessageSid three times (Twilio retrying): all answered 200, delivered once.
  const replayText = uniq("replay");
  const replaySid = "SM" + randomBytes(16).toString("hex");
  const replay = inboundForm({ accountSid: c.operatorSid, from: "+15550107001", to: env.numbers.pete, body: replayText, sid: replaySid });
  for (let i = 1; i <= 3; i++) {
    cases.push({
      category: "fixed",
      describe: `exact replay #${i} of one MessageSid to pete`,
      expect: [200],
      send: () => postForm(c.smsUrl, replay, c.operatorToken),
      verify: i < 3 ? undefined : async () => {
        await pete.waitFor(bodyIs(replayText), { timeoutMs: 5_000 }).catch(() => undefined);
        await settle(1_000);
        const n = countBodies(pete, replayText);
        return n === 1 ? [] : [`a MessageSid sent 3 times reached pete ${n} times (expected once)`];
      },
    });
  }

  // olga's own Twilio account signs for alice's (operator) number: must be refused, and alice gets nothing.
  const forgedText = uniq("forged-by-byo");
  cases.push({
    category: "fixed",
    describe: "BYO account signs an inbound SMS to alice's number",
    expect: [403],
    unauthenticated: true,
    send: () => postForm(c.smsUrl, inboundForm({ accountSid: c.byo.sid, from: "+15550107002", to: env.numbers.alice, body: forgedText, sid: "SM" + randomBytes(16).toString("hex") }), c.byo.token),
    verify: async () => {
      await settle(1_000);
      return countBodies(alice, forgedText) > 0 ? ["an inbound SMS forged by another Twilio account reached alice"] : [];
    },
  });

  // olga's account signs a status callback that would fail one of alice's messages.
  const aliceSid = c.sim.sent.find((m) => m.from === env.numbers.alice)?.sid ?? "SM" + "0".repeat(32);
  cases.push({
    category: "fixed",
    describe: "BYO account signs a 'failed' status for alice's message",
    expect: [403],
    unauthenticated: true,
    send: () => postForm(c.statusUrl, { ...statusForm({ accountSid: c.byo.sid, from: env.numbers.alice, to: "+15550100000", sid: aliceSid, status: "failed" }), ErrorCode: "30003" }, c.byo.token),
  });

  // The operator's token names olga's account: the wrong key for that account.
  cases.push({
    category: "fixed",
    describe: "operator token, AccountSid of olga's account, to olga's number",
    expect: [403],
    unauthenticated: true,
    send: () => postForm(c.smsUrl, inboundForm({ accountSid: c.byo.sid, from: "+15550107003", to: c.byo.number, body: "x", sid: "SM" + randomBytes(16).toString("hex") }), c.operatorToken),
  });

  // Positive control: olga's account really texting olga's number is delivered to olga (and only her).
  const byoText = uniq("byo-inbound");
  cases.push({
    category: "fixed",
    describe: "BYO account signs an inbound SMS to its own number",
    expect: [200],
    send: () => postForm(c.smsUrl, inboundForm({ accountSid: c.byo.sid, from: "+15550107004", to: c.byo.number, body: byoText, sid: "SM" + randomBytes(16).toString("hex") }), c.byo.token),
    verify: async () => {
      const got = await olga.waitFor(bodyIs(byoText), { timeoutMs: 5_000 }).then(() => true, () => false);
      const problems: string[] = [];
      if (!got) problems.push("an inbound SMS to olga's own Twilio number was answered 200 but never reached olga");
      for (const [name, u] of [["alice", alice], ["bob", bob], ["pete", pete]] as const) {
        if (countBodies(u, byoText) > 0) problems.push(`olga's inbound SMS reached ${name}`);
      }
      return problems;
    },
  });

  // A signature made for the sms webhook, sent to the status webhook.
  const params = inboundForm({ accountSid: c.operatorSid, from: "+15550107005", to: env.numbers.pete, body: "x", sid: "SM" + randomBytes(16).toString("hex") });
  cases.push({
    category: "fixed",
    describe: "sms-webhook signature used on the status webhook",
    expect: [403],
    unauthenticated: true,
    send: () => postForm(c.statusUrl, params, c.operatorToken, { signUrl: c.smsUrl }),
  });

  // A NUL character where Twilio passes carrier text through (a delivery error message): must not be a 5xx.
  cases.push({
    category: "fixed",
    describe: "operator-signed 'undelivered' status whose ErrorMessage contains a NUL",
    expect: [200],
    send: () => postForm(c.statusUrl, { ...statusForm({ accountSid: c.operatorSid, from: env.numbers.pete, to: "+15550107008", sid: "SM" + randomBytes(16).toString("hex"), status: "undelivered" }), ErrorCode: "30008", ErrorMessage: "carrier said \u0000 nothing" }, c.operatorToken),
  });

  // An SMS to a pool number nobody holds: 200, kept as unroutable.
  cases.push({
    category: "fixed",
    describe: "operator-signed inbound to an unregistered pool number",
    expect: [200],
    send: () => postForm(c.smsUrl, inboundForm({ accountSid: c.operatorSid, from: "+15550107006", to: "+15550008888", body: "to nobody", sid: "SM" + randomBytes(16).toString("hex") }), c.operatorToken),
  });
  return cases;
}
