// A lean SMTP client for load: a few sessions held open, each sending mail after mail (MAIL FROM,
// RCPT TO and DATA pipelined when the server offers PIPELINING, then the message), so a mail costs
// two round trips and a couple of socket writes, not a connection and a MIME build like a
// nodemailer sendMail. Mails wait in one queue and go out on whichever session is free.
import net from "node:net";

export interface PoolMail {
  from: string;
  to: string;
  /** The message as SMTP data: CRLF line ends, dot-stuffed, ending with CRLF.CRLF (encodeData). */
  data: Buffer;
  /** Called when the mail's first command is written: where its latency starts. */
  onStart(): void;
}

interface Reply {
  code: number;
  text: string;
}

export class SmtpPool {
  private readonly queue: PoolMail[] = [];
  private readonly idle: Session[] = [];
  private readonly sessions: Session[] = [];
  private closed = false;

  /** Opens `size` sessions in the background; `report` hears the first thing that goes wrong. */
  constructor(
    target: { host: string; port: number },
    size: number,
    private readonly report: (problem: string) => void,
  ) {
    for (let i = 0; i < size; i++) {
      Session.open(target, "mx.outside.test").then(
        (s) => {
          if (this.closed) return s.quit();
          this.sessions.push(s);
          this.release(s);
        },
        (err: unknown) => report(`could not open an SMTP session to the gateway: ${(err as Error).message}`),
      );
    }
  }

  send(mail: PoolMail): void {
    this.queue.push(mail);
    const s = this.idle.pop();
    if (s) this.run(s);
  }

  /** Says QUIT on every session; mails still queued are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const s of this.sessions) s.quit();
  }

  private release(s: Session): void {
    if (this.closed) return;
    if (this.queue.length > 0) this.run(s);
    else this.idle.push(s);
  }

  private run(s: Session): void {
    const mail = this.queue.shift()!;
    s.deliver(mail).then(
      (problem) => {
        if (problem) this.report(problem);
        this.release(s);
      },
      (err: unknown) => {
        if (!this.closed) this.report(`SMTP session failed: ${(err as Error).message}`);
      },
    );
  }
}

class Session {
  private buf = "";
  private text: string[] = [];
  private readonly ready: Reply[] = [];
  private readonly waiters: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private ended: Error | undefined;
  private pipelining = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => this.push(chunk));
    socket.on("error", (err) => this.end(err));
    socket.on("close", () => this.end(new Error("connection closed by the server")));
  }

  static async open(target: { host: string; port: number }, name: string): Promise<Session> {
    const socket = net.connect(target.port, target.host);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const s = new Session(socket);
    const greeting = await s.next();
    if (greeting.code !== 220) throw new Error(`greeting: ${greeting.code} ${greeting.text}`);
    s.socket.write(`EHLO ${name}\r\n`);
    const ehlo = await s.next();
    if (ehlo.code !== 250) throw new Error(`EHLO: ${ehlo.code} ${ehlo.text}`);
    s.pipelining = ehlo.text.split("\n").some((l) => l.trim().toUpperCase() === "PIPELINING");
    return s;
  }

  /** One mail transaction; resolves with a problem description when the server refused it. */
  async deliver(m: PoolMail): Promise<string | undefined> {
    const commands = [`MAIL FROM:<${m.from}>\r\n`, `RCPT TO:<${m.to}>\r\n`, "DATA\r\n"];
    let replies: Reply[];
    if (this.pipelining) {
      this.socket.write(commands.join(""));
      m.onStart();
      replies = await Promise.all([this.next(), this.next(), this.next()]);
    } else {
      replies = [];
      for (const [i, c] of commands.entries()) {
        this.socket.write(c);
        if (i === 0) m.onStart();
        const r = await this.next();
        replies.push(r);
        if (r.code >= 400) break;
      }
    }
    const [mail, rcpt, data] = replies;
    if (mail?.code !== 250 || rcpt?.code !== 250 || data?.code !== 354) {
      // Whatever state the failed transaction left, RSET clears it.
      if (data?.code === 354) {
        this.socket.write(".\r\n");
        await this.next();
      }
      this.socket.write("RSET\r\n");
      await this.next();
      return `the gateway refused a mail: ${replies.map((r) => `${r.code} ${r.text}`).join(" / ")}`;
    }
    this.socket.write(m.data);
    const done = await this.next();
    return done.code === 250 ? undefined : `the gateway refused a mail after its data: ${done.code} ${done.text}`;
  }

  quit(): void {
    if (this.socket.destroyed) return;
    this.ended ??= new Error("session closed");
    this.socket.end("QUIT\r\n");
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  private next(): Promise<Reply> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf("\r\n")) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 2);
      this.text.push(line.slice(4));
      // "250-…" continues a reply, "250 …" (or a bare code) ends it.
      if (line.charAt(3) === "-") continue;
      const reply = { code: Number(line.slice(0, 3)) || 0, text: this.text.join("\n") };
      this.text = [];
      const w = this.waiters.shift();
      if (w) w.resolve(reply);
      else this.ready.push(reply);
    }
  }

  private end(err: Error): void {
    this.ended ??= err;
    for (const w of this.waiters.splice(0)) w.reject(this.ended);
  }
}
