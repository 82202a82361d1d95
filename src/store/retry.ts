import type { Logger } from "pino";

/**
 * Retries a database write that records something already done outside (a message sent, events
 * passed to XMPP): giving up would make the work be done again. A cut connection is replaced by
 * the pool within milliseconds, so a few short retries cover it.
 */
export async function recordWithRetry<T>(what: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 5) throw err;
      log.warn({ err, attempt }, `recording ${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
