// Waiting and giving up: retry pauses, and deadlines for calls that may also be cancelled.
import { setTimeout as sleepFor } from "node:timers/promises";

/** Exponential with jitter from `initialMs` up to `maxMs`, and never shorter than the network asked. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, atLeastMs = 0): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(exponential * (0.8 + Math.random() * 0.4), atLeastMs);
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
}

export interface Deadline {
  /** Aborts after the timeout or when the parent aborts. */
  signal: AbortSignal;
  timedOut(): boolean;
  /** Clears the timer and unhooks from the parent: call when the work is over. */
  done(): void;
}

/**
 * A signal for one call: its own timeout plus the parent's cancellation. Not AbortSignal.any or
 * AbortSignal.timeout: the parent (the adapter's "stopping") lives for the whole process and every
 * send would leave a listener or a timer behind until it fired.
 */
export function deadline(parent: AbortSignal | undefined, ms: number): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, ms);
  const onAbort = () => controller.abort();
  if (parent?.aborted) controller.abort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
