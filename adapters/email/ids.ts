// What email identifiers look like to the rest of the gateway.
//
// A network id is a Message-ID *without* its angle brackets ("3f2a…@mail.example.org"): the form
// `send` returns, inbound messages carry as networkId/replyTo/thread, and DSNs are matched on. The
// brackets are added back only when writing In-Reply-To/References headers.
import { createHash } from "node:crypto";

// RFC 5322 msg-id, leniently: no whitespace, brackets or quotes, one @ with text on both sides.
const MSG_ID = /^[^\s<>"@]+@[^\s<>"@]+$/;
const MAX_ID_LENGTH = 250;

/**
 * The Message-ID of the mail carrying one queued part, in our address domain: the same on every
 * attempt. SMTP cannot be asked whether a mail whose answer was lost got through, so such a part
 * is sent again; with the same Message-ID, receivers that drop a repeated Message-ID (Gmail,
 * many mail programs) show it once. Derived from the part's content as well as its id, so a
 * reused id (a database started afresh) never makes a different mail look like a repeat.
 */
export function partMessageId(addressDomain: string, part: { id: string; from: string; to: string; subject: string; body: string }): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([part.id, part.from, part.to, part.subject, part.body]))
    .digest("base64url")
    .slice(0, 32);
  return `${digest}@${addressDomain}`;
}

/** `<id>` for a header. */
export function headerId(id: string): string {
  return `<${id}>`;
}

/**
 * The first msg-id in a header value ("<a@b>", "<a@b> <c@d>", or a bare "a@b" from a sloppy
 * mailer), without brackets; undefined when there is none we could safely write back in a header.
 */
export function bareMessageId(value: string | undefined): string | undefined {
  return messageIds(value)[0];
}

/** Every msg-id in References-like values, in order, without brackets. */
export function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const v of Array.isArray(value) ? value : [value]) {
    const bracketed = [...v.matchAll(/<([^<>]*)>/g)].map((m) => m[1] ?? "");
    for (const raw of bracketed.length > 0 ? bracketed : v.split(/\s+/)) {
      const id = raw.trim();
      if (id.length <= MAX_ID_LENGTH && MSG_ID.test(id)) out.push(id);
    }
  }
  return out;
}

// An XMPP <thread/> a client made up is usually no msg-id. It becomes one in our domain so the
// mail thread has a root the recipient's reply will name again, and is decoded back on the way in.
const THREAD_SUFFIX = ".thread";

/** The msg-id standing for an XMPP thread: the thread itself when it already is one (it came from mail). */
export function threadReference(thread: string, addressDomain: string): string {
  if (thread.length <= MAX_ID_LENGTH && MSG_ID.test(thread)) return thread;
  return `${Buffer.from(thread, "utf8").toString("base64url")}${THREAD_SUFFIX}@${addressDomain}`;
}

/** The XMPP thread for a mail thread's root msg-id (the inverse of threadReference). */
export function threadOf(rootId: string, addressDomain: string): string {
  const at = rootId.lastIndexOf("@");
  const left = rootId.slice(0, at);
  if (rootId.slice(at + 1).toLowerCase() !== addressDomain.toLowerCase() || !left.endsWith(THREAD_SUFFIX)) return rootId;
  const encoded = left.slice(0, -THREAD_SUFFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return rootId;
  const thread = Buffer.from(encoded, "base64url").toString("utf8");
  // Only an exact round trip counts: anything else is someone else's id that happens to look alike.
  return threadReference(thread, addressDomain) === rootId ? thread : rootId;
}

/** True when `id` is a Message-ID this gateway made (so a report about it is worth the core's time). */
export function isOurMessageId(id: string, addressDomain: string): boolean {
  return id.slice(id.lastIndexOf("@") + 1).toLowerCase() === addressDomain.toLowerCase();
}

/**
 * The core dedups inbound keys per network, not per account: one mail to two of our users must
 * give two keys, and a repeat of it to the same user the same key.
 */
export function inboundKey(account: string, messageId: string): string {
  return `${account}:${messageId}`;
}

/** Stands in for a missing or unusable Message-ID: the same bytes delivered again give the same id. */
export function syntheticMessageId(raw: Buffer): string {
  return `${createHash("sha256").update(raw).digest("hex").slice(0, 40)}@no-message-id.invalid`;
}
