// The six streams and which driver plays each.
import type { ChaosEnv } from "../env/chaosEnv.ts";
import { BOT } from "../env/chaosEnv.ts";
import { Rng } from "../../test/support/rng.ts";
import { DIRECTIONS, NETWORKS, type StreamId } from "../types.ts";
import { runInboundEmail } from "./inboundEmail.ts";
import { runInboundSms } from "./inboundSms.ts";
import { runInboundTelegram } from "./inboundTelegram.ts";
import { runOutbound } from "./outbound.ts";
import type { StreamLog, StreamPlan } from "./records.ts";

export const STREAMS: StreamId[] = NETWORKS.flatMap((network) => DIRECTIONS.map((direction) => ({ network, direction })));

export function drive(env: ChaosEnv, log: StreamLog, plan: StreamPlan, seed: number, faultRate: number): Promise<void> {
  const { network, direction } = log.stream;
  const contact = env.contacts[network];
  if (direction === "out") return runOutbound(env.user, contact, plan, log);
  const rng = Rng.derive(seed, `inbound-${network}`);
  switch (network) {
    case "sms":
      return runInboundSms(env.fx.twilio, contact, plan, log, rng, faultRate, env.ledger);
    case "telegram":
      return runInboundTelegram(env.telegram, BOT.token, contact, plan, log);
    case "email":
      return runInboundEmail(env.inboundSmtp, contact, plan, log, rng, faultRate, env.ledger);
  }
}
