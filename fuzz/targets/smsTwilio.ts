// The SMS network's inbound surface: Twilio's two webhooks.
import type { NetworkTarget } from "./types.ts";
import { twilioCtx } from "./twilio/context.ts";
import { fixedTwilioCases } from "./twilio/fixedCases.ts";
import { twilioPoisonCases } from "./twilio/poisonCases.ts";
import { randomTwilioCases } from "./twilio/randomCases.ts";

export const smsTwilio: NetworkTarget = {
  name: "sms-twilio",
  async cases(rng, count, env) {
    return randomTwilioCases(rng, count, await twilioCtx(env));
  },
  async fixed(env) {
    return fixedTwilioCases(env, await twilioCtx(env));
  },
  poison(env) {
    return twilioPoisonCases(env, () => twilioCtx(env));
  },
};
