/**
 * Splits a body into parts of at most `max` UTF-16 code units (the unit SMS and Telegram limits
 * are counted in), preferring to break after whitespace and never inside a surrogate pair.
 */
export function splitBody(body: string, max: number): string[] {
  if (body.length <= max) return [body];
  const parts: string[] = [];
  let rest = body;
  while (rest.length > max) {
    let cut = max;
    const space = lastWhitespace(rest, max);
    if (space > max / 2) cut = space;
    else if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

function lastWhitespace(s: string, max: number): number {
  for (let i = max; i > 0; i--) {
    if (/\s/.test(s[i - 1]!)) return i;
  }
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
