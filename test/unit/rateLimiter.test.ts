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

test("a long busy stretch keeps counting exactly: the window holds the last minute only", () => {
  let now = 0;
  const limiter = new RateLimiter(3000, () => now);
  // 10 events a second for ten minutes: 600 per minute, always under the limit.
  for (let i = 0; i < 6000; i++, now += 100) assert.equal(limiter.take("busy"), true);
  // Then a burst up to the limit: the 599 events of the last minute (540.1 s … 599.9 s) are still
  // in the window, so 2401 more fit, not 3000.
  let allowed = 0;
  while (limiter.take("busy")) allowed++;
  assert.equal(allowed, 2401);
  assert.equal(limiter.retryAfterSeconds("busy"), 1, "the oldest event in the window leaves within a second");
});
