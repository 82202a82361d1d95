// A TCP proxy between the gateway's SMTP client and the relay simulator that follows the SMTP
// dialogue: at each MAIL FROM a policy picks a fault for the transaction (set in the relay
// simulator before the command reaches it: 451 at RCPT or after the data, a dropped connection
// after the data), or decides to lose or hold back the relay's final "250" — the relay has taken
// the mail, the gateway never learns it (RFC 1047's duplicate window).
import net, { type AddressInfo, type Socket } from "node:net";
import { outboundMarker } from "../types.ts";

export type SmtpVerdict<L extends string = string> =
  | { kind: "pass" }
  | { kind: "inject"; label: L; apply: () => void }
  | { kind: "lose-250"; label: L }
  | { kind: "hold-250"; label: L; maxMs: number; onHeld?: (marker: string | undefined) => void };

export interface SmtpTransaction {
  startedAt: number;
  verdict: SmtpVerdict;
  /** The first message marker found in the data. */
  marker: string | undefined;
  /** Final reply codes seen after MAIL FROM, in order. */
  codes: number[];
  /** The reply to the end of the data (the relay's verdict on the mail); "none" when it never came. */
  finalCode: number | "none";
  finalAt: number | undefined;
  /** That reply was passed on to the gateway. */
  reachedClient: boolean;
  cut: "lost" | "held" | "client-gone" | "upstream-closed" | undefined;
}

export interface SmtpPolicy {
  decide(): SmtpVerdict;
  done(tx: SmtpTransaction): void;
}

const TERMINATOR = Buffer.from("\r\n.\r\n");

class Session {
  #clientLine = "";
  #serverLine = "";
  #dataMode = false;
  #data: Buffer[] = [];
  #dataLength = 0;
  #awaitingFinal = false;
  #holding = false;
  #tx: SmtpTransaction | undefined;
  #txDone = true;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly policy: SmtpPolicy,
  ) {
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (c: Buffer) => this.#fromClient(c));
    upstream.on("data", (c: Buffer) => this.#fromServer(c));
    client.on("error", () => {});
    upstream.on("error", () => {});
    client.on("close", () => {
      this.#finish(this.#holding ? "held" : "client-gone");
      clearTimeout(this.#timer);
      upstream.destroy();
    });
    upstream.on("close", () => {
      this.#finish("upstream-closed");
      if (!this.#holding) client.destroy();
    });
  }

  #fromClient(chunk: Buffer): void {
    if (this.#holding) return;
    let rest: Buffer = chunk;
    if (this.#dataMode) {
      const prev = this.#dataLength;
      this.#data.push(chunk);
      this.#dataLength += chunk.length;
      const all = Buffer.concat(this.#data);
      const at = all.indexOf(TERMINATOR, Math.max(0, prev - TERMINATOR.length));
      if (at === -1) rest = Buffer.alloc(0);
      else {
        this.#dataMode = false;
        this.#awaitingFinal = true;
        if (this.#tx) this.#tx.marker = outboundMarker(all.subarray(0, at).toString("utf8"), "email");
        rest = all.subarray(at + TERMINATOR.length);
        this.#data = [];
        this.#dataLength = 0;
      }
    }
    if (rest.length > 0) {
      this.#clientLine += rest.toString("latin1");
      let nl: number;
      while ((nl = this.#clientLine.indexOf("\r\n")) !== -1) {
        const line = this.#clientLine.slice(0, nl);
        this.#clientLine = this.#clientLine.slice(nl + 2);
        if (/^MAIL FROM:/i.test(line)) this.#begin();
      }
    }
    this.upstream.write(chunk);
  }

  #begin(): void {
    this.#finish(undefined);
    const verdict = this.policy.decide();
    if (verdict.kind === "inject") verdict.apply();
    this.#tx = { startedAt: Date.now(), verdict, marker: undefined, codes: [], finalCode: "none", finalAt: undefined, reachedClient: false, cut: undefined };
    this.#txDone = false;
  }

  #fromServer(chunk: Buffer): void {
    if (this.#holding) return;
    this.#serverLine += chunk.toString("latin1");
    let nl: number;
    while ((nl = this.#serverLine.indexOf("\r\n")) !== -1) {
      const line = this.#serverLine.slice(0, nl);
      this.#serverLine = this.#serverLine.slice(nl + 2);
      if (!this.#reply(line)) return;
      this.client.write(`${line}\r\n`, "latin1");
    }
  }

  /** Looks at one reply line; false when it must not be passed on (and the session is cut or held). */
  #reply(line: string): boolean {
    const code = Number(line.slice(0, 3));
    if (line[3] === "-" || !Number.isInteger(code)) return true;
    if (code === 354) {
      this.#dataMode = true;
      return true;
    }
    const tx = this.#tx;
    if (!tx || this.#txDone) return true;
    tx.codes.push(code);
    if (!this.#awaitingFinal) return true;
    this.#awaitingFinal = false;
    tx.finalCode = code;
    tx.finalAt = Date.now();
    if (code === 250 && tx.verdict.kind === "lose-250") {
      tx.cut = "lost";
      this.#finish("lost");
      this.client.destroy();
      this.upstream.destroy();
      return false;
    }
    if (code === 250 && tx.verdict.kind === "hold-250") {
      tx.cut = "held";
      this.#holding = true;
      tx.verdict.onHeld?.(tx.marker);
      this.#timer = setTimeout(() => this.client.destroy(), tx.verdict.maxMs);
      return false;
    }
    tx.reachedClient = true;
    this.#finish(undefined);
    return true;
  }

  #finish(cut: SmtpTransaction["cut"]): void {
    const tx = this.#tx;
    if (!tx || this.#txDone) return;
    this.#txDone = true;
    if (tx.cut === undefined && cut !== undefined && !tx.reachedClient) tx.cut = cut;
    this.policy.done(tx);
  }
}

export class SmtpFaultProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    policy: SmtpPolicy,
  ) {
    this.#server = net.createServer((client) => {
      const up = net.connect(this.upstream.port, this.upstream.host);
      for (const s of [client, up]) {
        this.#sockets.add(s);
        s.once("close", () => this.#sockets.delete(s));
      }
      new Session(client, up, policy);
    });
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this.#port;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}
