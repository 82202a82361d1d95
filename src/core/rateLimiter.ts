/**
 * A sliding one-minute window per key (user × network), in memory: it stops a runaway client from
 * spending the operator's message budget. Each gateway instance counts on its own, so N
 * instances sharing a database allow up to N × the limit; the operator sets the limit with that
 * in mind.
 */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one event for `key`; false when the key is over its limit (nothing is recorded). */
  take(key: string): boolean {
    const now = this.now();
    const since = now - 60_000;
    const times = (this.windows.get(key) ?? []).filter((t) => t > since);
    if (times.length >= this.perMinute) {
      this.windows.set(key, times);
      return false;
    }
    times.push(now);
    this.windows.set(key, times);
    if (this.windows.size > 10_000) this.prune(since);
    return true;
  }

  /** Seconds until `key` may send again. */
  retryAfterSeconds(key: string): number {
    const oldest = this.windows.get(key)?.[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + 60_000 - this.now()) / 1000));
  }

  private prune(since: number): void {
    for (const [key, times] of this.windows) {
      if (times.every((t) => t <= since)) this.windows.delete(key);
    }
  }
}
