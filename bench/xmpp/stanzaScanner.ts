// Splits a c2s stream into top-level stanzas by string search, not XML parsing: the benchmark's
// clients must stay cheaper than the server they measure. This relies on what Prosody emits
// (no nested <message>/<iq>/<presence>, `>` escaped inside attribute values).

export interface StanzaHandlers {
  /** A <message>; `body` is the raw (still escaped) text of its <body>, or null. */
  message(openTag: string, body: string | null, isError: boolean, stanza: string): void;
  presence(openTag: string): void;
  iq(openTag: string, stanza: string): void;
  /** Anything else at the top level: <stream:error>, </stream:stream>… */
  other(text: string): void;
}

const KINDS = ["message", "presence", "iq"] as const;
type Kind = (typeof KINDS)[number];

export class StanzaScanner {
  private buf = "";

  constructor(private readonly handlers: StanzaHandlers) {}

  push(chunk: string): void {
    const buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    let pos = 0;
    for (;;) {
      const start = buf.indexOf("<", pos);
      if (start < 0) {
        pos = buf.length;
        break;
      }
      const kind = kindAt(buf, start);
      const tagEnd = buf.indexOf(">", start);
      if (tagEnd < 0) {
        pos = start;
        break;
      }
      if (kind === undefined) {
        this.handlers.other(buf.slice(start, tagEnd + 1));
        pos = tagEnd + 1;
        continue;
      }
      let end: number;
      if (buf.charCodeAt(tagEnd - 1) === 47 /* / */) {
        end = tagEnd + 1;
      } else {
        const close = buf.indexOf(`</${kind}>`, tagEnd);
        if (close < 0) {
          pos = start;
          break;
        }
        end = close + kind.length + 3;
      }
      this.dispatch(kind, buf, start, tagEnd, end);
      pos = end;
    }
    this.buf = pos >= buf.length ? "" : buf.slice(pos);
  }

  private dispatch(kind: Kind, buf: string, start: number, tagEnd: number, end: number): void {
    const openTag = buf.slice(start, tagEnd + 1);
    if (kind === "presence") return this.handlers.presence(openTag);
    const stanza = buf.slice(start, end);
    if (kind === "iq") return this.handlers.iq(openTag, stanza);
    const isError = openTag.includes("type='error'") || openTag.includes('type="error"');
    const b = stanza.indexOf("<body>");
    let body: string | null = null;
    if (b >= 0) {
      const e = stanza.indexOf("</body>", b);
      if (e >= 0) body = stanza.slice(b + 6, e);
    }
    this.handlers.message(openTag, body, isError, stanza);
  }
}

function kindAt(buf: string, i: number): Kind | undefined {
  for (const k of KINDS) {
    if (buf.startsWith(k, i + 1)) {
      const c = buf.charCodeAt(i + 1 + k.length);
      // <message …> or <message>, not <messages…>
      if (c === 32 || c === 62 || c === 47 || c === 10 || c === 9 || c === 13) return k;
    }
  }
  return undefined;
}

/** The value of attribute `name` in an opening tag, either quote style. */
export function attr(openTag: string, name: string): string | undefined {
  for (const q of ["'", '"']) {
    const key = ` ${name}=${q}`;
    const i = openTag.indexOf(key);
    if (i >= 0) {
      const from = i + key.length;
      const to = openTag.indexOf(q, from);
      if (to >= 0) return openTag.slice(from, to);
    }
  }
  return undefined;
}
