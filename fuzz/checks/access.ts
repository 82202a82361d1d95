// Access checks (assertions, not random): nobody sends from someone else's number, an unregistered
// user sends nothing, inbound texts reach only their number's owner, registration data is private.
import { randomBytes } from "node:crypto";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { IqError } from "../../test/support/xmppUser.ts";
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { CheckResult, Report } from "../report.ts";
import { recordLegit } from "./liveness.ts";
import { checkStanzaError } from "../xmpp/stanzaErrors.ts";

const uniq = (what: string) => `${what}-${randomBytes(4).toString("hex")}`;
const bodyIs = (text: string) => (el: Element) => el.name === "message" && el.getChildText("body") === text;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function accessChecks(env: FuzzEnv, report: Report): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = async (name: string, fn: () => Promise<string[]>) => {
    let problems: string[];
    try {
      problems = await fn();
    } catch (err) {
      problems = [`check failed to run: ${(err as Error).message.split("\n")[0]}`];
    }
    for (const p of problems) report.fail("access", "access", `${name}: ${p}`);
    results.push({ name, status: problems.length ? "fail" : "pass", details: problems });
  };
  const { alice, bob, carol, olga, malloryCtl } = env.cast;
  const sim = env.fx.twilio;
  const D = env.domain;

  await check("bob's messages go out from bob's number only", async () => {
    const problems: string[] = [];
    const plain = uniq("bob-plain");
    const forgedFrom = uniq("bob-forged-from");
    const ofrom = uniq("bob-ofrom");
    for (const body of [plain, forgedFrom, ofrom]) recordLegit(env, env.numbers.bob, body);
    await bob.send(xml("message", { type: "chat", to: `+15550109998@${D}`, id: uniq("b") }, xml("body", {}, plain)));
    // A from attribute naming alice (the server must overwrite it) and an XEP-0033 ofrom claiming alice.
    await bob.send(xml("message", { type: "chat", from: alice.jid, to: `+15550109998@${D}`, id: uniq("b") }, xml("body", {}, forgedFrom)));
    await bob.send(xml("message", { type: "chat", to: `+15550109998@${D}`, id: uniq("b") }, xml("body", {}, ofrom),
      xml("addresses", { xmlns: "http://jabber.org/protocol/address" }, xml("address", { type: "ofrom", jid: alice.bare }))));
    for (const body of [plain, forgedFrom, ofrom]) {
      const m = await sim.waitForSent((s) => s.body === body, 10_000).catch(() => undefined);
      if (!m) {
        if (body === plain) problems.push("bob's plain message never reached Twilio");
        continue;
      }
      if (m.from !== env.numbers.bob) problems.push(`'${body}' went out from ${m.from}, not bob's ${env.numbers.bob}`);
    }
    // And bob can't take alice's number by registering for it.
    const taken = await bob.iq(regSet(D, { number: env.numbers.alice }), 5_000).then(() => "accepted", (e: unknown) => (e instanceof IqError ? e.condition : String(e)));
    if (taken === "accepted") problems.push("bob registered alice's number");
    const aliceNow = await env.numberOf(alice.bare);
    const bobNow = await env.numberOf(bob.bare);
    if (aliceNow !== env.numbers.alice) problems.push(`alice's number is now ${aliceNow}`);
    if (bobNow !== env.numbers.bob) problems.push(`bob's number changed to ${bobNow} (his register attempt answered ${taken})`);
    return problems;
  });

  await check("an unregistered user (carol) gets registration-required and nothing reaches Twilio", async () => {
    const problems: string[] = [];
    const body = uniq("carol");
    const id = uniq("c");
    await carol.send(xml("message", { type: "chat", to: `+15550109997@${D}`, id }, xml("body", {}, body)));
    const err = await carol.waitFor((el) => el.name === "message" && el.attrs.id === id && el.attrs.type === "error", { timeoutMs: 5_000 }).catch(() => undefined);
    if (!err) problems.push("no error came back to carol");
    else {
      const e = checkStanzaError(err);
      if (e.condition !== "registration-required") problems.push(`carol got ${e.condition}, not registration-required`);
      if (!e.text) problems.push("carol's error has no text");
      if (e.problem) problems.push(`carol's error is malformed: ${e.problem}`);
    }
    await settle(1_500);
    if (sim.sent.some((m) => m.body === body)) problems.push("carol's message reached Twilio");
    return problems;
  });

  await check("an inbound SMS to alice's number reaches alice only", async () => {
    const problems: string[] = [];
    const body = uniq("for-alice");
    const res = await sim.deliverInbound({ from: "+15550107777", to: env.numbers.alice, body });
    if (res.status !== 200) problems.push(`the webhook answered ${res.status}`);
    const got = await alice.waitFor(bodyIs(body), { timeoutMs: 5_000 }).then(() => true, () => false);
    if (!got) problems.push("alice never received it");
    await settle(1_000);
    for (const [name, u] of [["bob", bob], ["carol", carol], ["olga", olga], ["mallory", malloryCtl]] as const) {
      if (u.received.some(bodyIs(body))) problems.push(`${name} received alice's SMS`);
    }
    return problems;
  });

  await check("carol's registration request shows carol's state, not alice's", async () => {
    const problems: string[] = [];
    const form = await carol.iq(xml("iq", { type: "get", to: D }, xml("query", { xmlns: "jabber:iq:register" })), 5_000);
    const text = form.toString();
    const query = form.getChild("query", "jabber:iq:register");
    if (!query) problems.push("no jabber:iq:register query in the result");
    if (query?.getChild("registered")) problems.push("carol is told she is <registered/>");
    for (const [what, secret] of [["alice's number", env.numbers.alice], ["bob's number", env.numbers.bob], ["alice's JID", alice.bare], ["olga's auth token", env.secrets.byoToken]] as const) {
      if (text.includes(secret)) problems.push(`carol's form contains ${what}`);
    }
    // The same question addressed to alice's contact JID.
    const viaContact = await carol.iq(xml("iq", { type: "get", to: `${env.numbers.alice}@${D}` }, xml("query", { xmlns: "jabber:iq:register" })), 5_000).then((r) => r.toString(), (e: unknown) => (e instanceof IqError ? `error:${e.condition}` : String(e)));
    if (!viaContact.startsWith("error:")) problems.push(`register get to alice's contact JID answered: ${viaContact.slice(0, 200)}`);
    // Control: bob's form is bob's.
    const bobForm = (await bob.iq(xml("iq", { type: "get", to: D }, xml("query", { xmlns: "jabber:iq:register" })), 5_000)).toString();
    if (!bobForm.includes("<registered/>")) problems.push("bob's own form does not say <registered/>");
    if (bobForm.includes(env.numbers.alice)) problems.push("bob's form contains alice's number");
    // olga's stored token is never sent back, even to olga.
    const olgaForm = (await olga.iq(xml("iq", { type: "get", to: D }, xml("query", { xmlns: "jabber:iq:register" })), 5_000)).toString();
    if (olgaForm.includes(env.secrets.byoToken)) problems.push("olga's registration form contains her stored auth token");
    return problems;
  });
  return results;
}

function regSet(domain: string, fields: Record<string, string>) {
  const form = xml("x", { xmlns: "jabber:x:data", type: "submit" }, xml("field", { var: "FORM_TYPE" }, xml("value", {}, "jabber:iq:register")));
  for (const [k, v] of Object.entries(fields)) form.append(xml("field", { var: k }, xml("value", {}, v)));
  return xml("iq", { type: "set", to: domain }, xml("query", { xmlns: "jabber:iq:register" }, form));
}
