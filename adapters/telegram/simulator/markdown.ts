// parse_mode=MarkdownV2 and the legacy Markdown, with Telegram's errors for unescaped reserved
// characters and unclosed entities — the mistakes a bridge makes when it escapes text badly.
import { type Formatted, byteOffset, entityError } from "./html.ts";
import type { MessageEntity } from "./types.ts";

const RESERVED = new Set("_*[]()~`>#+-=|{}.!");

const NAMES: Record<string, string> = {
  bold: "Bold",
  italic: "Italic",
  underline: "Underline",
  strikethrough: "Strikethrough",
  spoiler: "Spoiler",
  text_link: "TextUrl",
};

interface Open {
  type: string;
  start: number;
  at: number;
}

export function parseMarkdownV2(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let quote: number | null = null;
  const closeQuote = () => {
    if (quote === null) return;
    const end = out.endsWith("\n") ? out.length - 1 : out.length;
    if (end > quote) entities.push({ type: "blockquote", offset: quote, length: end - quote });
    quote = null;
  };
  const toggle = (type: string, at: number) => {
    const top = stack.at(-1);
    if (top?.type === type) {
      stack.pop();
      if (out.length > top.start) entities.push({ type, offset: top.start, length: out.length - top.start });
      return;
    }
    const crossed = stack.find((s) => s.type === type);
    if (crossed) throw entityError(`Can't find end of ${NAMES[type]} entity at byte offset ${byteOffset(src, crossed.at)}`);
    stack.push({ type, start: out.length, at });
  };

  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (i === 0 || src[i - 1] === "\n") {
      if (c === ">") {
        quote ??= out.length;
        i++;
        continue;
      }
      closeQuote();
    }
    if (c === "\\") {
      const next = src[i + 1];
      if (next === undefined) throw reserved(c);
      const code = next.charCodeAt(0);
      out += code >= 1 && code <= 126 ? next : c + next;
      i += 2;
      continue;
    }
    if (c === "`") {
      const fence = src.startsWith("```", i);
      const end = scanCode(src, i + (fence ? 3 : 1), fence ? "```" : "`");
      if (!end) throw entityError(`Can't find end of ${fence ? "Pre" : "Code"} entity at byte offset ${byteOffset(src, i)}`);
      let body = end.text;
      const entity: MessageEntity = { type: fence ? "pre" : "code", offset: 0, length: 0 };
      if (fence) {
        const nl = body.indexOf("\n");
        const first = nl < 0 ? "" : body.slice(0, nl);
        if (nl >= 0 && /^[^\s`]+$/.test(first)) entity.language = first;
        if (nl >= 0 && (entity.language || first === "")) body = body.slice(nl + 1);
      }
      if (body) entities.push({ ...entity, offset: out.length, length: body.length });
      out += body;
      i = end.next;
      continue;
    }
    if (c === "_" && src[i + 1] === "_") {
      // "__" is greedily underline, as Telegram documents for the italic/underline ambiguity.
      toggle("underline", i);
      i += 2;
      continue;
    }
    if (c === "|" && src[i + 1] === "|") {
      toggle("spoiler", i);
      i += 2;
      continue;
    }
    if (c === "*" || c === "_" || c === "~") {
      toggle(c === "*" ? "bold" : c === "_" ? "italic" : "strikethrough", i);
      i++;
      continue;
    }
    if (c === "[") {
      stack.push({ type: "text_link", start: out.length, at: i });
      i++;
      continue;
    }
    if (c === "]" && stack.at(-1)?.type === "text_link") {
      const open = stack.pop() as Open;
      if (src[i + 1] !== "(") throw entityError(`Can't find end of TextUrl entity at byte offset ${byteOffset(src, open.at)}`);
      const end = scanUrl(src, i + 2);
      if (!end) throw entityError(`Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}`);
      const link = linkEntity(end.text);
      if (link && out.length > open.start) entities.push({ ...link, offset: open.start, length: out.length - open.start });
      i = end.next;
      continue;
    }
    if (RESERVED.has(c)) throw reserved(c);
    out += c;
    i++;
  }
  closeQuote();
  const unclosed = stack.at(-1);
  if (unclosed) {
    throw entityError(`Can't find end of ${NAMES[unclosed.type]} entity at byte offset ${byteOffset(src, unclosed.at)}`);
  }
  return { text: out, entities };
}

/** Legacy Markdown: no nesting, no escaping except of the four marker characters. */
export function parseMarkdown(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  const unclosed = (at: number) =>
    entityError(`Can't find end of the entity starting at byte offset ${byteOffset(src, at)}`);
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === "\\" && next !== undefined && "_*`[".includes(next)) {
      out += next;
      i += 2;
      continue;
    }
    if (c === "*" || c === "_" || c === "`") {
      const fence = c === "`" && src.startsWith("```", i);
      const marker = fence ? "```" : c;
      const end = src.indexOf(marker, i + marker.length);
      if (end < 0) throw unclosed(i);
      let body = src.slice(i + marker.length, end);
      const entity: MessageEntity = { type: fence ? "pre" : c === "*" ? "bold" : c === "_" ? "italic" : "code", offset: 0, length: 0 };
      if (fence && /^[^\s`]+\n/.test(body)) {
        entity.language = body.slice(0, body.indexOf("\n"));
        body = body.slice(body.indexOf("\n") + 1);
      }
      if (body) entities.push({ ...entity, offset: out.length, length: body.length });
      out += body;
      i = end + marker.length;
      continue;
    }
    if (c === "[") {
      const close = src.indexOf("]", i + 1);
      const paren = close < 0 || src[close + 1] !== "(" ? -1 : src.indexOf(")", close + 2);
      if (paren < 0) throw unclosed(i);
      const text = src.slice(i + 1, close);
      const link = linkEntity(src.slice(close + 2, paren));
      if (link && text) entities.push({ ...link, offset: out.length, length: text.length });
      out += text;
      i = paren + 1;
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, entities };
}

function linkEntity(url: string): Omit<MessageEntity, "offset" | "length"> | null {
  const userId = /^tg:\/\/user\?id=(\d+)$/.exec(url)?.[1];
  if (userId) return { type: "text_mention", user: { id: Number(userId), is_bot: false, first_name: "" } };
  return url ? { type: "text_link", url } : null;
}

/** Code and pre bodies: only "`" and "\" are escapable inside them. */
function scanCode(src: string, from: number, closer: string): { text: string; next: number } | null {
  let text = "";
  for (let j = from; j < src.length; ) {
    if (src[j] === "\\" && j + 1 < src.length) {
      text += src[j + 1];
      j += 2;
    } else if (src.startsWith(closer, j)) {
      return { text, next: j + closer.length };
    } else {
      text += src[j];
      j++;
    }
  }
  return null;
}

function scanUrl(src: string, from: number): { text: string; next: number } | null {
  return scanCode(src, from, ")");
}

function reserved(c: string) {
  return entityError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
}
