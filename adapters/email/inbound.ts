// Our SMTP listener (behind the operator's MX): takes mail for registered addresses only, and
// answers 250 only once the core has committed what the mail carried.
//
// Plain SMTP without AUTH or STARTTLS: it receives from the MX in front, which terminates TLS
// and checks SPF/DKIM/DMARC (the From header is believed as it arrives here).
//
// Malformed mail: mailparser recovers what it can, and whatever it recovers is delivered. Only
// bytes it cannot read at all are refused, with 554 5.6.0, so the sender gets a bounce instead of
// silence; the listener itself never fails on content.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import type { AdapterHost, IncomingMessage } from "../../src/core/adapter.ts";
import { normalizeAddress } from "./addresses.ts";
import { inboundKey } from "./ids.ts";
import { type MailContent, parseMail } from "./parseMail.ts";

const RETRY_LISTEN_MS = 5_000;
// After stop(), sessions in the middle of a mail get this long to finish before they are cut
// (a cut one gets no 250, so its sender retries and the core's dedup drops the repeat).
const CLOSE_GRACE_MS = 2_000;

export interface InboundConfig {
  addressDomain: string;
  listenAddress: { host: string; port: number };
  maxMessageBytes: number;
  hostname: string;
}

/** An SMTP reply for smtp-server: its code and text (enhanced status included in the text). */
function reply(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

export class EmailInbound {
  readonly #config: InboundConfig;
  #host: AdapterHost | undefined;
  #server: SMTPServer | undefined;
  #address: { host: string; port: number } | undefined;
  #listenProblem: string | undefined;
  #retry: NodeJS.Timeout | undefined;

  constructor(config: InboundConfig) {
    this.#config = config;
  }

  /**
   * Starts listening. A failure to bind (port taken) does not fail the gateway: it is logged,
   * shown by health(), and retried every few seconds.
   */
  async start(host: AdapterHost): Promise<void> {
    this.#host = host;
    await this.#listen(host);
  }

  /** Where the listener is bound (the real port when configured with port 0). */
  get address(): { host: string; port: number } | undefined {
    return this.#address;
  }

  health(): { ok: boolean; detail?: string } {
    if (this.#address) return { ok: true };
    return { ok: false, detail: `the inbound SMTP listener is not running: ${this.#listenProblem ?? "not started"}` };
  }

  async stop(): Promise<void> {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#host = undefined;
    this.#address = undefined;
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #listen(host: AdapterHost): Promise<void> {
    const { host: bindHost, port } = this.#config.listenAddress;
    const server = this.#createServer(host);
    try {
      await new Promise<void>((resolve, reject) => {
        server.server.once("error", reject);
        server.listen(port, bindHost, () => {
          server.server.off("error", reject);
          resolve();
        });
      });
    } catch (err) {
      this.#listenProblem = (err as Error).message;
      host.log.error({ err, listen: `${bindHost}:${port}` }, "the inbound SMTP listener could not start; retrying");
      this.#retry = setTimeout(() => {
        if (this.#host === host) void this.#listen(host);
      }, RETRY_LISTEN_MS);
      this.#retry.unref();
      return;
    }
    if (this.#host !== host) {
      // stopped while binding
      server.close(() => undefined);
      return;
    }
    this.#server = server;
    const addr = server.server.address() as AddressInfo;
    this.#address = { host: addr.address, port: addr.port };
    this.#listenProblem = undefined;
    host.log.info({ listen: `${addr.address}:${addr.port}` }, "inbound SMTP listener started");
  }

  #createServer(host: AdapterHost): SMTPServer {
    const server = new SMTPServer({
      name: this.#config.hostname,
      banner: "Switchboard mail gateway",
      secure: false,
      disabledCommands: ["AUTH", "STARTTLS"],
      authOptional: true,
      size: this.#config.maxMessageBytes,
      logger: false,
      disableReverseLookup: true,
      closeTimeout: CLOSE_GRACE_MS,
      onRcptTo: (address, session, cb) => {
        this.#recipient(host, address, session).then(
          () => cb(),
          (err: Error) => cb(err),
        );
      },
      onData: (stream, session, cb) => {
        this.#data(host, stream, session).then(
          (text) => cb(null, text),
          (err: Error) => cb(err),
        );
      },
    });
    // Client sockets that reset or time out: not our failures, and unhandled they would crash us.
    server.on("error", (err) => host.log.debug({ err }, "inbound SMTP session error"));
    return server;
  }

  /** RCPT TO: only addresses somebody registered (unknown ones are refused now, not bounced later). */
  async #recipient(host: AdapterHost, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const rcpt = address.address.toLowerCase();
    const domain = rcpt.slice(rcpt.lastIndexOf("@") + 1);
    if (domain !== this.#config.addressDomain) {
      throw reply(550, `5.7.1 <${address.address}>: this server only takes mail for ${this.#config.addressDomain}`);
    }
    let account;
    try {
      account = await host.findAccount(rcpt);
    } catch (err) {
      host.log.error({ err }, "could not look up an inbound mail's recipient; the sender will retry");
      throw reply(451, "4.3.0 Temporary lookup failure, try again later");
    }
    if (!account) {
      host.log.info({ sessionId: session.id }, "refused mail for an address nobody registered");
      throw reply(550, `5.1.1 <${address.address}>: no such user here`);
    }
  }

  /** After the message data: parse, hand over to the core, and only then say 250. */
  async #data(host: AdapterHost, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const max = this.#config.maxMessageBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    // Read to the end even when too big (smtp-server replies only once the stream has ended),
    // keeping nothing past the limit.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    }
    if (stream.sizeExceeded || size > max) {
      host.log.info({ sessionId: session.id, size, max }, "refused an oversized inbound mail");
      throw reply(552, `5.3.4 Message too big: the limit is ${max} bytes`);
    }
    const raw = Buffer.concat(chunks);
    const recipients = [...new Set(session.envelope.rcptTo.map((r) => r.address.toLowerCase()))];

    let parsed;
    try {
      parsed = await parseMail(raw, this.#config.addressDomain);
    } catch (err) {
      host.log.warn({ err, sessionId: session.id, size }, "refused an inbound mail that could not be parsed");
      throw reply(554, "5.6.0 The message could not be parsed");
    }

    if (parsed.kind === "dsn") {
      if ("ignored" in parsed) {
        host.log.info({ sessionId: session.id, reason: parsed.ignored }, "ignored a delivery report");
        return "2.0.0 OK: report received";
      }
      await this.#commit(host, () => host.sink.report(parsed.report));
      host.log.info({ state: parsed.report.state }, "delivery report from a bounce");
      return "2.0.0 OK: report received";
    }

    const from = parsed.from ?? normalizeAddress(session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined);
    if (from === undefined) {
      host.log.info({ sessionId: session.id }, "refused an inbound mail without a usable sender address");
      throw reply(550, "5.1.7 The message has no valid sender address (From)");
    }
    const results: string[] = [];
    for (const account of recipients) {
      const msg = toIncoming(parsed, account, from);
      results.push(await this.#commit(host, () => host.sink.message(msg)));
    }
    host.log.info({ recipients: recipients.length, attachments: parsed.attachments.length, size, results }, "inbound mail");
    host.log.debug({ messageId: parsed.messageId }, "inbound mail id");
    return "2.0.0 OK: message accepted";
  }

  /** The core committing, or a 451 so the sending server keeps the mail and tries again. */
  async #commit<T>(host: AdapterHost, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      host.log.error({ err }, "the gateway could not store an inbound mail; the sender will retry");
      throw reply(451, "4.3.0 Could not store the message now, try again later");
    }
  }
}

function toIncoming(mail: MailContent, account: string, from: string): IncomingMessage {
  const msg: IncomingMessage = {
    key: inboundKey(account, mail.messageId),
    account,
    from,
    body: mail.body,
    mediaUrls: [],
    attachments: mail.attachments,
    networkId: mail.messageId,
    thread: mail.thread,
  };
  if (mail.fromName !== undefined) msg.fromName = mail.fromName;
  if (mail.subject !== undefined) msg.subject = mail.subject;
  if (mail.replyTo !== undefined) msg.replyTo = mail.replyTo;
  if (mail.sentAt !== undefined) msg.sentAt = mail.sentAt;
  return msg;
}
