// What a run found: per-batch counts, the results of the fixed checks, and every failure.

export type FailureKind =
  | "crash"
  | "hang"
  | "unanswered-iq"
  | "duplicate-reply"
  | "bad-error-reply"
  | "reply-to-result"
  | "5xx"
  | "liveness"
  | "secret-leak"
  | "access"
  | "rate-limit"
  | "harness";

export interface Failure {
  kind: FailureKind;
  batch: string;
  detail: string;
}

export interface LivenessResult {
  alive: boolean;
  pingMs: number | null;
  smsMs: number | null;
  healthz: number | null;
  problems: string[];
}

export interface BatchStats {
  name: string;
  target: string;
  sent: number;
  labels: Record<string, number>;
  /** Stanzas received that answer something sent (by id). */
  replies: number;
  iqResults: number;
  /** origin:condition → count, for iq and message/presence error replies. */
  errors: Record<string, number>;
  errorsWithoutText: number;
  errorsWithoutTextSamples: string[];
  /** Answers that came after the 5 s deadline (already failed as unanswered). */
  lateReplies: number;
  lateMaxMs: number;
  /** Other stanzas the fuzzing user received (gateway presence, help texts…). */
  received: Record<string, number>;
  /** How throwaway or main streams ended, by reason. */
  streamCloses: Record<string, number>;
  /** HTTP (or other protocol) status codes → count. */
  codes: Record<string, number>;
  /** Answers other than the expected ones that are not failures (capped list). */
  unexpected: string[];
  unexpectedCount: number;
  notes: string[];
  crashes: number;
  hangs: number;
  livenessFailures: number;
  liveness: LivenessResult | undefined;
  ms: number;
}

export interface CheckResult {
  name: string;
  status: "pass" | "fail" | "pending" | "skipped";
  details: string[];
}

const LIST_CAP = 15;

export function newBatch(name: string, target: string): BatchStats {
  return {
    name, target, sent: 0, labels: {}, replies: 0, iqResults: 0, errors: {}, errorsWithoutText: 0, errorsWithoutTextSamples: [], lateReplies: 0, lateMaxMs: 0, received: {},
    streamCloses: {}, codes: {}, unexpected: [], unexpectedCount: 0, notes: [], crashes: 0, hangs: 0,
    livenessFailures: 0, liveness: undefined, ms: 0,
  };
}

export function inc(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export function noteUnexpected(b: BatchStats, what: string): void {
  b.unexpectedCount++;
  if (b.unexpected.length < LIST_CAP) b.unexpected.push(what);
}

export class Report {
  readonly batches: BatchStats[] = [];
  readonly checks: CheckResult[] = [];
  readonly failures: Failure[] = [];
  readonly findings: string[] = [];
  readonly #perKind = new Map<string, number>();

  constructor(
    readonly seed: number,
    readonly count: number,
  ) {}

  fail(kind: FailureKind, batch: string, detail: string): void {
    const key = `${kind} ${batch}`;
    const seen = this.#perKind.get(key) ?? 0;
    this.#perKind.set(key, seen + 1);
    // Keep the report readable: the first few of a kind per batch, then only a count.
    if (seen < LIST_CAP) this.failures.push({ kind, batch, detail: detail.length > 600 ? `${detail.slice(0, 600)}…` : detail });
    else if (seen === LIST_CAP) this.failures.push({ kind, batch, detail: "(more of the same kind in this batch are counted, not listed)" });
  }

  failureCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of this.#perKind) inc(out, key.split(" ")[0]!, n);
    return out;
  }

  get failed(): boolean {
    return this.#perKind.size > 0;
  }
}
