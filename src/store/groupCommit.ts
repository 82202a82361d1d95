/**
 * Group commit: what callers submit while a flush is running waits and goes into the next flush
 * together, so N concurrent callers cost one transaction (one fsync, a few round trips) instead
 * of N. An idle batcher flushes at once, so a lone message waits for nothing — unless it is
 * given `lingerMs`, for work nobody waits on (it then gathers that long before a flush).
 *
 * A flush returns one result per item, in order (an Error for an item refused on its own). When a
 * whole flush throws, its items are flushed again one at a time, so one bad item (a contact
 * deleted meanwhile, a value the database refuses) fails alone instead of taking its batch along
 * (`ordered`: and everything after it in the batch, which must not overtake it).
 */
export class GroupCommit<I, R> {
  private queue: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<Array<R | Error>>,
    private readonly opts: { maxBatch: number; parallel: number; ordered?: boolean; lingerMs?: number } = { maxBatch: 200, parallel: 1 },
  ) {}

  private lingering = false;

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running >= this.opts.parallel || this.lingering) return;
      if (!this.opts.lingerMs) return void this.run();
      this.lingering = true;
      setTimeout(() => {
        this.lingering = false;
        void this.run();
      }, this.opts.lingerMs);
    });
  }

  /** Items submitted and not yet settled. */
  get backlog(): number {
    return this.queue.length;
  }

  private async run(): Promise<void> {
    this.running++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch);
        const results = await this.flushBatch(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const r = results[i];
          if (r instanceof Error) b.reject(r);
          else b.resolve(r as R);
        });
      }
    } finally {
      this.running--;
    }
  }

  private async flushBatch(items: I[]): Promise<Array<R | Error>> {
    try {
      return await this.flush(items);
    } catch (err) {
      if (items.length === 1) return [toError(err)];
      const results: Array<R | Error> = [];
      let failed: Error | undefined;
      for (const item of items) {
        // `ordered`: what follows a failed item must not be committed before it, so it fails too.
        if (failed && this.opts.ordered) {
          results.push(failed);
          continue;
        }
        try {
          results.push((await this.flush([item]))[0]!);
        } catch (e) {
          failed = toError(e);
          results.push(failed);
        }
      }
      return results;
    }
  }
}

/**
 * For each item of a batch, whether its key came earlier in the same batch (a resend arriving
 * with its first copy): only a key's first item may go to the database. No key, no repeat.
 */
export function repeatsInBatch(keys: Array<string | undefined>): boolean[] {
  const seen = new Set<string>();
  return keys.map((key) => {
    if (key === undefined) return false;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
