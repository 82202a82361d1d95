import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Recording that the network accepted a part is the hottest write of the outbound path. Done as
 * five statements (BEGIN, lock, update, early-report check, COMMIT) it costs five round trips per
 * message; as one function call, one. The lock is the one DeliveryReports takes for the same
 * network id, so a status callback racing the record either sees the id or leaves an early report
 * that this function sees (each statement inside takes a fresh snapshot under READ COMMITTED).
 * Returns true when the caller must take the full path (an early report waits, or a receipt is due).
 */
export class RecordSentFunction1764316800000 implements MigrationInterface {
  name = "RecordSentFunction1764316800000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION switchboard_record_sent(p_part bigint, p_network_id text, p_delivered boolean) RETURNS boolean
      LANGUAGE plpgsql AS $$
      DECLARE
        wants boolean;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_network_id, 1));
        UPDATE outbox SET state = CASE WHEN p_delivered AND NOT want_receipt THEN 'delivered' ELSE 'sent' END,
               network_id = p_network_id, body = NULL, last_error = NULL, updated_at = now()
        WHERE id = p_part
        RETURNING want_receipt INTO wants;
        RETURN (p_delivered AND coalesce(wants, false)) OR EXISTS (SELECT 1 FROM early_reports WHERE network_id = p_network_id);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION switchboard_record_sent(bigint, text, boolean)`);
  }
}
