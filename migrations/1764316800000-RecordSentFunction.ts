import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Recording that the network accepted parts is the hottest write of the outbound path. Done as
 * five statements per part (BEGIN, lock, update, early-report check, COMMIT) it cost five round
 * trips per message; as one call for every part recorded at the same moment, one per batch. The
 * lock is the one DeliveryReports takes for the same network id, so a status callback racing the
 * record either sees the id or leaves an early report that this function sees (each statement
 * inside takes a fresh snapshot under READ COMMITTED). Returns the parts whose caller must take
 * the full path: an early report waits, or a receipt is due.
 */
export class RecordSentFunction1764316800000 implements MigrationInterface {
  name = "RecordSentFunction1764316800000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION switchboard_record_sent(p_parts bigint[], p_network_ids text[], p_delivered boolean[]) RETURNS SETOF bigint
      LANGUAGE plpgsql AS $$
      DECLARE
        i int;
        wants boolean;
      BEGIN
        FOR i IN 1 .. coalesce(array_length(p_parts, 1), 0) LOOP
          PERFORM pg_advisory_xact_lock(hashtextextended(p_network_ids[i], 1));
          UPDATE outbox SET state = CASE WHEN p_delivered[i] AND NOT want_receipt THEN 'delivered' ELSE 'sent' END,
                 network_id = p_network_ids[i], body = NULL, last_error = NULL, updated_at = now()
          WHERE id = p_parts[i]
          RETURNING want_receipt INTO wants;
          IF (p_delivered[i] AND coalesce(wants, false)) OR EXISTS (SELECT 1 FROM early_reports WHERE network_id = p_network_ids[i]) THEN
            RETURN NEXT p_parts[i];
          END IF;
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION switchboard_record_sent(bigint[], text[], boolean[])`);
  }
}
