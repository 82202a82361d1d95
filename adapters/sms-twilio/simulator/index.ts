export { TwilioSimulator, type TwilioSimulatorOptions } from "./server.ts";
export type { CallbackAttempt } from "./delivery.ts";
export type {
  FailureSpec,
  InboundOptions,
  InboundResult,
  MessageStatus,
  Outcome,
  PostResult,
  SimMessage,
} from "./types.ts";
