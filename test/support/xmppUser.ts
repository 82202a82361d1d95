// An XMPP user for tests: a real @xmpp/client session that records every stanza it receives.
import { client, xml, type Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

export interface ConnectUserOptions {
  /** xmpp://127.0.0.1:PORT */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** Send initial presence once online (default true). */
  sendPresence?: boolean;
  /**
   * Request the roster before the initial presence, as real clients do (default true). Prosody
   * sends roster pushes only to sessions that have requested the roster.
   */
  fetchRoster?: boolean;
  /** Extra disco#info features to advertise (disco#info and ping are always there). */
  features?: string[];
  /** Give up connecting and logging in after this long (default 10 s). */
  connectTimeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Names what is awaited, for the timeout message. */
  what?: string;
}

export interface TestUser {
  /** Full JID */
  jid: string;
  bare: string;
  /** Every stanza received, in order (also IQ replies and the ones answered automatically). */
  received: Element[];
  /** The underlying @xmpp/client, for what the helpers don't cover. */
  client: Client;
  send(el: Element): Promise<void>;
  /** Resolves the result <iq>; rejects with an IqError on type=error (or a timeout Error). */
  iq(el: Element, timeoutMs?: number): Promise<Element>;
  /**
   * The first received stanza matching pred that no earlier waitFor took — including those that
   * arrived before the call. A predicate that throws counts as no match.
   */
  waitFor(pred: (el: Element) => boolean, opts?: WaitOptions): Promise<Element>;
  /** Rejects if a matching stanza not yet taken is in the buffer or arrives within ms. */
  expectNone(pred: (el: Element) => boolean, ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Rejection of TestUser.iq() when the answer is type="error". */
export class IqError extends Error {
  readonly stanza: Element;
  readonly condition: string;
  readonly text: string;
  readonly type: string | undefined;
  constructor(stanza: Element) {
    const error = stanza.getChild("error");
    const condition =
      error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name ?? "undefined-condition";
    const text = error?.getChildText("text", NS_STANZAS) ?? "";
    super(`iq error ${condition}${text ? `: ${text}` : ""} (from ${stanza.attrs.from ?? "?"}, id ${stanza.attrs.id ?? "?"})`);
    this.name = "IqError";
    this.stanza = stanza;
    this.condition = condition;
    this.text = text;
    this.type = error?.attrs.type;
  }
}

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_PING = "urn:xmpp:ping";
const NS_ROSTER = "jabber:iq:roster";
const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_IQ_MS = 5_000;

const open = new Set<Client>();
let exitHookInstalled = false;

function bareOf(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}

function matches(pred: (el: Element) => boolean, el: Element): boolean {
  try {
    return pred(el) === true;
  } catch {
    return false;
  }
}

function brief(el: Element, max = 400): string {
  const s = el.toString();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

let idCounter = 0;
function nextId(): string {
  return `tu${Date.now().toString(36)}${(idCounter++).toString(36)}`;
}

export async function connectUser(opts: ConnectUserOptions): Promise<TestUser> {
  const xmpp = client({
    service: opts.service,
    domain: opts.domain,
    username: opts.username,
    password: opts.password,
    resource: opts.resource,
  });
  xmpp.reconnect.stop(); // tests decide when to reconnect
  const errors: Error[] = [];
  xmpp.on("error", (err: Error) => errors.push(err)); // an unhandled 'error' event would crash the process
  xmpp.on("connect", () => {
    xmpp.socket?.setNoDelay(true);
    // A user a test forgot to stop must not keep the test process alive (every wait here has
    // its own timer, which does).
    xmpp.socket?.unref();
  });

  const received: Element[] = [];
  const taken = new WeakSet<Element>();
  interface Waiter {
    pred: (el: Element) => boolean;
    resolve: (el: Element) => void;
  }
  const waiters: Waiter[] = [];
  const watchers = new Set<(el: Element) => void>();

  xmpp.on("stanza", (el: Element) => {
    received.push(el);
    const i = waiters.findIndex((w) => matches(w.pred, el));
    if (i !== -1) {
      const [w] = waiters.splice(i, 1);
      taken.add(el);
      w?.resolve(el);
    }
    for (const watch of watchers) watch(el);
  });

  // Answered automatically: ping, disco#info, and the acknowledgement of roster pushes (RFC 6121
  // requires it; the push itself stays in `received` for the test). Everything else is the
  // test's business (unhandled get/set IQs get service-unavailable from the library).
  xmpp.iqCallee.get(NS_PING, "ping", () => true);
  xmpp.iqCallee.get(NS_DISCO_INFO, "query", (ctx: { element?: Element }) => {
    const node = ctx.element?.attrs.node;
    const features = [NS_DISCO_INFO, NS_PING, ...(opts.features ?? [])];
    return xml(
      "query",
      { xmlns: NS_DISCO_INFO, node },
      xml("identity", { category: "client", type: "pc", name: "switchboard test user" }),
      ...[...new Set(features)].map((v) => xml("feature", { var: v })),
    );
  });
  xmpp.iqCallee.set(NS_ROSTER, "query", (ctx: { stanza: Element }) => {
    const from = ctx.stanza.attrs.from;
    const mine = xmpp.jid ? bareOf(xmpp.jid.toString()) : "";
    return !from || from === mine; // a push from anyone else: service-unavailable
  });

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of open) c.socket?.destroy();
    });
  }

  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  let connectTimer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      xmpp.start(),
      new Promise((_, reject) => {
        connectTimer = setTimeout(() => reject(new Error(`no session after ${connectTimeoutMs} ms (status: ${xmpp.status})`)), connectTimeoutMs);
      }),
    ]);
  } catch (err) {
    // Not xmpp.stop(): on a failed or dead stream it leaves a 2 s timer that holds the process open.
    xmpp.socket?.destroy();
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`connectUser ${opts.username}@${opts.domain} via ${opts.service} failed: ${why}`);
  } finally {
    clearTimeout(connectTimer);
  }
  open.add(xmpp);
  if (!xmpp.jid) throw new Error("connectUser: online without a JID");
  const fullJid = xmpp.jid.toString();
  const bare = bareOf(fullJid);

  const iq = async (el: Element, timeoutMs = DEFAULT_IQ_MS): Promise<Element> => {
    if (!el.attrs.id) el.attrs.id = nextId();
    try {
      const result = await xmpp.iqCaller.request(el, timeoutMs);
      taken.add(result);
      return result;
    } catch (err) {
      const e = err as { name?: string; element?: Element };
      if (e.name === "StanzaError") {
        const stanza =
          received.find((s) => s.name === "iq" && s.attrs.type === "error" && s.attrs.id === el.attrs.id) ??
          e.element?.parent ??
          null;
        if (stanza) {
          taken.add(stanza);
          throw new IqError(stanza);
        }
      }
      if (e.name === "TimeoutError") {
        throw new Error(`iq ${el.attrs.type ?? "?"} to ${el.attrs.to ?? "(server)"} id ${el.attrs.id} timed out after ${timeoutMs} ms: ${brief(el)}`);
      }
      throw err;
    }
  };

  const waitFor = (pred: (el: Element) => boolean, o: WaitOptions = {}): Promise<Element> => {
    const found = received.find((el) => !taken.has(el) && matches(pred, el));
    if (found) {
      taken.add(found);
      return Promise.resolve(found);
    }
    const timeoutMs = o.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise<Element>((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve: (el) => {
          clearTimeout(timer);
          resolve(el);
        },
      };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i !== -1) waiters.splice(i, 1);
        const last = received.slice(-8);
        const listing = last.length ? last.map((el) => `  ${taken.has(el) ? "(taken) " : ""}${brief(el)}`).join("\n") : "  (nothing)";
        reject(
          new Error(
            `${bare}: timed out after ${timeoutMs} ms waiting for ${o.what ?? "a matching stanza"} ` +
              `(connection: ${xmpp.status}); last ${last.length} of ${received.length} received:\n${listing}` +
              (errors.length ? `\nclient errors: ${errors.map((e) => e.message).join("; ")}` : ""),
          ),
        );
      }, timeoutMs);
      waiters.push(waiter);
    });
  };

  const expectNone = (pred: (el: Element) => boolean, ms: number): Promise<void> => {
    const already = received.find((el) => !taken.has(el) && matches(pred, el));
    if (already) return Promise.reject(new Error(`${bare}: expected no such stanza, but received ${brief(already)}`));
    return new Promise<void>((resolve, reject) => {
      const watch = (el: Element): void => {
        if (!matches(pred, el)) return;
        clearTimeout(timer);
        watchers.delete(watch);
        reject(new Error(`${bare}: expected no such stanza within ${ms} ms, but received ${brief(el)}`));
      };
      const timer = setTimeout(() => {
        watchers.delete(watch);
        resolve();
      }, ms);
      watchers.add(watch);
    });
  };

  if (opts.fetchRoster !== false) {
    await iq(xml("iq", { type: "get", id: nextId() }, xml("query", { xmlns: NS_ROSTER })));
  }
  if (opts.sendPresence !== false) {
    await xmpp.send(xml("presence"));
    // Barrier: the server handles one session's stanzas in order, so once this ping is answered
    // the initial presence has been processed (and its reflection to us has arrived).
    await iq(xml("iq", { type: "get", to: opts.domain, id: nextId() }, xml("ping", { xmlns: NS_PING })));
    for (const el of received) {
      if (el.name === "presence" && el.attrs.from === fullJid && !el.attrs.type) taken.add(el);
    }
  }

  let stopped = false;
  return {
    jid: fullJid,
    bare,
    received,
    client: xmpp,
    send: (el) => xmpp.send(el),
    iq,
    waitFor,
    expectNone,
    async stop() {
      if (stopped) return;
      stopped = true;
      open.delete(xmpp);
      if (xmpp.status !== "online") {
        // Already cut off (e.g. the server went away). @xmpp's stop() would try to close the
        // stream on a dead socket and leave a 2 s timer behind, holding the test process open.
        xmpp.socket?.destroy();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, 2_000);
      });
      try {
        await Promise.race([xmpp.stop().catch(() => {}), timeout]);
      } finally {
        clearTimeout(timer);
        xmpp.socket?.destroy();
      }
    },
  };
}
