// Per-message send and arrival times for one run, in typed arrays: recording must cost next to
// nothing next to the messages it times. Times are performance.now() of this process, which
// stamps both ends (client sockets, simulator, webhook poster all live here).

export class Recorder {
  readonly sentAt: Float64Array;
  readonly latencyMs: Float64Array;
  private readonly done: Uint8Array;
  completed = 0;
  sent = 0;
  duplicates = 0;
  firstSentAt = Number.NaN;
  lastDoneAt = Number.NaN;
  private onDone: ((seq: number) => void) | undefined;

  constructor(readonly capacity: number) {
    this.sentAt = new Float64Array(capacity).fill(Number.NaN);
    this.latencyMs = new Float64Array(capacity).fill(Number.NaN);
    this.done = new Uint8Array(capacity);
  }

  /** Called once per completed message (after it is recorded), e.g. to refill a window. */
  listen(fn: (seq: number) => void): void {
    this.onDone = fn;
  }

  markSent(seq: number, t = performance.now()): void {
    this.sentAt[seq] = t;
    this.sent++;
    if (Number.isNaN(this.firstSentAt)) this.firstSentAt = t;
  }

  /** Returns false for an unknown or repeated sequence number. */
  markDone(seq: number, t: number): boolean {
    if (!(seq >= 0 && seq < this.capacity) || Number.isNaN(this.sentAt[seq]!)) return false;
    if (this.done[seq] === 1) {
      this.duplicates++;
      return false;
    }
    this.done[seq] = 1;
    this.latencyMs[seq] = t - this.sentAt[seq]!;
    this.completed++;
    this.lastDoneAt = t;
    this.onDone?.(seq);
    return true;
  }

  /** Latencies of completed messages, sorted ascending. */
  sortedLatencies(): Float64Array {
    const out = new Float64Array(this.completed);
    let j = 0;
    for (let i = 0; i < this.capacity; i++) if (this.done[i] === 1) out[j++] = this.latencyMs[i]!;
    return out.sort();
  }
}

/** Message bodies carry `<tag>.<seq>`: the tag tells runs apart, so a straggler never counts twice. */
export function bodyFor(tag: string, seq: number): string {
  return `${tag}.${seq}`;
}

/** The sequence number in `body` when it belongs to `tag`, else -1. */
export function seqOf(tag: string, body: string): number {
  if (!body.startsWith(tag) || body.charCodeAt(tag.length) !== 46 /* . */) return -1;
  const n = Number(body.slice(tag.length + 1));
  return Number.isInteger(n) ? n : -1;
}
