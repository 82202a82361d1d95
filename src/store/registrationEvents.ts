// Registration changes made outside the running gateway (the `switchboard users …` commands), told
// to every gateway process through PostgreSQL LISTEN/NOTIFY on one channel.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { NetworkName } from "../core/adapter.ts";

export const REGISTRATION_CHANNEL = "switchboard_registrations";

/** A stored account as the notification carries it: credentials stay sealed (encrypted). */
export interface SealedAccount {
  legacyAccountId: string;
  credentials: string | null;
  settings: Record<string, unknown>;
}

export type RegistrationEvent =
  | {
      op: "registered";
      user: string;
      network: NetworkName;
      registrationId: string;
      /** True when the user had no registration on this network before. */
      created: boolean;
      /** The line the user is told after registering (no secrets). */
      welcome?: string;
      /** The account this registration replaced (a different number or bot), to be closed. */
      replaced?: SealedAccount;
    }
  | {
      op: "unregistered";
      user: string;
      network: NetworkName;
      account: SealedAccount;
      /** The contacts' legacy addresses, whose roster items the user must lose. */
      addresses: string[];
    };

/** NOTIFY payloads must stay under 8000 bytes: a larger event goes in several chunks. */
const CHUNK_CHARS = 3_000;
/** An event whose chunks have not all arrived within this time is dropped. */
const PARTIAL_TTL_MS = 60_000;

interface Envelope {
  v: 1;
  id: string;
  i: number;
  n: number;
  data: string;
}

/**
 * Tells running gateways about committed registration changes. Call it after the change's own
 * transaction committed; all chunks go out in one transaction, so listeners get them together.
 */
export async function publishRegistrationEvent(ds: DataSource, event: RegistrationEvent): Promise<void> {
  const data = JSON.stringify(event);
  const id = randomUUID();
  const n = Math.max(1, Math.ceil(data.length / CHUNK_CHARS));
  await ds.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const envelope: Envelope = { v: 1, id, i, n, data: data.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS) };
      await tx.query(`SELECT pg_notify($1, $2)`, [REGISTRATION_CHANNEL, JSON.stringify(envelope)]);
    }
  });
}

/**
 * LISTENs on a dedicated connection (not from a pool: LISTEN belongs to one session) and hands
 * each whole event to `handle`, one at a time in arrival order. A cut connection is replaced with
 * backoff; notifications sent while it was down are lost, so `resync` runs after each reconnect.
 */
export class RegistrationEventListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 500;
  private connectedOnce = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly partial = new Map<string, { parts: string[]; got: number; at: number }>();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly handle: (event: RegistrationEvent) => Promise<void>,
    private readonly resync: () => Promise<void>,
  ) {}

  /** Resolves after the first attempt to connect; a failed one is retried in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.chain;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: "switchboard-registration-events" });
    client.on("error", (err) => this.log.warn({ err }, "registration events connection error"));
    client.on("end", () => this.lost(client));
    client.on("notification", (msg) => {
      if (msg.channel === REGISTRATION_CHANNEL && msg.payload) this.received(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REGISTRATION_CHANNEL}`);
    } catch (err) {
      this.log.warn({ err }, "could not listen for registration changes; retrying");
      await client.end().catch(() => undefined);
      this.schedule();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 500;
    if (this.connectedOnce) {
      this.enqueue(() => this.resync(), "resync after reconnecting");
      this.log.info("listening for registration changes again");
    }
    this.connectedOnce = true;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.stopped) return;
    this.log.warn("registration events connection lost; reconnecting");
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private received(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
      if (envelope.v !== 1 || typeof envelope.data !== "string" || !(envelope.n >= 1)) throw new Error("unknown envelope");
    } catch (err) {
      this.log.warn({ err }, "ignored a malformed registration notification");
      return;
    }
    const data = this.assemble(envelope);
    if (data === undefined) return;
    let event: RegistrationEvent;
    try {
      event = JSON.parse(data) as RegistrationEvent;
    } catch (err) {
      this.log.warn({ err }, "ignored a malformed registration notification");
      return;
    }
    this.enqueue(() => this.handle(event), `acting on a registration change (${event.op}, ${event.network})`);
  }

  private assemble(e: Envelope): string | undefined {
    if (e.n === 1) return e.data;
    const now = Date.now();
    for (const [id, p] of this.partial) if (now - p.at > PARTIAL_TTL_MS) this.partial.delete(id);
    const p = this.partial.get(e.id) ?? { parts: new Array<string>(e.n), got: 0, at: now };
    this.partial.set(e.id, p);
    if (p.parts[e.i] === undefined) p.got++;
    p.parts[e.i] = e.data;
    if (p.got < e.n) return undefined;
    this.partial.delete(e.id);
    return p.parts.join("");
  }

  private enqueue(work: () => Promise<void>, what: string): void {
    this.chain = this.chain.then(work).catch((err: unknown) => this.log.warn({ err }, `${what} failed`));
  }
}
