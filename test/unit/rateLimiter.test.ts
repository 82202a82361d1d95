import { test } from "node:test";
import assert from "node:assert/strict";
import { RateLimiter } from "../../src/core/rateLimiter.ts";

test("allows the limit per minute per key, then refuses until the window slides", () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(3, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("alice")), [true, true, true, false]);
  assert.equal(limiter.take("bob"), true, "keys are independent");
  assert.equal(limiter.retryAfterSeconds("alice"), 60);
  now += 30_000;
  assert.equal(limiter.take("alice"), false);
  now += 30_001;
  assert.equal(limiter.take("alice"), true, "the first event left the window");
});
