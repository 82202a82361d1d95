import type { DataSource } from "typeorm";

/**
 * How long rows that only grow are kept. Early reports name network ids we may never send (a
 * signed but stray callback); dedup keys only need to outlive a network's retries; unroutable
 * messages are for the operator to look at, not to keep forever.
 */
export const RETENTION = {
  earlyReports: "1 day",
  inboundKeys: "30 days",
  unroutable: "30 days",
  /** The text of a message that ran out of retries, kept for `switchboard queue retry`. */
  retryableFailures: "7 days",
} as const;

export async function pruneExpired(ds: DataSource): Promise<void> {
  await ds.query(`DELETE FROM early_reports WHERE received_at < now() - $1::interval`, [RETENTION.earlyReports]);
  await ds.query(`DELETE FROM inbound_keys WHERE received_at < now() - $1::interval`, [RETENTION.inboundKeys]);
  await ds.query(`DELETE FROM unroutable_inbound WHERE received_at < now() - $1::interval`, [RETENTION.unroutable]);
  await ds.query(`UPDATE outbox SET body = NULL, retryable = false WHERE state = 'failed' AND retryable AND updated_at < now() - $1::interval`, [
    RETENTION.retryableFailures,
  ]);
}
