// Telegram's reactions: bots may set only the emoji the Bot API lists, spelled as listed (no
// U+FE0F variation selectors), and one at a time. XMPP clients send fully-qualified emoji.

const ALLOWED: ReadonlySet<string> = new Set([
  "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏",
  "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨",
  "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇", "😨", "🤝",
  "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎",
  "👾", "🤷‍♂", "🤷", "🤷‍♀", "😡",
]);

// Telegram's spellings whose base character shows as text without U+FE0F; clients match their
// own reactions against the fully-qualified form.
const QUALIFIED: ReadonlyMap<string, string> = new Map([
  ["❤", "❤️"],
  ["❤‍🔥", "❤️‍🔥"],
  ["🕊", "🕊️"],
  ["✍", "✍️"],
  ["☃", "☃️"],
  ["🤷‍♂", "🤷‍♂️"],
  ["🤷‍♀", "🤷‍♀️"],
]);

/** An emoji as Telegram spells it (variation selectors and skin-tone-free forms are not mapped). */
export function toTelegramEmoji(emoji: string): string {
  return emoji.replace(/\uFE0F/g, "");
}

/** Telegram's emoji → what an XMPP client would send for the same reaction. */
export function fromTelegramEmoji(emoji: string): string {
  return QUALIFIED.get(emoji) ?? emoji;
}

/**
 * The user's reactions → the one reaction a bot can set: the last one given (clients list the
 * newest last), or none. `refused` names the emoji Telegram does not offer.
 */
export function chooseReaction(emojis: readonly string[]): { emoji: string | undefined; refused: string[] } {
  const mapped = emojis.map((e) => ({ given: e, tg: toTelegramEmoji(e) }));
  const refused = mapped.filter((m) => !ALLOWED.has(m.tg)).map((m) => m.given);
  return { emoji: mapped.at(-1)?.tg, refused };
}
