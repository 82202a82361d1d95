import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AcceptResult, NetworkName } from "./core/adapter.ts";

/** Prometheus metrics of one gateway process (its own registry: no global state). */
export class Metrics {
  readonly registry = new Registry();
  private readonly sentTotal = new Counter({ name: "switchboard_outbound_sent_total", help: "Message parts accepted by the network", labelNames: ["network"], registers: [this.registry] });
  private readonly failedTotal = new Counter({ name: "switchboard_outbound_failed_total", help: "Messages that failed for good", labelNames: ["network"], registers: [this.registry] });
  private readonly retriedTotal = new Counter({ name: "switchboard_outbound_retries_total", help: "Transient send failures that were retried", labelNames: ["network"], registers: [this.registry] });
  private readonly receivedTotal = new Counter({ name: "switchboard_inbound_total", help: "Inbound network messages by outcome", labelNames: ["network", "result"], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: "switchboard_queue_depth", help: "Rows waiting in the durable queues", labelNames: ["queue"], registers: [this.registry] });
  // Buckets from a healthy local commit (under a millisecond) to a stalled disk (tens to hundreds).
  private readonly statementSeconds = new Histogram({
    name: "switchboard_db_statement_seconds",
    help: "Round trip of the message path's database statements (durable writes and keyed reads), by statement",
    labelNames: ["statement"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "switchboard_" });
  }

  sent(network: NetworkName): void {
    this.sentTotal.inc({ network });
  }
  failed(network: NetworkName): void {
    this.failedTotal.inc({ network });
  }
  retried(network: NetworkName): void {
    this.retriedTotal.inc({ network });
  }
  received(network: string, result: AcceptResult): void {
    this.receivedTotal.inc({ network, result });
  }
  statementTook(statement: string, seconds: number): void {
    this.statementSeconds.observe({ statement }, seconds);
  }
}
