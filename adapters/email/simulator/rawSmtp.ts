// A hand-driven SMTP client for input no well-behaved library would send: the message bytes go out
// as given (malformed MIME, huge header lines, bad encodings), and every reply is reported.
import net from "node:net";
import type { RawSmtpOutcome, RecipientRejection, SmtpReply, SmtpStage, SmtpTarget } from "./types.ts";

export interface RawSendOptions {
  /** EHLO name. Default `mx.outside.test`. */
  ehloName?: string;
  /** Wait for each reply at most this long, in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * `crlf` (default) turns every bare CR or LF of the message into CRLF, as SMTP requires;
   * `verbatim` leaves them (to test bare-LF handling). Dot-stuffing is applied either way.
   */
  lineEndings?: "crlf" | "verbatim";
  /** Extra MAIL FROM parameters, e.g. `SIZE=123`. BODY=8BITMIME and SMTPUTF8 are added when needed and offered. */
  mailParams?: string[];
}

/** The server stopped answering (closed, reset, timed out) before the transaction was decided. */
export class SmtpDialogueError extends Error {
  constructor(
    message: string,
    readonly stage: SmtpStage | "quit",
    readonly replies: SmtpReply[],
  ) {
    super(message);
    this.name = "SmtpDialogueError";
  }
}

interface Reply {
  code: number;
  text: string;
  /** The reply lines as sent, code included, joined by \n. */
  response: string;
}

/**
 * Run EHLO, MAIL FROM, RCPT TO (each), DATA, the dot-stuffed message, QUIT. A refusal at any
 * step ends the dialogue and resolves with that reply; throws SmtpDialogueError when the server
 * goes away without deciding.
 */
export async function sendRawMail(
  target: SmtpTarget,
  envelope: { from: string; to: string[] },
  raw: string | Buffer,
  opts: RawSendOptions = {},
): Promise<RawSmtpOutcome> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const data = encodeData(raw, opts.lineEndings ?? "crlf");
  const socket = await connect(target, timeoutMs);
  const reader = new ReplyReader(socket);
  const replies: SmtpReply[] = [];

  const ask = async (stage: SmtpStage | "quit", command: string | null): Promise<Reply> => {
    if (command !== null) socket.write(`${command}\r\n`);
    try {
      const r = await reader.next(timeoutMs);
      replies.push({ stage, code: r.code, text: r.text });
      return r;
    } catch (err) {
      throw new SmtpDialogueError(`${stage}: ${(err as Error).message}`, stage, replies);
    }
  };
  const accepted: string[] = [];
  const rejectedErrors: RecipientRejection[] = [];
  const end = async (stage: SmtpStage, r: Reply, delivered: boolean): Promise<RawSmtpOutcome> => {
    // After a 421 the server has closed; otherwise say goodbye, ignoring whatever happens.
    if (r.code !== 421 && !socket.destroyed) await ask("quit", "QUIT").catch(() => undefined);
    return {
      accepted: delivered ? accepted : [],
      rejected: delivered ? rejectedErrors.map((e) => e.recipient) : [...envelope.to],
      code: r.code,
      response: r.response,
      stage,
      rejectedErrors,
      replies,
    };
  };
  const ok = (r: Reply) => r.code >= 200 && r.code < 300;

  try {
    const greeting = await ask("greeting", null);
    if (!ok(greeting)) return await end("greeting", greeting, false);
    const name = opts.ehloName ?? "mx.outside.test";
    let ehlo = await ask("ehlo", `EHLO ${name}`);
    if (ehlo.code === 500 || ehlo.code === 502) ehlo = await ask("ehlo", `HELO ${name}`);
    if (!ok(ehlo)) return await end("ehlo", ehlo, false);
    const offered = new Set(ehlo.text.split("\n").slice(1).map((l) => (l.split(" ")[0] ?? "").toUpperCase()));

    const params = [...(opts.mailParams ?? [])];
    if (offered.has("8BITMIME") && /[\x80-\xff]/.test(data.toString("latin1"))) params.push("BODY=8BITMIME");
    if (offered.has("SMTPUTF8") && [envelope.from, ...envelope.to].some((a) => /[^\x00-\x7f]/.test(a))) {
      params.push("SMTPUTF8");
    }
    const mail = await ask("mail", `MAIL FROM:<${envelope.from}>${params.map((p) => ` ${p}`).join("")}`);
    if (!ok(mail)) return await end("mail", mail, false);

    let lastRcpt: Reply | undefined;
    for (const to of envelope.to) {
      const r = await ask("rcpt", `RCPT TO:<${to}>`);
      lastRcpt = r;
      if (ok(r)) accepted.push(to);
      else rejectedErrors.push({ recipient: to, code: r.code, response: r.response });
      if (r.code === 421) return await end("rcpt", r, false);
    }
    if (accepted.length === 0 || !lastRcpt) {
      // Like nodemailer: a temporary refusal decides over a permanent one (the mail may yet go).
      const decisive = rejectedErrors.find((e) => e.code < 500) ?? rejectedErrors[rejectedErrors.length - 1];
      const r = decisive ? toReply(decisive.response) : { code: 0, text: "no recipients", response: "no recipients" };
      return await end("rcpt", r, false);
    }

    const dataReply = await ask("data", "DATA");
    if (dataReply.code !== 354) return await end("data", dataReply, false);
    socket.write(data);
    const final = await ask("message", null);
    return await end("message", final, ok(final));
  } finally {
    socket.destroy();
  }
}

/** CRLF line ends (unless verbatim), dot-stuffing, and the terminating `.` line. Binary-safe. */
export function encodeData(raw: string | Buffer, lineEndings: "crlf" | "verbatim"): Buffer {
  let s = (typeof raw === "string" ? Buffer.from(raw, "utf8") : raw).toString("latin1");
  if (lineEndings === "crlf") s = s.replace(/\r\n|\r|\n/g, "\r\n");
  s = s.replace(/(^|\r\n)\./g, "$1..");
  if (s !== "" && !s.endsWith("\r\n")) s += "\r\n";
  return Buffer.from(`${s}.\r\n`, "latin1");
}

function connect(target: SmtpTarget, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target.port, target.host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${target.host}:${target.port} timed out`));
    }, timeoutMs);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

function toReply(response: string): Reply {
  const lines = response.split("\n");
  return { code: Number(response.slice(0, 3)) || 0, text: lines.map((l) => l.slice(4)).join("\n"), response };
}

/** Splits the server's byte stream into replies (multi-line ones joined). */
class ReplyReader {
  #buf = "";
  #lines: string[] = [];
  readonly #ready: Reply[] = [];
  #ended: Error | undefined;
  #waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;

  constructor(socket: net.Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => this.#push(chunk));
    socket.on("error", (err) => this.#end(err));
    socket.on("close", () => this.#end(new Error("connection closed by server")));
  }

  next(timeoutMs: number): Promise<Reply> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = { resolve, reject, timer };
    });
  }

  #push(chunk: string): void {
    this.#buf += chunk;
    for (let i = this.#buf.indexOf("\n"); i >= 0; i = this.#buf.indexOf("\n")) {
      const line = this.#buf.slice(0, i).replace(/\r$/, "");
      this.#buf = this.#buf.slice(i + 1);
      this.#lines.push(line);
      if (line[3] === "-") continue; // more lines of this reply follow
      const response = this.#lines.join("\n");
      this.#lines = [];
      this.#deliver(toReply(response));
    }
  }

  #deliver(r: Reply): void {
    const w = this.#waiter;
    if (!w) return void this.#ready.push(r);
    this.#waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(r);
  }

  #end(err: Error): void {
    this.#ended ??= err;
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = undefined;
    clearTimeout(w.timer);
    w.reject(this.#ended);
  }
}
