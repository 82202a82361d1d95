// A bare c2s connection over TCP: stream, SASL PLAIN, resource binding — then any bytes at all.
// @xmpp/client would refuse to build most of what the fuzzer sends, and would reconnect on its
// own when the server closes the stream; this one just reports what happened.
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import { EventEmitter } from "node:events";
import xml, { type Element } from "@xmpp/xml";
import { escAttr, escText } from "./tree.ts";

export interface RawClientOptions {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  resource: string;
  /** Send initial presence after binding (default true). */
  presence?: boolean;
  timeoutMs?: number;
}

export interface CloseInfo {
  /** The stream error condition, if the server sent one. */
  streamError: string | undefined;
  streamErrorText: string | undefined;
  /** Whether the server sent </stream:stream> or closed the socket. */
  how: "stream-error" | "stream-end" | "socket-close" | "socket-error" | "local";
}

const NS_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";

export function streamHeader(domain: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;
}

export class RawClient extends EventEmitter {
  readonly socket: net.Socket;
  jid = "";
  closed: CloseInfo | undefined;
  bytesSent = 0;
  #parser: InstanceType<typeof xml.Parser>;
  #decoder = new StringDecoder("utf8");
  #streamError: { condition: string; text: string | undefined } | undefined;

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    this.#parser = this.#newParser();
    socket.on("data", (chunk: Buffer) => this.#parser.write(this.#decoder.write(chunk)));
    socket.on("error", () => this.#markClosed("socket-error"));
    socket.on("close", () => this.#markClosed(this.#streamError ? "stream-error" : "socket-close"));
  }

  /** Connects and logs in; rejects if that takes longer than timeoutMs (default 5 s). */
  static async connect(o: RawClientOptions): Promise<RawClient> {
    const socket = net.connect({ host: o.host, port: o.port });
    socket.setNoDelay(true);
    const c = new RawClient(socket);
    const timeoutMs = o.timeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.#login(o),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`raw login of ${o.username} timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  get open(): boolean {
    return this.closed === undefined && !this.socket.destroyed;
  }

  /** Writes raw bytes; returns a promise that resolves once the kernel took them (or the socket died). */
  sendRaw(data: string | Buffer): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.bytesSent += typeof data === "string" ? Buffer.byteLength(data) : data.length;
    return new Promise((resolve) => {
      const flushed = this.socket.write(data, () => resolve());
      if (!flushed) this.socket.once("drain", () => resolve());
    });
  }

  /** Waits until the connection closes, or ms pass; returns whether it closed. */
  waitClosed(ms: number): Promise<boolean> {
    if (!this.open) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off("closed", onClose);
        resolve(false);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once("closed", onClose);
    });
  }

  close(): void {
    if (this.open) {
      this.socket.end("</stream:stream>");
      this.#markClosed("local");
    }
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  #newParser(): InstanceType<typeof xml.Parser> {
    const parser = new xml.Parser();
    parser.on("element", (el: Element) => {
      if (el.name === "stream:error") {
        const cond = el.getChildElements().find((c) => c.attrs.xmlns === NS_STREAMS && c.name !== "text");
        this.#streamError = { condition: cond?.name ?? "unknown", text: el.getChildText("text", NS_STREAMS) ?? undefined };
        return;
      }
      this.emit("element", el);
      if (el.name === "iq" && (el.attrs.type === "get" || el.attrs.type === "set")) this.#answerServerIq(el);
    });
    parser.on("end", () => this.#markClosed(this.#streamError ? "stream-error" : "stream-end"));
    parser.on("error", () => this.#markClosed("socket-error"));
    return parser;
  }

  /** Roster pushes get a result, anything else service-unavailable: a polite client. */
  #answerServerIq(el: Element): void {
    const isRosterPush = el.attrs.type === "set" && el.getChild("query", "jabber:iq:roster") !== undefined;
    const reply = isRosterPush
      ? `<iq type='result' id='${escAttr(el.attrs.id ?? "")}'/>`
      : `<iq type='error' id='${escAttr(el.attrs.id ?? "")}'${el.attrs.from ? ` to='${escAttr(el.attrs.from)}'` : ""}><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
    void this.sendRaw(reply);
  }

  #markClosed(how: CloseInfo["how"]): void {
    if (this.closed) return;
    this.closed = { how, streamError: this.#streamError?.condition, streamErrorText: this.#streamError?.text };
    this.emit("closed", this.closed);
    this.socket.destroy();
  }

  #next(pred: (el: Element) => boolean, what: string): Promise<Element> {
    return new Promise((resolve, reject) => {
      const onEl = (el: Element) => {
        if (!pred(el)) return;
        cleanup();
        resolve(el);
      };
      const onClose = (info: CloseInfo) => {
        cleanup();
        reject(new Error(`stream closed (${info.how} ${info.streamError ?? ""}) while waiting for ${what}`));
      };
      const cleanup = () => {
        this.off("element", onEl);
        this.off("closed", onClose);
      };
      this.on("element", onEl);
      this.on("closed", onClose);
    });
  }

  async #login(o: RawClientOptions): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    let features = this.#next((el) => el.name === "stream:features", "stream features");
    await this.sendRaw(streamHeader(o.domain));
    await features;
    const outcome = this.#next((el) => el.name === "success" || el.name === "failure", "SASL outcome");
    const plain = Buffer.from(`\0${o.username}\0${o.password}`).toString("base64");
    await this.sendRaw(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plain}</auth>`);
    const result = await outcome;
    if (result.name !== "success") throw new Error(`SASL PLAIN refused for ${o.username}`);
    // Stream restart: a new parser for the new stream.
    this.#parser = this.#newParser();
    features = this.#next((el) => el.name === "stream:features", "post-auth stream features");
    await this.sendRaw(streamHeader(o.domain));
    await features;
    const bound = this.#next((el) => el.name === "iq" && el.attrs.id === "bind1", "bind result");
    await this.sendRaw(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${escText(o.resource)}</resource></bind></iq>`);
    const bind = await bound;
    const jid = bind.getChild("bind")?.getChildText("jid");
    if (bind.attrs.type !== "result" || !jid) throw new Error(`resource binding failed: ${bind.toString()}`);
    this.jid = jid;
    if (o.presence !== false) {
      const pong = this.#next((el) => el.name === "iq" && el.attrs.id === "barrier1", "presence barrier");
      await this.sendRaw(`<presence/><iq type='get' id='barrier1'><ping xmlns='urn:xmpp:ping'/></iq>`);
      await pong;
    }
  }
}
