import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Contacts are unique per registration regardless of letter case: JIDs fold case, so a user
 * writing to bob.smith\40example.net must reach the contact first seen as Bob.Smith@example.net,
 * whose original spelling is kept in legacy_address.
 */
export class ContactAddressCase1764230400000 implements MigrationInterface {
  name = "ContactAddressCase1764230400000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contacts DROP CONSTRAINT contacts_registration_address`);
    await q.query(`CREATE UNIQUE INDEX contacts_registration_address ON contacts (registration_id, lower(legacy_address))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX contacts_registration_address`);
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT contacts_registration_address UNIQUE (registration_id, legacy_address)`);
  }
}
