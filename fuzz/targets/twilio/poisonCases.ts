// Inbound texts that may break the component stream for good: characters XML 1.0 cannot carry
// (control characters, U+FFFE), and bodies over Prosody's component stanza limit (512 KiB).
// All go to pete's number; heal() deletes what is still queued for pete, so each case is judged alone.
import { randomBytes } from "node:crypto";
import type { FuzzEnv } from "../../env/fuzzEnv.ts";
import type { PoisonCase } from "../types.ts";
import type { TwilioCtx } from "./context.ts";
import { inboundForm, postForm } from "./signing.ts";
import { bulk } from "../../xmpp/text.ts";

export function twilioPoisonCases(env: FuzzEnv, c: () => Promise<TwilioCtx>): PoisonCase[] {
  const pete = env.cast.pete;
  const mk = (describe: string, fields: { from?: string; body: string; media?: string }): PoisonCase => {
    const marker = `poison-${randomBytes(3).toString("hex")}`;
    const before = () => pete.received.length;
    let mark = 0;
    const benign = `${marker}-benign-for-alice`;
    return {
      describe,
      async send() {
        const ctx = await c();
        mark = before();
        const p: Record<string, string> = inboundForm({ accountSid: ctx.operatorSid, from: fields.from ?? "+15550107100", to: env.numbers.pete, body: `${marker} ${fields.body}`, sid: "SM" + randomBytes(16).toString("hex") });
        if (fields.media !== undefined) {
          p.NumMedia = "1";
          p.MediaUrl0 = fields.media;
          p.MediaContentType0 = "image/png";
        }
        const res = await postForm(ctx.smsUrl, p, ctx.operatorToken);
        // Right behind it, an ordinary text for alice: does it survive whatever the poison does?
        await env.fx.twilio.deliverInbound({ from: "+15550107200", to: env.numbers.alice, body: benign }).catch(() => undefined);
        return res;
      },
      async collateral() {
        const got = await env.cast.alice.waitFor((el) => el.name === "message" && el.getChildText("body") === benign, { timeoutMs: 4_000 }).then(() => true, () => false);
        return got ? undefined : "an ordinary SMS for alice sent right after it was never delivered";
      },
      async expectDelivered() {
        const deadline = Date.now() + 2_500;
        while (Date.now() < deadline) {
          if (pete.received.slice(mark).some((el) => el.name === "message" && (el.getChildText("body") ?? "").startsWith(marker))) return true;
          await new Promise((r) => setTimeout(r, 50));
        }
        return false;
      },
      async heal() {
        const res = await env.db.query(
          `DELETE FROM inbox WHERE state <> 'delivered' AND registration_id = (SELECT r.id FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.jid = $1 AND r.network = 'sms')`,
          [pete.bare],
        );
        return `deleted ${res.rowCount ?? 0} undelivered inbox row(s) of pete`;
      },
    };
  };
  return [
    mk("Body with C0 control characters (\\u0001 \\u001b)", { body: "ctl\u0001\u001b[31mred" }),
    mk("Body with a NUL character", { body: "nul\u0000here" }),
    mk("Body with U+FFFE / U+FFFF", { body: "nonchar\ufffe\uffff" }),
    mk("From with a control character", { from: "+1555010\u00017101", body: "from-ctl" }),
    mk("MediaUrl with a control character", { body: "media-ctl", media: "https://example.org/a\u0002.png" }),
    mk("Body of 300 kB", { body: bulk(300_000, "abcdefghij") }),
    mk("Body of 600 kB (over Prosody's 512 KiB component limit)", { body: bulk(600_000, "abcdefghij") }),
    mk("Body of 900 kB", { body: bulk(900_000, "abcdefghij") }),
  ];
}
