/**
 * A sliding one-minute window per key (user × network), in memory: it stops a runaway client from
 * spending the operator's message budget. Each gateway instance counts on its own, so N
 * instances sharing a database allow up to N × the limit; the operator sets the limit with that
 * in mind.
 */
export class RateLimiter {
  /** Per key, the times of its events in the window, oldest first, from `head` on. */
  private readonly windows = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one event for `key`; false when the key is over its limit (nothing is recorded). */
  take(key: string): boolean {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w) {
      w = { times: [], head: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.prune(now - 60_000);
    }
    this.expire(w, now - 60_000);
    if (w.times.length - w.head >= this.perMinute) return false;
    w.times.push(now);
    return true;
  }

  /** Seconds until `key` may send again. */
  retryAfterSeconds(key: string): number {
    const w = this.windows.get(key);
    const oldest = w?.times[w.head];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + 60_000 - this.now()) / 1000));
  }

  /** Drops events older than `since`; each event is dropped once, so a message costs O(1). */
  private expire(w: { times: number[]; head: number }, since: number): void {
    while (w.head < w.times.length && w.times[w.head]! <= since) w.head++;
    if (w.head > 1024 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.head = 0;
    }
  }

  private prune(since: number): void {
    for (const [key, w] of this.windows) {
      this.expire(w, since);
      if (w.head >= w.times.length) this.windows.delete(key);
    }
  }
}
