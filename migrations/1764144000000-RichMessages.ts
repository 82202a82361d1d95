import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What networks richer than SMS need: corrections, retractions, reactions and replies in the
 * outbox, subjects and threads, a receiving cursor per registration (Telegram's getUpdates
 * offset), and files the gateway serves to users under unguessable URLs.
 */
export class RichMessages1764144000000 implements MigrationInterface {
  name = "RichMessages1764144000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE registrations ADD COLUMN cursor text`);
    await q.query(`ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'message'`);
    // XMPP ids, resolved to network ids only when sent (the target may still be queued itself).
    await q.query(`ALTER TABLE outbox ADD COLUMN target_id text`);
    await q.query(`ALTER TABLE outbox ADD COLUMN reply_to text`);
    await q.query(`ALTER TABLE outbox ADD COLUMN subject text`);
    await q.query(`ALTER TABLE outbox ADD COLUMN thread text`);
    await q.query(`ALTER TABLE outbox ADD COLUMN emojis jsonb`);
    await q.query(`CREATE INDEX inbox_stanza_id ON inbox (contact_id, stanza_id)`);
    await q.query(`
      CREATE TABLE media (
        token text PRIMARY KEY,
        registration_id bigint NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
        file_name text NOT NULL,
        content_type text NOT NULL,
        size int NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE media`);
    await q.query(`DROP INDEX inbox_stanza_id`);
    for (const column of ["emojis", "thread", "subject", "reply_to", "target_id", "kind"]) {
      await q.query(`ALTER TABLE outbox DROP COLUMN ${column}`);
    }
    await q.query(`ALTER TABLE registrations DROP COLUMN cursor`);
  }
}
