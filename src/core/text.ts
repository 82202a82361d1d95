/**
 * Text from networks made safe to store and to carry in XMPP: characters XML 1.0 cannot carry
 * (control characters, NUL — which PostgreSQL text cannot hold either — lone surrogates,
 * U+FFFE/U+FFFF) would break the component stream for everyone, so they are dropped.
 */
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function cleanText(text: string): string {
  return text.replace(NOT_XML_CHAR, "");
}

/**
 * The longest body the gateway passes to XMPP (in UTF-16 code units). XMPP servers cap stanza
 * size (Prosody: 512 KiB on component streams); a bigger stanza would cut the link, so longer
 * text is shortened with a note.
 */
export const MAX_INBOUND_BODY = 100_000;

export function capBody(text: string, max = MAX_INBOUND_BODY): string {
  if (text.length <= max) return text;
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}\n[… ${text.length - cut} more characters not shown]`;
}
