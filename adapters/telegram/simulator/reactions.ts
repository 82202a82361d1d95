// ReactionTypeEmoji: only the emoji the Bot API lists are valid, spelled exactly as listed
// (e.g. "❤" without U+FE0F) — a bridge has to map what XMPP clients send onto this set.
import { badRequest } from "./http.ts";
import type { ReactionTypeEmoji } from "./types.ts";

export const REACTION_EMOJI: ReadonlySet<string> = new Set([
  "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏",
  "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨",
  "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇", "😨", "🤝",
  "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎",
  "👾", "🤷‍♂", "🤷", "🤷‍♀", "😡",
]);

export function isReactionEmoji(emoji: string): boolean {
  return REACTION_EMOJI.has(emoji);
}

/** setMessageReaction's `reaction`: absent, null or [] removes; bots without Premium set one at most. */
export function parseReactionParam(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("expected an Array of ReactionType");
  const emoji: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) throw badRequest("can't parse ReactionType: expected an Object");
    const r = item as Record<string, unknown>;
    if (r.type === undefined) throw badRequest(`can't parse ReactionType: Can't find field "type"`);
    if (r.type === "custom_emoji" || r.type === "paid") throw badRequest("REACTION_INVALID");
    if (r.type !== "emoji") throw badRequest("can't parse ReactionType: invalid reaction type specified");
    if (typeof r.emoji !== "string") throw badRequest(`can't parse ReactionType: Can't find field "emoji"`);
    if (r.emoji === "") throw badRequest("invalid reaction type specified");
    if (!isReactionEmoji(r.emoji)) throw badRequest("REACTION_INVALID");
    if (!emoji.includes(r.emoji)) emoji.push(r.emoji);
  }
  if (emoji.length > 1) throw badRequest("REACTIONS_TOO_MANY");
  return emoji;
}

export const toReactionTypes = (emoji: readonly string[]): ReactionTypeEmoji[] =>
  emoji.map((e) => ({ type: "emoji", emoji: e }));
