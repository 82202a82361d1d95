// What the Twilio cases need to know about the running fixture.
import type { TwilioSimulator } from "../../../adapters/sms-twilio/simulator/index.ts";
import type { FuzzEnv } from "../../env/fuzzEnv.ts";
import { BYO } from "../../env/fuzzEnv.ts";

export interface TwilioCtx {
  base: string;
  port: number;
  smsUrl: string;
  statusUrl: string;
  operatorSid: string;
  operatorToken: string;
  byo: typeof BYO;
  /** Where signed garbage goes: the attacker's own number (or an unregistered one). */
  victimNumber: string;
  /** Sids of messages the attacker sent (for status callbacks about real messages). */
  attackerSids: string[];
  sim: TwilioSimulator;
}

export async function twilioCtx(env: FuzzEnv): Promise<TwilioCtx> {
  const base = env.fx.publicUrl;
  const mallory = await env.numberOf(env.cast.malloryCtl.bare);
  const victimNumber = mallory ?? "+15559990001";
  return {
    base,
    port: env.fx.httpPort,
    smsUrl: `${base}/webhooks/twilio/sms`,
    statusUrl: `${base}/webhooks/twilio/status`,
    operatorSid: env.secrets.operatorSid,
    operatorToken: env.secrets.operatorToken,
    byo: BYO,
    victimNumber,
    attackerSids: env.fx.twilio.sent.filter((m) => m.from === victimNumber).map((m) => m.sid).slice(0, 200),
    sim: env.fx.twilio,
  };
}
