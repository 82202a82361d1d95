// The XMPP user of the run: one real c2s session at a time (a new one after each Prosody
// restart), every stanza it ever received recorded with its arrival time, and a gate that holds
// outgoing messages while the server is going down or the session is being re-established — as a
// client queues what the user types while it is offline, and sends it once.
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { connectUser, type TestUser } from "../../test/support/xmppUser.ts";
import { sleep } from "../util.ts";

export interface Received {
  at: number;
  session: number;
  name: string;
  /** Bare JID, lower case. */
  from: string;
  type: string | undefined;
  id: string | undefined;
  body: string | null;
  /** XEP-0359 stanza-id the gateway gave the message. */
  stanzaId: string | undefined;
  /** For type=error: the defined condition. */
  errorCondition: string | undefined;
  errorText: string | undefined;
  delayed: boolean;
}

export interface ChatUserOptions {
  service: string;
  domain: string;
  username: string;
  password: string;
  log: (line: string) => void;
}

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export class ChatUser {
  readonly received: Received[] = [];
  /** Periods without a session, for the analysis. */
  readonly offline: Array<{ from: number; to: number | undefined }> = [];
  #session: TestUser | undefined;
  #sessionNo = 0;
  #gateOpen = false;
  #waiters: Array<() => void> = [];
  #planned = false;
  #reconnecting: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly opts: ChatUserOptions) {}

  get jid(): string {
    return `${this.opts.username}@${this.opts.domain}`;
  }

  /** The current session (for IQs during setup). */
  get session(): TestUser {
    if (!this.#session) throw new Error("ChatUser: not connected");
    return this.#session;
  }

  async connect(): Promise<void> {
    const session = await connectUser({
      service: this.opts.service,
      domain: this.opts.domain,
      username: this.opts.username,
      password: this.opts.password,
      resource: `chaos${this.#sessionNo + 1}`,
    });
    const no = ++this.#sessionNo;
    // Offline messages arrive during login, before this line: take them from the session's buffer,
    // then listen (no event can slip in between: both happen in this one synchronous step).
    for (const el of session.received) this.#record(el, no);
    session.client.on("stanza", (el: Element) => this.#record(el, no));
    session.client.on("disconnect", () => this.#lost(session));
    this.#session = session;
    const last = this.offline.at(-1);
    if (last && last.to === undefined) last.to = Date.now();
    this.openGate();
  }

  /** Sends once the gate is open; a send that fails on a dying session is retried on the next. */
  async send(el: Element): Promise<number> {
    for (;;) {
      await this.#whenOpen();
      const session = this.#session;
      if (!session || session.client.status !== "online") {
        await sleep(50);
        continue;
      }
      try {
        await session.send(el);
        return Date.now();
      } catch {
        await sleep(100);
      }
    }
  }

  closeGate(): void {
    this.#gateOpen = false;
  }

  openGate(): void {
    this.#gateOpen = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * A ping round trip to the user's server: everything this session sent before has been handled
   * (the server treats one session's stanzas in order) and routed on.
   */
  async barrier(): Promise<void> {
    const session = this.#session;
    if (!session || session.client.status !== "online") return;
    await session.iq(xml("iq", { type: "get", to: this.opts.domain }, xml("ping", { xmlns: "urn:xmpp:ping" })), 5_000).catch(() => undefined);
  }

  /** A planned outage: the server is about to go down. */
  async goOffline(): Promise<void> {
    this.#planned = true;
    this.closeGate();
    await this.barrier();
  }

  /** After a planned outage: a new session. */
  async comeBack(): Promise<void> {
    const old = this.#session;
    this.#session = undefined;
    await old?.stop().catch(() => undefined);
    await this.#connectRetrying();
    this.#planned = false;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.openGate();
    await this.#session?.stop().catch(() => undefined);
  }

  #whenOpen(): Promise<void> {
    if (this.#gateOpen) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  #lost(session: TestUser): void {
    if (this.#session !== session) return;
    this.offline.push({ from: Date.now(), to: undefined });
    this.closeGate();
    if (this.#planned || this.#stopped) return;
    this.opts.log(`xmpp user: session ${this.#sessionNo} lost unexpectedly; reconnecting`);
    this.#reconnecting ??= this.#connectRetrying().finally(() => (this.#reconnecting = undefined));
  }

  async #connectRetrying(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await this.connect();
        return;
      } catch (err) {
        if (attempt % 10 === 0) this.opts.log(`xmpp user: still cannot log in (${(err as Error).message})`);
        await sleep(200);
      }
    }
  }

  #record(el: Element, session: number): void {
    const error = el.attrs.type === "error" ? el.getChild("error") : undefined;
    const condition = error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name;
    this.received.push({
      at: Date.now(),
      session,
      name: el.name,
      from: (el.attrs.from ?? "").split("/")[0]!.toLowerCase(),
      type: el.attrs.type,
      id: el.attrs.id,
      body: el.name === "message" ? el.getChildText("body") : null,
      stanzaId: el.getChild("stanza-id", "urn:xmpp:sid:0")?.attrs.id,
      errorCondition: condition,
      errorText: error?.getChildText("text", NS_STANZAS) ?? undefined,
      delayed: el.getChild("delay", "urn:xmpp:delay") !== undefined,
    });
  }
}
