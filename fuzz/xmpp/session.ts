// The fuzzing user's side of XMPP: one main raw connection for ordinary hostile stanzas (replies
// tracked, reconnected if it dies), and throwaway connections for inputs that may kill a stream.
import type { Element } from "@xmpp/xml";
import { inc, noteUnexpected, type BatchStats, type Report } from "../report.ts";
import { IqTracker } from "./iqTracker.ts";
import { RawClient, type CloseInfo } from "./rawClient.ts";
import type { StanzaCase } from "./stanzaCase.ts";
import { checkStanzaError } from "./stanzaErrors.ts";

/** Texts of the errors Prosody itself answers malformed stanzas with (core/stanza_router.lua). */
const PROSODY_TEXTS = ["Invalid IQ type", "Missing required 'id' attribute", "Incorrect number of children for IQ stanza", "The destination address is invalid", "The source address is invalid"];

/** Tracked iqs allowed in flight at once, like a busy client; keeps the 5 s deadline fair. */
const WINDOW = 100;

export interface SessionOptions {
  /** The attacker's main connection. */
  connect(resource: string, presence: boolean): Promise<RawClient>;
  /** Throwaway connections, as a second registered attacker (its own rate-limit quota). */
  connectThrowaway(resource: string): Promise<RawClient>;
  domain: string;
  report: Report;
}

export interface SacrificeOutcome {
  /** "open" when the stream survived the wait. */
  ended: string;
  /** What came back: name/type/condition of each stanza. */
  got: string[];
}

export class FuzzSession {
  readonly tracker = new IqTracker();
  #main: RawClient | undefined;
  #batch: BatchStats | undefined;
  #mainResource = 0;
  #sacrifices = 0;
  /** ids of messages/presences sent → label, to match error bounces. */
  readonly #stanzaIds = new Map<string, string>();

  constructor(private readonly o: SessionOptions) {}

  set batch(b: BatchStats) {
    this.#batch = b;
  }

  get batch(): BatchStats {
    if (!this.#batch) throw new Error("FuzzSession: no batch set");
    return this.#batch;
  }

  get main(): RawClient | undefined {
    return this.#main;
  }

  /** The main connection, (re)connected when needed. */
  async ensureMain(): Promise<RawClient> {
    if (this.#main?.open) return this.#main;
    const c = await this.o.connect(`main${this.#mainResource++}`, true);
    c.on("element", (el: Element) => this.#onElement(el, c));
    c.once("closed", (info: CloseInfo) => this.#onMainClosed(c, info));
    this.#main = c;
    return c;
  }

  /** Sends one case: on the main connection, or on a throwaway one when it may kill the stream. */
  async send(c: StanzaCase): Promise<void> {
    const b = this.batch;
    b.sent++;
    inc(b.labels, c.label);
    if (c.sacrificial) {
      const out = await this.sacrifice(c.label, c.xml, { waitMs: 1_500, awaitId: c.iqId });
      inc(b.streamCloses, `${c.label}: ${out.ended}`);
      return;
    }
    while (c.iqId !== undefined && this.tracker.size >= WINDOW) {
      this.#sweep();
      await sleep(5);
    }
    const main = await this.ensureMain();
    if (c.iqId !== undefined && !this.tracker.expectReply(c.iqId, c.label, c.xml.slice(0, 300), main, b)) b.notes.push(`id ${c.iqId} reused; not tracked`);
    if (c.noReplyId !== undefined) this.tracker.expectNoReply(c.noReplyId, c.label);
    if (c.stanzaId !== undefined) this.#stanzaIds.set(c.stanzaId, c.label);
    await main.sendRaw(c.xml);
  }

  /** Remembers a message/presence id sent outside send() (bulk writes), to match its error bounce. */
  expectBounce(c: StanzaCase): void {
    if (c.stanzaId !== undefined) this.#stanzaIds.set(c.stanzaId, c.label);
  }

  /** Waits until every tracked iq is answered or overdue (reported). */
  async settle(): Promise<void> {
    while (this.tracker.size > 0) {
      this.#sweep();
      await sleep(20);
    }
  }

  /**
   * Logs in a throwaway connection, sends `payload` (or lets `act` drive it), and waits up to
   * waitMs for the stream to end; if `awaitId` is set, waits for that reply instead of the full time.
   */
  async sacrifice(label: string, payload: string | Buffer | Array<string | Buffer>, opts: { waitMs: number; awaitId?: string | undefined }): Promise<SacrificeOutcome> {
    const c = await this.o.connectThrowaway(`sac${this.#sacrifices++}`);
    const got: string[] = [];
    let replied: () => void = () => {};
    const answered = new Promise<void>((r) => (replied = r));
    c.on("element", (el: Element) => {
      const cond = el.attrs.type === "error" ? `:${checkStanzaError(el).condition}` : "";
      got.push(`${el.name}/${el.attrs.type ?? "-"}${cond}`);
      if (opts.awaitId !== undefined && el.attrs.id === opts.awaitId) replied();
    });
    for (const part of Array.isArray(payload) ? payload : [payload]) await c.sendRaw(part);
    const closed = c.waitClosed(opts.waitMs);
    await Promise.race([closed, opts.awaitId !== undefined ? answered : closed]);
    const ended = c.closed ? `${c.closed.how}${c.closed.streamError ? ` <${c.closed.streamError}/>` : ""}` : "open";
    if (opts.awaitId !== undefined && c.open && !got.some((g) => g.startsWith("iq/"))) {
      noteUnexpected(this.batch, `${label}: iq on a surviving throwaway stream got no reply within ${opts.waitMs} ms`);
    }
    c.close();
    return { ended, got };
  }

  close(): void {
    this.#main?.close();
  }

  #sweep(): void {
    for (const o of this.tracker.overdue()) {
      o.batch.hangs++;
      this.o.report.fail("unanswered-iq", o.batch.name, `${o.label} id=${o.id} unanswered after ${o.ageMs} ms: ${o.snippet}`);
    }
  }

  #onMainClosed(c: RawClient, info: CloseInfo): void {
    const b = this.batch;
    const lost = this.tracker.lost(c);
    if (info.how === "local") return;
    const why = `${info.how}${info.streamError ? ` <${info.streamError}/>` : ""}${info.streamErrorText ? ` "${info.streamErrorText}"` : ""}`;
    inc(b.streamCloses, `main: ${why}`);
    noteUnexpected(b, `main stream closed by the server (${why}); ${lost} iq(s) in flight were lost with it`);
  }

  #origin(el: Element): string {
    // Prosody's own refusals carry the addressee as 'from'; recognise them by their texts.
    const text = el.getChild("error")?.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas") ?? "";
    if (PROSODY_TEXTS.some((t) => text.startsWith(t))) return "prosody";
    const from = el.attrs.from;
    if (!from) return "server";
    const domain = this.o.domain.toLowerCase();
    const bare = from.split("/")[0]!.toLowerCase();
    if (bare === domain) return "gateway";
    if (bare.endsWith(`@${domain}`)) return "contact";
    return "server";
  }

  #onElement(el: Element, conn: RawClient): void {
    const b = this.batch;
    const id = el.attrs.id;
    const type = el.attrs.type;
    const origin = this.#origin(el);
    if (el.name === "iq" && (type === "result" || type === "error")) {
      if (id === undefined) {
        noteUnexpected(b, `iq ${type} without an id from ${el.attrs.from ?? "(server)"}: ${el.toString().slice(0, 300)}`);
        if (type === "error") this.#countError(b, el, origin, "iq without id");
        return;
      }
      if (id === "barrier1" || id === "bind1") return;
      const r = this.tracker.reply(id);
      if (r.kind === "duplicate") this.o.report.fail("duplicate-reply", b.name, `second reply to iq ${id}: ${el.toString().slice(0, 300)}`);
      else if (r.kind === "to-result") this.o.report.fail("reply-to-result", b.name, `a reply to iq result/error ${id} (${r.label}): ${el.toString().slice(0, 300)}`);
      else if (r.kind === "unknown") {
        inc(b.received, `iq-${type}-unmatched/${origin}`);
        if ((b.received[`iq-${type}-unmatched/${origin}`] ?? 0) <= 3) b.notes.push(`unmatched iq ${type}: ${el.toString().slice(0, 300)}`);
      }
      else if (r.kind === "late") {
        b.lateReplies++;
        b.lateMaxMs = Math.max(b.lateMaxMs, r.ageMs);
      }
      const target = r.kind === "first" ? r.pending.batch : b;
      if (r.kind === "first") {
        target.replies++;
        if (type === "result") target.iqResults++;
      }
      if (type === "error") this.#countError(target, el, origin, r.kind === "first" ? r.pending.label : `iq ${r.kind}`);
      void conn;
      return;
    }
    if (type === "error") {
      const label = id !== undefined ? this.#stanzaIds.get(id) : undefined;
      if (label !== undefined) b.replies++;
      this.#countError(b, el, origin, label ?? `unsolicited ${el.name} error`);
      return;
    }
    inc(b.received, `${el.name}/${type ?? "-"}/${origin}`);
  }

  #countError(b: BatchStats, el: Element, origin: string, label: string): void {
    const check = checkStanzaError(el);
    inc(b.errors, `${el.name} ${origin}:${check.condition}`);
    if (check.text === undefined || check.text === "") {
      b.errorsWithoutText++;
      if (b.errorsWithoutTextSamples.length < 5) b.errorsWithoutTextSamples.push(`${label} → ${origin}:${check.condition}`);
    }
    if (check.problem) this.o.report.fail("bad-error-reply", b.name, `${label}: ${check.problem}: ${el.toString().slice(0, 300)}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
