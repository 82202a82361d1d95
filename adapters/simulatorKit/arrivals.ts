// Waiting for something a simulator records (a sent message, a bot call) that may not have
// happened yet: tests await it instead of polling.

export class Arrivals<T> {
  readonly #waiters = new Set<(item: T) => void>();

  /** Call after recording `item`: wakes every waiter whose predicate it matches. */
  notify(item: T): void {
    for (const waiter of [...this.#waiters]) waiter(item);
  }

  /**
   * The first of `recorded` matching `pred`, else the next matching one notified within
   * `timeoutMs`; on timeout rejects with `timeoutMessage()` (called then, so counts are current).
   */
  waitFor(recorded: readonly T[], pred: (item: T) => boolean, timeoutMs: number, timeoutMessage: () => string): Promise<T> {
    const found = recorded.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (item: T) => {
        if (!pred(item)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(timeoutMessage()));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
