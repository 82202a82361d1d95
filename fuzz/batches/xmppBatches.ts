// The XMPP batches: random and mutated stanzas on the main connection, floods, and hostile inputs
// on throwaway connections. Each gets a share of --count (or a fixed size) and its own PRNG stream.
import { xml } from "@xmpp/client";
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { Report, BatchStats } from "../report.ts";
import { inc, noteUnexpected } from "../report.ts";
import type { Rng } from "../../test/support/rng.ts";
import { randomMessage } from "../xmpp/gen/messages.ts";
import { randomIq, gatewayQuery } from "../xmpp/gen/iqs.ts";
import { randomRegisterIq } from "../xmpp/gen/register.ts";
import { mutatedStanza } from "../xmpp/gen/mutate.ts";
import { randomPresence } from "../xmpp/gen/presence.ts";
import { freshId, toCase } from "../xmpp/stanzaCase.ts";
import { n } from "../xmpp/tree.ts";
import { bulk } from "../xmpp/text.ts";
import { hostileCases } from "../xmpp/hostile.ts";
import { preLogin } from "./preLogin.ts";
import { sleep } from "../xmpp/session.ts";
import { checkStanzaError } from "../xmpp/stanzaErrors.ts";

export interface BatchContext {
  env: FuzzEnv;
  report: Report;
  stats: BatchStats;
  rng: Rng;
  /** How many random cases this batch gets. */
  size: number;
  log(s: string): void;
}

export interface Batch {
  name: string;
  target: string;
  /** Share of --count for random batches; undefined for fixed-size ones. */
  share?: number;
  run(b: BatchContext): Promise<void>;
}

const PRESENCE_BURST = 1_000;

export const XMPP_BATCHES: Batch[] = [
  {
    name: "stanza/messages",
    target: "xmpp",
    share: 0.22,
    async run(b) {
      for (let i = 0; i < b.size; i++) await b.env.session.send(randomMessage(b.rng, b.env.aim()));
    },
  },
  {
    name: "stanza/iqs",
    target: "xmpp",
    share: 0.18,
    async run(b) {
      for (let i = 0; i < b.size; i++) await b.env.session.send(randomIq(b.rng, b.env.aim()));
    },
  },
  {
    name: "stanza/register+gateway",
    target: "xmpp",
    share: 0.08,
    async run(b) {
      const aim = b.env.aim();
      for (let i = 0; i < b.size; i++) {
        if (b.rng.chance(0.75)) await b.env.session.send(randomRegisterIq(b.rng, aim));
        else {
          const type = b.rng.pick(["get", "set"]);
          await b.env.session.send(toCase(`gateway/${type}`, n("iq", { type, to: aim.domain, id: freshId("gw") }, gatewayQuery(b.rng))));
        }
      }
      // Concurrent registrations of the same user for different pool numbers (races in the store).
      for (const number of aim.pool) {
        await b.env.session.send(toCase("register/concurrent-burst", n("iq", { type: "set", to: aim.domain, id: freshId("race") },
          n("query", { xmlns: "jabber:iq:register" }, n("x", { xmlns: "jabber:x:data", type: "submit" }, n("field", { var: "FORM_TYPE" }, n("value", {}, "jabber:iq:register")), n("field", { var: "number" }, n("value", {}, number)))))));
      }
      // The gateway prompt at its extremes.
      for (const prompt of ["", bulk(200_000, "5")]) {
        await b.env.session.send(toCase(`gateway/set/prompt-${prompt.length}`, n("iq", { type: "set", to: aim.domain, id: freshId("gw") }, n("query", { xmlns: "jabber:iq:gateway" }, n("prompt", {}, prompt)))));
      }
    },
  },
  {
    name: "stanza/mutations",
    target: "xmpp",
    share: 0.12,
    async run(b) {
      for (let i = 0; i < b.size; i++) await b.env.session.send(mutatedStanza(b.rng, b.env.aim()));
    },
  },
  {
    name: "stanza/presence",
    target: "xmpp",
    share: 0.05,
    async run(b) {
      for (let i = 0; i < b.size; i++) await b.env.session.send(randomPresence(b.rng, b.env.aim()));
    },
  },
  {
    name: "stanza/presence-flood",
    target: "xmpp",
    async run(b) {
      const main = await b.env.session.ensureMain();
      const aim = b.env.aim();
      // One write of 1000 presences: subscribe/unsubscribe/probe storms at contacts.
      const burst: string[] = [];
      for (let i = 0; i < PRESENCE_BURST; i++) {
        const type = b.rng.pick(["subscribe", "unsubscribe", "probe", "subscribe", "probe", "subscribed"]);
        burst.push(`<presence type='${type}' to='+1555011${String(b.rng.int(0, 299)).padStart(4, "0")}@${aim.domain}'/>`);
      }
      const t0 = Date.now();
      const sampler = pingSampler(b);
      b.stats.sent += PRESENCE_BURST;
      inc(b.stats.labels, "presence-burst", PRESENCE_BURST);
      await main.sendRaw(burst.join(""));
      // iq pings right behind it: each must still be answered within 5 s.
      for (let i = 0; i < 50; i++) await b.env.session.send(toCase("ping-behind-burst", n("iq", { type: "get", to: aim.domain, id: freshId("pb") }, n("ping", { xmlns: "urn:xmpp:ping" }))));
      await b.env.session.settle();
      const alice = await sampler.stop();
      b.stats.notes.push(`1000 presences + 50 pings from mallory: settled after ${Date.now() - t0} ms; alice's pings meanwhile: ${alice}`);
    },
  },
  {
    name: "stanza/amplification",
    target: "xmpp",
    async run(b) {
      // One 100 kB chat message to one contact: how many SMS does it become?
      const to = "+15550139999";
      const before = b.env.fx.twilio.sent.filter((m) => m.to === to).length;
      await b.env.session.send(toCase("message/100k-to-contact", n("message", { type: "chat", to: `${to}@${b.env.domain}`, id: freshId("amp") }, n("body", {}, bulk(100_000, "amplify "))), {}));
      let count = before;
      let stableSince = Date.now();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && Date.now() - stableSince < 1_500) {
        await sleep(100);
        const now = b.env.fx.twilio.sent.filter((m) => m.to === to).length;
        if (now !== count) {
          count = now;
          stableSince = Date.now();
        }
      }
      b.stats.notes.push(`a 100,000-character chat message became ${count - before} Twilio messages (Messages.create calls)`);
      if (count - before > 10) b.report.findings.push(`amplification: one 100 kB XMPP message became ${count - before} outgoing SMS (no cap on parts per message)`);
    },
  },
  {
    name: "stanza/hostile",
    target: "xmpp",
    async run(b) {
      const env = b.env;
      const cases = hostileCases({ domain: env.domain, host: env.host, contact: `+15550140000@${env.domain}`, victimJid: env.cast.alice.bare });
      for (const h of cases) {
        b.stats.sent++;
        inc(b.stats.labels, h.label);
        const ended = h.preLogin
          ? await preLogin(env.fx.prosody.c2sPort, h.payload as string, h.waitMs ?? 700)
          : await env.session.sacrifice(h.label, h.payload, { waitMs: h.waitMs ?? 700, awaitId: h.awaitId }).then((o) => `${o.ended}${o.got.length ? `; got ${o.got.slice(0, 4).join(", ")}` : ""}`);
        inc(b.stats.streamCloses, ended.split(";")[0]!);
        // The gateway must not notice: alive and answering a ping right after each case.
        let gw = "gateway ok";
        if (!env.gw.alive) gw = "GATEWAY DEAD";
        else {
          const t0 = Date.now();
          const ok = await env.cast.alice.iq(xml("iq", { type: "get", to: env.domain }, xml("ping", { xmlns: "urn:xmpp:ping" })), 2_000).then(() => true, () => false);
          if (!ok) gw = `GATEWAY PING FAILED after ${Date.now() - t0} ms`;
        }
        if (gw !== "gateway ok") {
          b.stats.livenessFailures++;
          b.report.fail("liveness", b.stats.name, `after ${h.label}: ${gw}`);
        }
        b.stats.notes.push(`${h.label}: ${ended} — ${gw}`);
      }
      if (env.session.main && !env.session.main.open) noteUnexpected(b.stats, "main connection was closed during the hostile batch");
    },
  },
  {
    name: "stanza/message-storm",
    target: "xmpp",
    async run(b) {
      // Chat messages to many distinct contacts at once (a busy user, or several): each contact is
      // its own outbound conversation. Sent by trudy, whose rate-limit quota is untouched.
      const trudy = b.env.cast.trudy;
      const storm = Math.min(300, Math.max(50, Math.round(b.size)));
      const ids: string[] = [];
      for (let i = 0; i < storm; i++) {
        const id = freshId("storm");
        ids.push(id);
        void trudy.send(xml("message", { type: "chat", to: `+1555012${String(i).padStart(4, "0")}@${b.env.domain}`, id }, xml("body", {}, `storm ${i}`)));
      }
      b.stats.sent += storm;
      inc(b.stats.labels, "message-storm", storm);
      await sleep(1_500);
      const wanted = new Set(ids);
      for (const el of trudy.received) {
        if (el.name !== "message" || el.attrs.type !== "error" || !wanted.has(el.attrs.id ?? "")) continue;
        b.stats.replies++;
        const e = checkStanzaError(el);
        inc(b.stats.errors, `message gateway:${e.condition}`);
        if (e.problem) b.report.fail("bad-error-reply", b.stats.name, `message-storm: ${e.problem}`);
      }
      const reached = b.env.fx.twilio.sent.filter((m) => m.body.startsWith("storm ") && m.to.startsWith("+1555012")).length;
      b.stats.notes.push(`${storm} messages to ${storm} contacts: ${reached} reached Twilio within 1.5 s, ${b.stats.replies} refused`);
    },
  },
];

/** alice pings the gateway every 100 ms until stopped; reports the latencies. */
function pingSampler(b: BatchContext): { stop(): Promise<string> } {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      const ok = await b.env.cast.alice.iq(xml("iq", { type: "get", to: b.env.domain }, xml("ping", { xmlns: "urn:xmpp:ping" })), 10_000).then(() => true, () => false);
      if (ok) latencies.push(Date.now() - t0);
      else failures++;
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const max = Math.max(0, ...latencies);
      if (max > 2_000 || failures > 0) b.report.findings.push(`during mallory's presence flood, alice's pings to the gateway took up to ${max} ms (${failures} timed out after 10 s)`);
      return `${latencies.length} answered, max ${max} ms, median ${latencies.sort((x, y) => x - y)[Math.floor(latencies.length / 2)] ?? 0} ms, ${failures} timed out`;
    },
  };
}

