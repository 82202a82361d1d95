// The benchmark reads the gateway's own /metrics text to attribute a latency tail: this checks
// that reading against what prom-client really renders, so a format change cannot turn every
// figure into a silent zero.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Metrics } from "../../src/metrics.ts";
import { figuresBetween, parse } from "../../bench/env/gatewayMetrics.ts";

test("the bench counts the gateway's slow database round trips and retried sends between two readings", async () => {
  const metrics = new Metrics();
  metrics.statementTook("outbox_insert_unless_seen", 0.0004);
  metrics.retried("sms");
  const before = parse(await metrics.registry.metrics());

  for (const seconds of [0.0005, 0.002, 0.03, 0.07]) metrics.statementTook("outbox_insert_unless_seen", seconds);
  metrics.statementTook("record_sent", 0.2);
  metrics.retried("sms");
  metrics.retried("telegram");
  const run = figuresBetween(before, parse(await metrics.registry.metrics()));

  assert.equal(run.total, 5);
  assert.deepEqual(run.over, [
    { ms: 25, count: 3 },
    { ms: 50, count: 2 },
    { ms: 100, count: 1 },
  ]);
  assert.equal(run.retries, 2);
});
