import type { Logger } from "pino";

/**
 * Drains in this process, started the moment there is work (no job round trip through the
 * database): at most `concurrency` at once, one per key, and a key woken while its drain runs is
 * drained again after it unless the drain saw the wake-up itself (`consume`). Nothing here is
 * durable: the tables are the truth, and the periodic sweep re-wakes anything a crash left behind.
 */
export class Wakeups {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly queued = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly drain: (key: string) => Promise<void>,
    private readonly concurrency: number,
    private readonly log: Logger,
  ) {}

  wake(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.again.add(key);
    } else if (this.running.size >= this.concurrency) {
      this.queued.add(key);
    } else {
      this.start(key);
    }
  }

  /** Wakes `key` after `ms` (a conversation another holder has, a lost lock). */
  later(key: string, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake(key);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** True once per wake-up of `key` since the last call: its drain must look for work again. */
  consume(key: string): boolean {
    return this.again.delete(key);
  }

  /** Whether no drain of `key` is running or waiting to run. */
  isIdle(key: string): boolean {
    return !this.running.has(key) && !this.queued.has(key);
  }

  /** Drains running or waiting: what a stopping process still has in hand. */
  get busy(): number {
    return this.running.size + this.queued.size;
  }

  /** Starts nothing new and waits for the drains running now. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queued.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  private start(key: string): void {
    const run = this.drain(key)
      .catch((err: unknown) => {
        this.log.warn({ err, key }, `${this.what} failed; trying again shortly`);
        this.later(key, 1000);
      })
      .finally(() => {
        this.running.delete(key);
        if (this.again.delete(key)) this.wake(key);
        this.next();
      });
    this.running.set(key, run);
  }

  private next(): void {
    for (const key of this.queued) {
      if (this.running.size >= this.concurrency) return;
      this.queued.delete(key);
      this.wake(key);
    }
  }
}
