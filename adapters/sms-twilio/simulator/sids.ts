import { createHash, randomBytes } from "node:crypto";

/** Twilio sids: two-letter type prefix + 32 lowercase hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/** Stable across restarts, so a standalone simulator keeps the same PN sids for the same config. */
export function stableSid(prefix: string, ...parts: string[]): string {
  return prefix + createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
}

/** Twilio's date format: RFC 2822 with a numeric zone, e.g. `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}
