// XEP-0106 JID Escaping, for turning foreign addresses (email) into JID localparts and back.

const ESCAPES: ReadonlyMap<string, string> = new Map([
  [" ", "\\20"],
  ['"', "\\22"],
  ["&", "\\26"],
  ["'", "\\27"],
  ["/", "\\2f"],
  [":", "\\3a"],
  ["<", "\\3c"],
  [">", "\\3e"],
  ["@", "\\40"],
  ["\\", "\\5c"],
]);

const UNESCAPES: ReadonlyMap<string, string> = new Map(
  [...ESCAPES].map(([char, seq]) => [seq, char]),
);

// The XEP says case is significant: only these lowercase sequences are escapes; "\2F" is text.
const ESCAPE_SEQUENCE = /\\(?:20|22|26|27|2f|3a|3c|3e|40|5c)/g;
const DISALLOWED = /[ "&'/:<>@]/g;

/**
 * Escapes a foreign address for use as a JID localpart.
 * A backslash is escaped (as \5c) only where it would otherwise start one of the escape
 * sequences (\27, \5c, …); any other backslash stays as it is, as the XEP requires.
 */
export function escapeLocalpart(s: string): string {
  return s
    .replace(ESCAPE_SEQUENCE, (seq) => `\\5c${seq.slice(1)}`)
    .replace(DISALLOWED, (char) => ESCAPES.get(char) ?? char);
}

/** Reverses escapeLocalpart; sequences that are not in the XEP's table are left untouched. */
export function unescapeLocalpart(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, (seq) => UNESCAPES.get(seq) ?? seq);
}

export type EscapedLocalpart = { ok: true; localpart: string } | { ok: false; reason: string };

/**
 * escapeLocalpart plus the XEP's rule that an escaped localpart must not begin or end with
 * \20 (a leading or trailing space), and RFC 7622's 1023-byte limit on localparts.
 */
export function tryEscapeLocalpart(s: string): EscapedLocalpart {
  if (s === "") return { ok: false, reason: "the address is empty" };
  if (s.startsWith(" ") || s.endsWith(" ")) {
    return { ok: false, reason: "the address begins or ends with a space" };
  }
  const localpart = escapeLocalpart(s);
  if (Buffer.byteLength(localpart, "utf8") > 1023) {
    return { ok: false, reason: "the address is too long for a JID (over 1023 bytes once escaped)" };
  }
  return { ok: true, localpart };
}
