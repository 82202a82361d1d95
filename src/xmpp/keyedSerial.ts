/**
 * Runs tasks one at a time per key, in the order they were submitted, with different keys in
 * parallel. The XMPP library hands us stanzas without waiting for the previous one's handler, so
 * without this two messages of one conversation could be committed in either order.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, number>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left === 0) this.counts.delete(key);
      else this.counts.set(key, left);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return current;
  }

  /** Tasks submitted for `key` and not finished yet. */
  pending(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Resolves once every task submitted so far (and any submitted meanwhile) has finished. */
  async settled(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  get size(): number {
    return this.tails.size;
  }
}
