import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Whether a failed part failed for good (the network refused it) or ran out of retries (the
 * network could not be reached): only the latter is worth sending again, which `switchboard queue
 * retry` does. Such a part keeps its body while it waits for the operator (pruned after 7 days).
 */
export class RetryableFailures1764403200000 implements MigrationInterface {
  name = "RetryableFailures1764403200000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN retryable boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX outbox_retryable_failed ON outbox (contact_id) WHERE state = 'failed' AND retryable`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_retryable_failed`);
    await q.query(`ALTER TABLE outbox DROP COLUMN retryable`);
  }
}
