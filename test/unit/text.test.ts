import { test } from "node:test";
import assert from "node:assert/strict";
import { capBody, cleanText } from "../../src/core/text.ts";

test("cleanText drops what XML 1.0 cannot carry and keeps everything else", () => {
  assert.equal(cleanText("a\u0000b\u0007c\uFFFEd\uFFFF"), "abcd");
  assert.equal(cleanText("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  assert.equal(cleanText("emoji 😀 Привет <&>"), "emoji 😀 Привет <&>");
  assert.equal(cleanText("lone \uD800 surrogate"), "lone  surrogate");
});

test("capBody shortens long text with a note, never splitting a surrogate pair", () => {
  assert.equal(capBody("short", 10), "short");
  const capped = capBody("x".repeat(9) + "😀" + "y".repeat(10), 10);
  assert.ok(capped.startsWith("x".repeat(9) + "\n"), capped);
  assert.match(capped, /12 more characters not shown/);
});
