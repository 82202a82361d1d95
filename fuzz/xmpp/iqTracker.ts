// Every iq get/set must get exactly one reply; result/error iqs must get none. Tracks ids sent on
// a connection until answered, lost with the stream, or overdue.
import type { BatchStats } from "../report.ts";

export const IQ_DEADLINE_MS = 5_000;

interface Pending {
  sentAt: number;
  label: string;
  snippet: string;
  conn: object;
  batch: BatchStats;
}

export interface Overdue {
  id: string;
  label: string;
  snippet: string;
  batch: BatchStats;
  ageMs: number;
}

export class IqTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #answered = new Set<string>();
  readonly #noReply = new Map<string, string>();
  readonly #used = new Set<string>();
  /** Overdue ids → when they were sent, to recognise a late answer. */
  readonly #late = new Map<string, number>();

  get size(): number {
    return this.#pending.size;
  }

  /** Returns false when the id was used before in this run (then it can't be tracked). */
  expectReply(id: string, label: string, snippet: string, conn: object, batch: BatchStats): boolean {
    if (this.#used.has(id)) return false;
    this.#used.add(id);
    this.#pending.set(id, { sentAt: Date.now(), label, snippet, conn, batch });
    return true;
  }

  expectNoReply(id: string, label: string): void {
    if (this.#used.has(id)) return;
    this.#used.add(id);
    this.#noReply.set(id, label);
  }

  /**
   * A result/error iq arrived. "first" — the awaited reply; "duplicate" — a second one;
   * "to-result" — a reply to a result/error iq; "unknown" — an id we never sent.
   */
  reply(id: string): { kind: "first"; pending: Pending } | { kind: "late"; ageMs: number } | { kind: "duplicate" | "to-result" | "unknown"; label?: string } {
    const p = this.#pending.get(id);
    if (p) {
      this.#pending.delete(id);
      this.#answered.add(id);
      return { kind: "first", pending: p };
    }
    if (this.#answered.has(id)) return { kind: "duplicate" };
    const sentAt = this.#late.get(id);
    if (sentAt !== undefined) {
      this.#late.delete(id);
      this.#answered.add(id);
      return { kind: "late", ageMs: Date.now() - sentAt };
    }
    const label = this.#noReply.get(id);
    if (label !== undefined) return { kind: "to-result", label };
    return { kind: "unknown" };
  }

  /** The connection died: its unanswered iqs can't be answered any more. Returns how many. */
  lost(conn: object): number {
    let n = 0;
    for (const [id, p] of this.#pending) {
      if (p.conn !== conn) continue;
      this.#pending.delete(id);
      n++;
    }
    return n;
  }

  /** Removes and returns the iqs unanswered for longer than the deadline. */
  overdue(now = Date.now()): Overdue[] {
    const out: Overdue[] = [];
    for (const [id, p] of this.#pending) {
      const ageMs = now - p.sentAt;
      if (ageMs <= IQ_DEADLINE_MS) continue;
      this.#pending.delete(id);
      this.#late.set(id, p.sentAt);
      out.push({ id, label: p.label, snippet: p.snippet, batch: p.batch, ageMs });
    }
    return out;
  }
}
