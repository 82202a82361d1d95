// parse_mode=HTML: Telegram's small tag set, turned into entities with UTF-16 offsets.
import { badRequest } from "./http.ts";
import type { MessageEntity } from "./types.ts";

export interface Formatted {
  text: string;
  entities: MessageEntity[];
}

export const entityError = (what: string) => badRequest(`can't parse entities: ${what}`);

/** Telegram reports positions in the source as UTF-8 byte offsets. */
export const byteOffset = (src: string, index: number) => Buffer.byteLength(src.slice(0, index));

const SIMPLE_TAGS: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  code: "code",
  pre: "pre",
};

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const ENTITY = /^&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/;
const ENTITY_G = /&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g;

interface Open {
  tag: string;
  /** null: the tag makes no entity of its own (`<code>` right inside `<pre>`). */
  entity: MessageEntity | null;
  start: number;
}

export function parseHtml(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === "&") {
      const m = ENTITY.exec(src.slice(i, i + 12));
      const decoded = m ? decodeEntity(m[1] as string) : undefined;
      // Unknown named entities stay as typed, as Telegram leaves them.
      if (m && decoded !== undefined) {
        out += decoded;
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
      continue;
    }
    if (c !== "<") {
      out += c;
      i++;
      continue;
    }
    const close = src.indexOf(">", i);
    if (close < 0) throw entityError(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const inner = src.slice(i + 1, close);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open) throw entityError(`Unexpected end tag at byte offset ${byteOffset(src, i)}`);
      if (name !== "" && name !== open.tag) {
        throw entityError(
          `Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${open.tag}>", found "</${name}>"`,
        );
      }
      // Empty entities are dropped, as Telegram drops them.
      if (open.entity && out.length > open.start) {
        entities.push({ ...open.entity, offset: open.start, length: out.length - open.start });
      }
    } else {
      stack.push(openTag(inner, src, i, out.length, stack.at(-1)));
    }
    i = close + 1;
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw entityError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities };
}

function openTag(inner: string, src: string, at: number, position: number, parent: Open | undefined): Open {
  const m = /^([a-zA-Z][a-zA-Z0-9-]*)(.*)$/s.exec(inner.trim());
  if (!m) throw entityError(`Empty tag name at byte offset ${byteOffset(src, at)}`);
  const tag = (m[1] as string).toLowerCase();
  const attrs = parseAttributes(m[2] ?? "");
  const base = { offset: 0, length: 0 };
  if (tag === "code" && parent?.tag === "pre" && parent.start === position && parent.entity) {
    // <pre><code class="language-x"> is one pre entity carrying the language.
    const language = /^language-(.+)$/.exec(attrs.get("class") ?? "")?.[1];
    if (language) parent.entity.language = language;
    return { tag, entity: null, start: position };
  }
  const simple = SIMPLE_TAGS[tag];
  if (simple) return { tag, entity: { ...base, type: simple }, start: position };
  if (tag === "span") {
    if (attrs.get("class") !== "tg-spoiler") {
      throw entityError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, at)}`);
    }
    return { tag, entity: { ...base, type: "spoiler" }, start: position };
  }
  if (tag === "a") {
    const href = attrs.get("href") ?? "";
    const userId = /^tg:\/\/user\?id=(\d+)$/.exec(href)?.[1];
    if (userId) {
      const user = { id: Number(userId), is_bot: false, first_name: "" };
      return { tag, entity: { ...base, type: "text_mention", user }, start: position };
    }
    return { tag, entity: href ? { ...base, type: "text_link", url: href } : null, start: position };
  }
  if (tag === "blockquote") {
    const type = attrs.has("expandable") ? "expandable_blockquote" : "blockquote";
    return { tag, entity: { ...base, type }, start: position };
  }
  if (tag === "tg-emoji") {
    const id = attrs.get("emoji-id");
    if (!id) throw entityError(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${byteOffset(src, at)}`);
    return { tag, entity: { ...base, type: "custom_emoji", custom_emoji_id: id }, start: position };
  }
  throw entityError(`Unsupported start tag "${tag}" at byte offset ${byteOffset(src, at)}`);
}

function parseAttributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  for (const m of text.matchAll(re)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? "";
    attrs.set((m[1] as string).toLowerCase(), raw.replace(ENTITY_G, (all, name: string) => decodeEntity(name) ?? all));
  }
  return attrs;
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith("#")) {
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return NAMED[name.toLowerCase()];
}
