// The core's side of an adapter, in memory, for tests that drive one adapter directly (no XMPP, no
// database): the AdapterHost it starts with, the registration context it is asked in, and the
// GatewayError it must answer with.
import assert from "node:assert/strict";
import pino from "pino";
import type {
  Account,
  AcceptResult,
  AdapterHost,
  DeliveryReport,
  IncomingEvent,
  IncomingMessage,
  RegistrationContext,
} from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";

export interface FakeHostOptions {
  publicUrl?: string;
  /** Messages for accounts missing from `accounts` answer "unroutable" (still recorded), as the core does. */
  unroutableWithoutAccount?: boolean;
}

/**
 * Records everything the adapter hands over. Dedups by key like the core: a key already offered
 * (message or event) answers "duplicate" and is not recorded again in `messages`/`events`.
 */
export class FakeHost {
  /** Every key offered to the sink, in order, duplicates included. */
  readonly offered: string[] = [];
  /** Every message offered to the sink, duplicates included. */
  readonly calls: IncomingMessage[] = [];
  /** The first message of each key. */
  readonly messages: IncomingMessage[] = [];
  /** The first event of each key; typing events (no key) every time. */
  readonly events: IncomingEvent[] = [];
  readonly reports: DeliveryReport[] = [];
  readonly cursors = new Map<string, string>();
  readonly broken: Array<{ account: string; reason: string }> = [];
  /** What findAccount answers from. */
  readonly accounts = new Map<string, Account>();
  readonly logLines: Array<Record<string, unknown>> = [];
  /** The next message or keyed event throws, as when the database is down; nothing is recorded. */
  failNext = false;
  readonly host: AdapterHost;

  constructor(opts: FakeHostOptions = {}) {
    const log = pino({ level: "debug" }, { write: (line: string) => void this.logLines.push(JSON.parse(line)) });
    const take = (key: string): boolean => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error("database is down");
      }
      const fresh = !this.offered.includes(key);
      this.offered.push(key);
      return fresh;
    };
    this.host = {
      log,
      findAccount: async (id) => this.accounts.get(id),
      sink: {
        message: async (msg): Promise<AcceptResult> => {
          const fresh = take(msg.key);
          this.calls.push(msg);
          if (!fresh) return "duplicate";
          this.messages.push(msg);
          return opts.unroutableWithoutAccount && !this.accounts.has(msg.account) ? "unroutable" : "accepted";
        },
        event: async (event) => {
          if ("key" in event && !take(event.key)) return "duplicate";
          this.events.push(event);
          return "accepted";
        },
        report: async (r) => void this.reports.push(r),
      },
      saveCursor: async (account, cursor) => void this.cursors.set(account, cursor),
      accountBroken: async (account, reason) => void this.broken.push({ account, reason }),
      publicUrl: opts.publicUrl,
    };
  }

  /** Log lines at info and above, as one string to search for what must not be logged. */
  infoLogs(): string {
    return JSON.stringify(this.logLines.filter((l) => Number(l.level) >= 30));
  }

  /** Waits for a recorded message matching `pred`. */
  async message(pred: (m: IncomingMessage) => boolean): Promise<IncomingMessage> {
    return until(() => this.messages.find(pred));
  }

  /** Waits for a recorded event of `kind` matching `pred`. */
  async event<K extends IncomingEvent["kind"]>(kind: K, pred: (e: Extract<IncomingEvent, { kind: K }>) => boolean): Promise<Extract<IncomingEvent, { kind: K }>> {
    return until(() => this.events.find((e): e is Extract<IncomingEvent, { kind: K }> => e.kind === kind && pred(e as Extract<IncomingEvent, { kind: K }>)));
  }
}

/** Adapters deliver asynchronously (webhooks, polls): poll `fn` until it gives a value. */
export async function until<T>(fn: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What the core passes to registrationForm/register for alice@example.org. */
export function registrationContext(taken: string[] = [], current?: Account): RegistrationContext {
  return { userJid: "alice@example.org", current, takenByOthers: async () => new Set(taken) };
}

/** `p` must reject with a GatewayError (the only error the core shows users); returns it. */
export async function rejectsWithGatewayError(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}
