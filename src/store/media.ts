import type { DataSource, EntityManager } from "typeorm";
import { randomBytes } from "node:crypto";
import { one, rows } from "./sql.ts";

export interface StoredMedia {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * Files received from networks, served to the user's client by URL. The token is 256 random bits:
 * whoever has the link may fetch the file, nobody can guess one. Deleted with the registration.
 */
export class MediaStore {
  constructor(private readonly ds: DataSource) {}

  async add(db: EntityManager, registrationId: string, file: StoredMedia): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await rows(
      db,
      `INSERT INTO media (token, registration_id, file_name, content_type, size, content) VALUES ($1, $2, $3, $4, $5, $6)`,
      [token, registrationId, file.fileName, file.contentType, file.content.length, file.content],
    );
    return token;
  }

  get(token: string): Promise<StoredMedia | undefined> {
    return one(this.ds.manager, `SELECT file_name AS "fileName", content_type AS "contentType", content FROM media WHERE token = $1`, [token]);
  }
}
