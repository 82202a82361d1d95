import { EntitySchema } from "typeorm";

/**
 * Entity schemas for the tables the admin side reads through TypeORM repositories. Columns carry
 * explicit types because tsx gives TypeORM no decorator metadata. Hot paths use SQL (src/store/*).
 */
export interface UserRow {
  id: string;
  jid: string;
  createdAt: Date;
}

export interface RegistrationRow {
  id: string;
  userId: string;
  network: string;
  legacyAccountId: string;
  credentials: string | null;
  settings: Record<string, unknown>;
  state: string;
  stateReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContactRow {
  id: string;
  registrationId: string;
  legacyAddress: string;
  displayName: string | null;
  subscription: string;
  createdAt: Date;
}

export const UserEntity = new EntitySchema<UserRow>({
  name: "User",
  tableName: "users",
  columns: {
    id: { type: "bigint", primary: true, generated: "increment" },
    jid: { type: "text", unique: true },
    createdAt: { type: "timestamptz", name: "created_at", createDate: true },
  },
});

export const RegistrationEntity = new EntitySchema<RegistrationRow>({
  name: "Registration",
  tableName: "registrations",
  columns: {
    id: { type: "bigint", primary: true, generated: "increment" },
    userId: { type: "bigint", name: "user_id" },
    network: { type: "text" },
    legacyAccountId: { type: "text", name: "legacy_account_id" },
    credentials: { type: "text", nullable: true },
    settings: { type: "jsonb" },
    state: { type: "text" },
    stateReason: { type: "text", name: "state_reason", nullable: true },
    createdAt: { type: "timestamptz", name: "created_at", createDate: true },
    updatedAt: { type: "timestamptz", name: "updated_at", updateDate: true },
  },
});

export const ContactEntity = new EntitySchema<ContactRow>({
  name: "Contact",
  tableName: "contacts",
  columns: {
    id: { type: "bigint", primary: true, generated: "increment" },
    registrationId: { type: "bigint", name: "registration_id" },
    legacyAddress: { type: "text", name: "legacy_address" },
    displayName: { type: "text", name: "display_name", nullable: true },
    subscription: { type: "text" },
    createdAt: { type: "timestamptz", name: "created_at", createDate: true },
  },
});

export const entities = [UserEntity, RegistrationEntity, ContactEntity];
