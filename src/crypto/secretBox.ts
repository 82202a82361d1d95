import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** Encrypts network credentials (auth tokens, bot tokens) before they are stored. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export type SecretBoxFailure = "format" | "authentication";

export class SecretBoxError extends Error {
  readonly reason: SecretBoxFailure;
  constructor(reason: SecretBoxFailure, message: string) {
    super(message);
    this.name = "SecretBoxError";
    this.reason = reason;
  }
}

const PREFIX = "v1.";
// Changing this string (or the empty salt) makes every stored credential unreadable.
const HKDF_INFO = "switchboard credentials v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function createSecretBox(secretKey: string): SecretBox {
  if (secretKey === "") throw new RangeError("secretKey must not be empty");
  const key = Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), HKDF_INFO, 32));

  return {
    seal(plaintext: string): string {
      // A fresh IV every time: GCM loses both secrecy and integrity if one repeats under a key.
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return PREFIX + Buffer.concat([iv, tag, ciphertext]).toString("base64url");
    },

    open(sealed: string): string {
      if (!sealed.startsWith(PREFIX)) {
        throw new SecretBoxError("format", 'not a sealed secret: expected a value starting with "v1."');
      }
      const body = sealed.slice(PREFIX.length);
      // Buffer.from silently skips characters that are not base64url; a stray one means damage.
      if (!BASE64URL.test(body)) {
        throw new SecretBoxError("format", "not a sealed secret: the value is not base64url");
      }
      const bytes = Buffer.from(body, "base64url");
      if (bytes.length < IV_BYTES + TAG_BYTES) {
        throw new SecretBoxError("format", "not a sealed secret: the value is truncated");
      }
      const iv = bytes.subarray(0, IV_BYTES);
      const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        // GCM cannot tell a different key from altered bytes; both fail the tag check.
        throw new SecretBoxError(
          "authentication",
          "cannot open sealed secret: it was sealed with a different secretKey, or it was altered",
        );
      }
    },
  };
}
