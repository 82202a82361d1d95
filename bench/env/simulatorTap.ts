// The Twilio simulator has no per-message hook, and polling `sent` would blur arrival times. Its
// `sent` array is pushed exactly once per accepted Messages.create, synchronously, before delivery
// reports are scheduled: wrapping push() on this one instance gives exact arrival times and lets
// a run turn status callbacks off (to show what they cost) without touching the simulator.
import type { SimMessage, TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import type { SentMessage, TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";

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

export interface TelegramTap {
  /** Called for each call a bot made that the simulator recorded (sendMessage…), with performance.now(). */
  onSent: (m: SentMessage, t: number) => void;
}

// setTimeout's largest delay: the watchers below never time out in a benchmark's lifetime.
const FOREVER_MS = 2 ** 31 - 1;

/**
 * The Telegram simulator keeps its bots private; its public `waitForBot` hands every recorded
 * bot call, synchronously as it is recorded, to the waiter's predicate. A predicate that never
 * matches is therefore a per-call hook with exact arrival times: one per bot, installed before
 * any traffic, never resolving. The simulator itself is untouched.
 */
export function tapTelegram(sim: TelegramSimulator, tokens: string[]): TelegramTap {
  const tap: TelegramTap = { onSent: () => {} };
  for (const token of tokens) {
    const watcher = sim.waitForBot(
      token,
      (m) => {
        tap.onSent(m, performance.now());
        return false;
      },
      FOREVER_MS,
    );
    watcher.catch(() => {});
  }
  return tap;
}
