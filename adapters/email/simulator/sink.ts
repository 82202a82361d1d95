import { timingSafeEqual } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { buildDsn } from "./dsn.ts";
import { toReceivedMail } from "./received.ts";
import type { BounceOptions, DropStage, FaultStage, ReceivedMail, SmtpFault } from "./types.ts";

export interface MailRelaySinkOptions {
  /** With user and password set, AUTH PLAIN/LOGIN is required before MAIL FROM. */
  user?: string;
  password?: string;
  /** Hostname in the greeting and in bounces. Default `relay.sim.test`. */
  name?: string;
  /** SIZE limit in bytes; a bigger message is refused with 552. Default: none. */
  size?: number;
}

export interface SinkAddress {
  host: string;
  port: number;
  /** `smtp://user:pass@127.0.0.1:PORT` (credentials URL-encoded), or without credentials when none. */
  url: string;
}

const DEFAULT_TEXT: Record<number, string> = {
  421: "4.3.2 Service shutting down, closing transmission channel",
  450: "4.2.1 Mailbox temporarily unavailable",
  451: "4.3.0 Local error in processing, try again later",
  452: "4.3.1 Insufficient system storage",
  550: "5.1.1 Mailbox unavailable",
  551: "5.1.6 User not local",
  552: "5.3.4 Message size exceeds fixed limit",
  553: "5.1.3 Mailbox name not allowed",
  554: "5.7.1 Transaction failed",
};

/**
 * The operator's outbound SMTP relay, on loopback: accepts what the gateway's nodemailer transport
 * sends, keeps each mail parsed, and refuses or drops on request. Plain TCP, no STARTTLS.
 */
export class MailRelaySink {
  /** Every accepted mail, in order. Refused and dropped ones are not here. */
  readonly received: ReceivedMail[] = [];

  readonly #opts: MailRelaySinkOptions;
  readonly #name: string;
  readonly #faults: Record<FaultStage, SmtpFault[]> = { rcpt: [], data: [] };
  readonly #drops: Record<DropStage, number> = { connect: 0, data: 0 };
  readonly #recipientRules = new Map<string, SmtpFault>();
  readonly #listeners = new Set<(m: ReceivedMail) => void>();
  readonly #sockets = new Map<string, Socket>();
  #server: SMTPServer | undefined;
  #stopped = false;
  #seq = 0;

  constructor(opts: MailRelaySinkOptions = {}) {
    if ((opts.user === undefined) !== (opts.password === undefined)) {
      throw new Error("MailRelaySink: give both user and password, or neither");
    }
    this.#opts = opts;
    this.#name = opts.name ?? "relay.sim.test";
  }

  /** Listen on 127.0.0.1 (`port` 0: any free port). A sink starts once; make a new one after stop(). */
  async start(port = 0, host = "127.0.0.1"): Promise<SinkAddress> {
    if (this.#server || this.#stopped) throw new Error("MailRelaySink can be started only once");
    const auth = this.#opts.user !== undefined;
    const server = new SMTPServer({
      name: this.#name,
      secure: false,
      disabledCommands: auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      authOptional: !auth,
      size: this.#opts.size,
      logger: false,
      disableReverseLookup: true,
      closeTimeout: 100,
      onAuth: (a, _session, cb) => {
        if (this.#checkAuth(a.username, a.password)) return cb(null, { user: a.username });
        cb(null, { message: "5.7.8 Authentication credentials invalid", responseCode: 535 });
      },
      onConnect: (session, cb) => {
        if (this.#drops.connect > 0) {
          this.#drops.connect--;
          this.#socketOf(session)?.destroy();
          return cb(new Error("dropped"));
        }
        cb();
      },
      onRcptTo: (address, _session, cb) => {
        const rule = this.#recipientRules.get(address.address.toLowerCase());
        const fault = rule ?? this.#faults.rcpt.shift();
        cb(fault ? smtpError(fault) : null);
      },
      onData: (stream, session, cb) => void this.#onData(stream, session, cb),
    });
    // Track sockets ourselves: to cut one on request, and so stop() need not wait for idle clients.
    server.server.on("connection", (socket: Socket) => {
      const key = socketKey(socket.remoteAddress, socket.remotePort);
      this.#sockets.set(key, socket);
      socket.once("close", () => this.#sockets.delete(key));
    });
    server.on("error", () => {}); // client-side socket errors; a listen error is reported below
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(port, host, () => {
        server.server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    const addr = server.server.address() as AddressInfo;
    const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    const cred = auth
      ? `${encodeURIComponent(this.#opts.user ?? "")}:${encodeURIComponent(this.#opts.password ?? "")}@`
      : "";
    return { host: addr.address, port: addr.port, url: `smtp://${cred}${shown}:${addr.port}` };
  }

  /** Close the listener and every open session at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets.values()) socket.destroy();
    await closed;
  }

  /** The next `count` RCPT TO commands (or, with `at: "data"`, message data) are refused with this fault. */
  rejectNext(count: number, fault: SmtpFault & { at?: FaultStage }): void {
    const { at = "rcpt", ...rest } = fault;
    for (let i = 0; i < count; i++) this.#faults[at].push({ ...rest });
  }

  /** Every RCPT TO for `address` (case-insensitive) is refused with this fault until cleared. */
  rejectRecipient(address: string, fault: SmtpFault): void {
    this.#recipientRules.set(address.toLowerCase(), { ...fault });
  }

  clearRecipient(address: string): void {
    this.#recipientRules.delete(address.toLowerCase());
  }

  /**
   * The next `count` sessions reaching `at` lose their connection with no reply: `data` (default) after
   * the whole message arrived (the client cannot know whether it was taken; it is not kept),
   * `connect` before the greeting.
   */
  dropConnectionNext(count: number, at: DropStage = "data"): void {
    this.#drops[at] += count;
  }

  /** Forget pending faults, recipient rules and drops. */
  clearFaults(): void {
    this.#faults.rcpt.length = 0;
    this.#faults.data.length = 0;
    this.#drops.connect = this.#drops.data = 0;
    this.#recipientRules.clear();
  }

  /** Call `listener` for each mail accepted from now on; returns the unsubscribe function. */
  onMail(listener: (m: ReceivedMail) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first received mail (already here or arriving within `timeoutMs`) matching `pred`. */
  waitFor(pred: (m: ReceivedMail) => boolean, timeoutMs = 2_000): Promise<ReceivedMail> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const off = this.onMail((m) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        off();
        resolve(m);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`waitFor: no matching mail within ${timeoutMs} ms (${this.received.length} received)`));
      }, timeoutMs);
    });
  }

  /**
   * A raw RFC 3464 DSN for a mail this sink received (looked up by Message-ID, brackets optional),
   * its headers returned as text/rfc822-headers. Deliver it with an empty envelope sender, e.g.
   * `sendRawMail(gateway, { from: "", to: [opts.to] }, dsn)`. Throws when no such mail was received.
   */
  bounce(originalMessageId: string, opts: BounceOptions): string {
    const want = bare(originalMessageId);
    const original = this.received.find((m) => m.messageId !== undefined && bare(m.messageId) === want);
    if (!original) throw new Error(`bounce: no received mail has Message-ID <${want}>`);
    return buildDsn({
      ...opts,
      reportingMta: this.#name,
      originalHeaders: original.rawHeaders,
      arrivalDate: original.receivedAt,
    });
  }

  async #onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    cb: (err?: Error | null, message?: string) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch (err) {
      return cb(err as Error);
    }
    if (this.#drops.data > 0) {
      this.#drops.data--;
      this.#socketOf(session)?.destroy();
      return cb(new Error("dropped"));
    }
    if (stream.sizeExceeded) {
      return cb(smtpError({ code: 552, message: `5.3.4 Message size exceeds fixed limit ${this.#opts.size}` }));
    }
    const fault = this.#faults.data.shift();
    if (fault) return cb(smtpError(fault));

    const id = `Q${String(++this.#seq).padStart(6, "0")}`;
    const mailFrom = session.envelope.mailFrom;
    const mail = await toReceivedMail(Buffer.concat(chunks), {
      id,
      envelope: { from: mailFrom ? mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address) },
      authUser: typeof session.user === "string" ? session.user : null,
      receivedAt: new Date(),
    });
    if (this.#stopped) return cb(smtpError({ code: 421 }));
    this.received.push(mail);
    for (const listener of [...this.#listeners]) listener(mail);
    cb(null, `2.0.0 OK: queued as ${id}`);
  }

  #checkAuth(user: string | undefined, pass: string | null | undefined): boolean {
    const want = `${this.#opts.user ?? ""}\0${this.#opts.password ?? ""}`;
    const got = `${user ?? ""}\0${pass ?? ""}`;
    const a = Buffer.from(want);
    const b = Buffer.from(got);
    return this.#opts.user !== undefined && a.length === b.length && timingSafeEqual(a, b);
  }

  #socketOf(session: SMTPServerSession): Socket | undefined {
    return this.#sockets.get(socketKey(session.remoteAddress, session.remotePort));
  }
}

function smtpError(fault: SmtpFault): Error {
  const err = new Error(fault.message ?? DEFAULT_TEXT[fault.code] ?? "Refused") as Error & { responseCode: number };
  err.responseCode = fault.code;
  return err;
}

function socketKey(address: string | undefined, port: number | undefined): string {
  return `${(address ?? "").replace(/^::ffff:/, "")}|${port ?? 0}`;
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, "");
