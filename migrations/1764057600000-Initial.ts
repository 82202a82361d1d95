import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The first schema: users, their per-network registrations, contacts, the durable outbound queue
 * (which is also the XMPP id ↔ network id map for what users send), the inbox of events waiting to
 * reach XMPP (with the map for what contacts send), inbound dedup keys and unroutable inbound.
 */
export class Initial1764057600000 implements MigrationInterface {
  name = "Initial1764057600000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        jid text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE registrations (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        network text NOT NULL,
        legacy_account_id text NOT NULL,
        credentials text,
        settings jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL DEFAULT 'active',
        state_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT registrations_user_network UNIQUE (user_id, network),
        CONSTRAINT registrations_legacy_account UNIQUE (network, legacy_account_id)
      )`);
    await q.query(`
      CREATE TABLE contacts (
        id bigserial PRIMARY KEY,
        registration_id bigint NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
        legacy_address text NOT NULL,
        display_name text,
        subscription text NOT NULL DEFAULT 'none',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contacts_registration_address UNIQUE (registration_id, legacy_address)
      )`);
    // One row per network message part (an SMS body over the limit becomes several rows).
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        xmpp_id text,
        sender_jid text,
        part int NOT NULL DEFAULT 0,
        parts int NOT NULL DEFAULT 1,
        body text,
        media jsonb,
        want_receipt boolean NOT NULL DEFAULT false,
        state text NOT NULL DEFAULT 'accepted',
        network_id text,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        attempt_started_at timestamptz,
        last_error text,
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (contact_id, id) WHERE state IN ('accepted', 'sending')`);
    await q.query(`CREATE INDEX outbox_network_id ON outbox (network_id) WHERE network_id IS NOT NULL`);
    await q.query(`CREATE INDEX outbox_xmpp_id ON outbox (contact_id, xmpp_id)`);
    // Events for the user's XMPP client, kept until the component link has passed them on.
    await q.query(`
      CREATE TABLE inbox (
        id bigserial PRIMARY KEY,
        registration_id bigint NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
        contact_id bigint REFERENCES contacts(id) ON DELETE CASCADE,
        kind text NOT NULL,
        stanza_id uuid NOT NULL DEFAULT gen_random_uuid(),
        network_id text,
        body text,
        payload jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL DEFAULT 'pending',
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX inbox_pending ON inbox (registration_id, id) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX inbox_network_id ON inbox (contact_id, network_id) WHERE network_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE inbound_keys (
        network text NOT NULL,
        key text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network, key)
      )`);
    // A network's report on a message can beat our own record of its network id (Twilio calls
    // back before its API answer has been stored): keep it until the id is known.
    await q.query(`
      CREATE TABLE early_reports (
        network_id text NOT NULL,
        state text NOT NULL,
        error_code text,
        error_text text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network_id, state)
      )`);
    await q.query(`
      CREATE TABLE unroutable_inbound (
        id bigserial PRIMARY KEY,
        network text NOT NULL,
        legacy_account_id text NOT NULL,
        sender text NOT NULL,
        body text,
        payload jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ["unroutable_inbound", "early_reports", "inbound_keys", "inbox", "outbox", "contacts", "registrations", "users"]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
