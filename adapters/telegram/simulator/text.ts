// A message text or caption as Telegram stores it: formatted by parse_mode or explicit entities,
// trimmed, auto-linked, and held to the length limits.
import { type Formatted, parseHtml } from "./html.ts";
import { badRequest } from "./http.ts";
import { parseMarkdown, parseMarkdownV2 } from "./markdown.ts";
import type { MessageEntity } from "./types.ts";

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

const ENTITY_TYPES = new Set([
  "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
  "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
  "text_link", "text_mention", "custom_emoji",
]);

export function formatText(
  raw: string,
  parseMode: string | undefined,
  entities: unknown,
  kind: "text" | "caption",
): Formatted {
  // Explicit entities win over parse_mode, as in tdlib.
  const formatted = entities !== undefined ? { text: raw, entities: checkEntities(entities, raw.length) } : parse(raw, parseMode);
  const trimmed = trim(formatted);
  const all = [...trimmed.entities, ...autoEntities(trimmed.text, trimmed.entities)];
  all.sort((a, b) => a.offset - b.offset || b.length - a.length);
  const result = { text: trimmed.text, entities: all };
  if (kind === "text" && result.text === "") throw badRequest("message text is empty");
  if (kind === "text" && result.text.length > MAX_TEXT) throw badRequest("message is too long");
  if (kind === "caption" && result.text.length > MAX_CAPTION) throw badRequest("message caption is too long");
  return result;
}

function parse(raw: string, parseMode: string | undefined): Formatted {
  switch (parseMode?.toLowerCase()) {
    case undefined:
    case "":
      return { text: raw, entities: [] };
    case "html":
      return parseHtml(raw);
    case "markdownv2":
      return parseMarkdownV2(raw);
    case "markdown":
      return parseMarkdown(raw);
    default:
      throw badRequest("unsupported parse_mode");
  }
}

/** Entities the client sent: wrong shapes are errors; ranges outside the text are dropped, as Telegram does. */
export function checkEntities(value: unknown, textLength: number): MessageEntity[] {
  if (!Array.isArray(value)) throw badRequest("expected an Array of MessageEntity");
  const bad = (why: string) => badRequest(`can't parse MessageEntity: ${why}`);
  const out: MessageEntity[] = [];
  for (const e of value as unknown[]) {
    if (typeof e !== "object" || e === null) throw bad("expected an Object");
    const r = e as Record<string, unknown>;
    if (typeof r.type !== "string") throw bad('Field "type" must be of type String');
    if (!ENTITY_TYPES.has(r.type)) throw bad("Unsupported type specified");
    if (!Number.isInteger(r.offset)) throw bad('Field "offset" must be of type Integer');
    if (!Number.isInteger(r.length)) throw bad('Field "length" must be of type Integer');
    const entity: MessageEntity = { type: r.type, offset: r.offset as number, length: r.length as number };
    if (r.type === "text_link") {
      if (typeof r.url !== "string" || !r.url) throw bad('Field "url" must be a non-empty String');
      entity.url = r.url;
    }
    if (r.type === "text_mention") {
      const user = r.user as Record<string, unknown> | undefined;
      if (!user || !Number.isInteger(user.id)) throw bad('Field "user" must be a User');
      entity.user = { id: user.id as number, is_bot: user.is_bot === true, first_name: String(user.first_name ?? "") };
    }
    if (r.type === "pre" && typeof r.language === "string" && r.language) entity.language = r.language;
    if (r.type === "custom_emoji") {
      if (typeof r.custom_emoji_id !== "string") throw bad('Field "custom_emoji_id" must be of type String');
      entity.custom_emoji_id = r.custom_emoji_id;
    }
    if (entity.offset < 0 || entity.length <= 0 || entity.offset + entity.length > textLength) continue;
    out.push(entity);
  }
  return out;
}

/** Telegram strips surrounding whitespace; entities move with the text and are clipped to it. */
function trim(f: Formatted): Formatted {
  const lead = f.text.length - f.text.trimStart().length;
  const text = f.text.trim();
  const entities: MessageEntity[] = [];
  for (const e of f.entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(text.length, e.offset + e.length - lead);
    if (end > start) entities.push({ ...e, offset: start, length: end - start });
  }
  return { text, entities };
}

const FORMATTING = new Set([
  "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
]);

const DETECTORS: Array<{ type: string; re: RegExp; group: number }> = [
  { type: "url", re: /(^|[^\w@/])((?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'])/gi, group: 2 },
  { type: "email", re: /(^|[^\w.+-])([\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})(?![\w-])/gi, group: 2 },
  { type: "bot_command", re: /(^|\s)(\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{5,32})?)(?![\w/@])/g, group: 2 },
  { type: "mention", re: /(^|[^\w@])(@[a-zA-Z0-9_]{5,32})(?!\w)/g, group: 2 },
  { type: "hashtag", re: /(^|[^\w#])(#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu, group: 2 },
];

/** What Telegram clients highlight without being told: links, addresses, commands, mentions, tags. */
export function autoEntities(text: string, explicit: readonly MessageEntity[]): MessageEntity[] {
  const found: MessageEntity[] = [];
  // Formatting (bold, italic…) does not stop detection; code, links and earlier finds do.
  const blocking = explicit.filter((e) => !FORMATTING.has(e.type));
  const overlaps = (a: number, b: number) =>
    [...blocking, ...found].some((e) => a < e.offset + e.length && e.offset < b);
  for (const { type, re, group } of DETECTORS) {
    for (const m of text.matchAll(re)) {
      const value = m[group];
      if (value === undefined || m.index === undefined) continue;
      const offset = m.index + m[0].length - value.length;
      if (overlaps(offset, offset + value.length)) continue;
      found.push({ type, offset, length: value.length });
    }
  }
  return found;
}
