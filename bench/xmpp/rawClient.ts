// A c2s client on a raw TCP socket: SASL PLAIN without TLS, resource bind, initial presence, no
// roster. Stanzas are written as pre-built strings, many per socket write, and incoming traffic is
// split with StanzaScanner, so one client costs far less CPU than the server routing its traffic.
import net from "node:net";
import { StanzaScanner, attr, type StanzaHandlers } from "./stanzaScanner.ts";

export interface RawClientOptions {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  timeoutMs?: number;
}

/** What the benchmark wants to hear about; every field may be replaced between runs. */
export interface ClientListener {
  /** A non-error message with a body. `t` is performance.now() at arrival. */
  body(body: string, from: string, t: number): void;
  /** A message of type error: the benchmark stops, naming it. */
  error(stanza: string): void;
  presence(openTag: string, t: number): void;
}

const NOOP: ClientListener = { body() {}, error() {}, presence() {} };

export class RawClient {
  readonly bare: string;
  jid = "";
  listener: ClientListener = NOOP;
  private readonly socket: net.Socket;
  private mode: "login" | "stanzas" = "login";
  private loginText = "";
  private loginWaiter: (() => void) | undefined;
  private readonly scanner: StanzaScanner;
  private readonly iqWaiters = new Map<string, (stanza: string) => void>();
  private closed = false;

  private constructor(
    private readonly opts: RawClientOptions,
    socket: net.Socket,
  ) {
    this.bare = `${opts.username}@${opts.domain}`;
    this.socket = socket;
    const handlers: StanzaHandlers = {
      message: (openTag, body, isError, stanza) => {
        if (isError) return this.listener.error(stanza);
        if (body !== null) this.listener.body(body, attr(openTag, "from") ?? "", performance.now());
      },
      presence: (openTag) => this.listener.presence(openTag, performance.now()),
      iq: (openTag, stanza) => {
        const id = attr(openTag, "id");
        const waiter = id === undefined ? undefined : this.iqWaiters.get(id);
        if (waiter && id !== undefined) {
          this.iqWaiters.delete(id);
          waiter(stanza);
        } else if (attr(openTag, "type") === "get") {
          // An unanswered get (ping, disco) would make the server think we are dead.
          const from = attr(openTag, "from");
          this.write(`<iq type='error' id='${id ?? ""}'${from ? ` to='${from}'` : ""}><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
        }
      },
      other: (text) => {
        if (text.startsWith("<stream:error")) process.stderr.write(`[bench] ${this.bare}: stream error ${text}\n`);
      },
    };
    this.scanner = new StanzaScanner(handlers);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      if (this.mode === "stanzas") return this.scanner.push(chunk);
      this.loginText += chunk;
      this.loginWaiter?.();
    });
    socket.on("error", (err) => {
      if (!this.closed) process.stderr.write(`[bench] ${this.bare}: socket error ${err.message}\n`);
    });
  }

  static async connect(opts: RawClientOptions): Promise<RawClient> {
    const socket = net.connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RawClient(opts, socket);
    await client.login();
    return client;
  }

  /** Writes stanzas (already serialised) in one socket write. */
  write(stanzas: string): void {
    this.socket.write(stanzas);
  }

  /** Sends an IQ carrying `id='…'` and resolves with the answer (result or error). */
  iq(stanza: string, id: string, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.iqWaiters.delete(id);
        reject(new Error(`${this.bare}: no answer to iq ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.iqWaiters.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.write(stanza);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.end("</stream:stream>");
    this.socket.destroySoon();
  }

  private async login(): Promise<void> {
    const { domain, username, password } = this.opts;
    const header = `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;
    this.socket.write(header);
    const features = await this.waitLogin((t) => t.includes("</stream:features>"));
    if (!features.includes(">PLAIN<")) throw new Error(`${this.bare}: the server does not offer SASL PLAIN without TLS`);
    const token = Buffer.from(`\0${username}\0${password}`).toString("base64");
    this.socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${token}</auth>`);
    const auth = await this.waitLogin((t) => t.includes("<success") || t.includes("<failure"));
    if (!auth.includes("<success")) throw new Error(`${this.bare}: authentication failed: ${auth}`);
    this.socket.write(header);
    await this.waitLogin((t) => t.includes("</stream:features>"));
    const resource = this.opts.resource ?? "bench";
    this.socket.write(`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
    const bound = await this.waitLogin((t) => t.includes("</iq>"));
    const jid = /<jid>([^<]+)<\/jid>/.exec(bound)?.[1];
    if (!jid) throw new Error(`${this.bare}: resource binding failed: ${bound}`);
    this.jid = jid;
    const rest = bound.slice(bound.indexOf("</iq>") + 5);
    this.mode = "stanzas";
    if (rest) this.scanner.push(rest);
    // Available presence: without it the server keeps messages to the bare JID away from us.
    this.write("<presence/>");
  }

  private waitLogin(done: (text: string) => boolean): Promise<string> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.loginWaiter = undefined;
        reject(new Error(`${this.bare}: login step timed out; got: ${this.loginText.slice(0, 500)}`));
      }, timeoutMs);
      const check = () => {
        if (!done(this.loginText)) return;
        clearTimeout(timer);
        this.loginWaiter = undefined;
        const text = this.loginText;
        this.loginText = "";
        resolve(text);
      };
      this.loginWaiter = check;
      check();
    });
  }
}
