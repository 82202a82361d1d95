// Random text that is still legal XML character data (hostile characters live in hostile.ts).
import type { Rng } from "../../test/support/rng.ts";

const PALETTES: readonly string[] = [
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "0123456789+-() ",
  "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  "éüßçñøåæœ€£¥©®™°±×÷",
  "中文日本語한국어русскийΕλληνικάעבריתالعربية",
  "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069\ufeff",
  "\u0301\u0308\u0327\u20dd",
  "\t\n\r ",
];
const EMOJI = ["🙂", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "𝕏", "🀄", "\u{1F600}"];
const NASTY = [
  "'; DROP TABLE users; --",
  "${SB_LOG_LEVEL}",
  "${TWILIO_AUTH_TOKEN}",
  "{{7*7}}",
  "%s%s%s%n",
  "\\x00",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "NaN",
  "-1",
  "1e309",
  "\\40",
  "@",
  "/",
  "+",
  "",
];

/** Up to maxLen characters of mixed scripts, emoji, bidi controls and injection classics. */
export function randomText(rng: Rng, maxLen: number): string {
  const len = rng.int(0, maxLen);
  let s = "";
  while (s.length < len) {
    const r = rng.next();
    if (r < 0.08) s += rng.pick(EMOJI);
    else if (r < 0.12) s += rng.pick(NASTY);
    else {
      const palette = rng.pick(PALETTES);
      const chars = [...palette];
      s += rng.pick(chars);
    }
  }
  return s;
}

export function nasty(rng: Rng): string {
  return rng.pick(NASTY);
}

/** A string of `size` characters, cheap to build, for size limits. */
export function bulk(size: number, unit = "0123456789abcdef"): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}
