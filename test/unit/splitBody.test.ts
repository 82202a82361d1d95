import { test } from "node:test";
import assert from "node:assert/strict";
import { splitBody } from "../../src/core/splitBody.ts";

test("a body within the limit is one part", () => {
  assert.deepEqual(splitBody("hello", 10), ["hello"]);
});

test("long bodies split in order at whitespace, and rejoin to the original exactly", () => {
  const body = "alpha beta gamma delta epsilon zeta eta theta";
  const parts = splitBody(body, 12);
  assert.ok(parts.every((p) => p.length <= 12), JSON.stringify(parts));
  assert.equal(parts.join(""), body);
  assert.equal(parts[0], "alpha beta ");
});

test("a surrogate pair is never cut in half", () => {
  const body = "a".repeat(9) + "😀" + "b".repeat(5);
  const parts = splitBody(body, 10);
  assert.equal(parts[0], "a".repeat(9));
  assert.equal(parts.join(""), body);
  for (const p of parts) assert.doesNotMatch(p, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
});
