// The Twilio simulator has no per-message hook, and polling `sent` would blur arrival times. Its
// `sent` array is pushed exactly once per accepted Messages.create, synchronously, before delivery
// reports are scheduled: wrapping push() on this one instance gives exact arrival times and lets
// a run turn status callbacks off (to show what they cost) without touching the simulator.
import type { SimMessage, TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";

export interface SimulatorTap {
  /** Called for each message the simulator accepts, with performance.now(). */
  onSent: (m: SimMessage, t: number) => void;
  /** When false, accepted messages lose their StatusCallback: no sent/delivered webhooks. */
  statusCallbacks: boolean;
}

export function tapSimulator(sim: TwilioSimulator): SimulatorTap {
  const tap: SimulatorTap = { onSent: () => {}, statusCallbacks: true };
  const sent = sim.sent as SimMessage[];
  const push = sent.push.bind(sent);
  sent.push = (...items: SimMessage[]) => {
    const t = performance.now();
    for (const m of items) {
      if (!tap.statusCallbacks) m.statusCallback = null;
      tap.onSent(m, t);
    }
    return push(...items);
  };
  return tap;
}
