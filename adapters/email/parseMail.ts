// An inbound mail's bytes → what the gateway needs of it: a chat message's parts, or a delivery report.
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import type { IncomingAttachment } from "../../src/core/adapter.ts";
import { normalizeAddress } from "./addresses.ts";
import { type DsnOutcome, dsnToReport, isDsn } from "./bounces.ts";
import { bareMessageId, messageIds, syntheticMessageId, threadOf } from "./ids.ts";
import { trimReply } from "./trimReply.ts";

// A chat message, not an archive: beyond this the body is cut (a stanza of megabytes would strain
// every XMPP server and client on the way). Attachments are not affected.
export const MAX_BODY_CHARS = 100_000;

/** A mail as the parts of a chat message. */
export interface MailContent {
  kind: "message";
  /** Without brackets; synthetic (a hash of the bytes) when the mail had none. */
  messageId: string;
  /** Canonical address from the From header, when it has a usable one. */
  from: string | undefined;
  fromName: string | undefined;
  subject: string | undefined;
  body: string;
  /** The XMPP thread: the mail thread's root (first References id), else the parent, else this mail. */
  thread: string;
  /** In-Reply-To, without brackets. */
  replyTo: string | undefined;
  attachments: IncomingAttachment[];
  sentAt: Date | undefined;
}

export type ParsedInbound = MailContent | ({ kind: "dsn" } & DsnOutcome);

/**
 * Parses with mailparser, which recovers what it can from broken MIME (bad encodings, unclosed
 * parts, garbage headers); it throws only on input it can't read at all, and so does this.
 */
export async function parseMail(raw: Buffer, addressDomain: string): Promise<ParsedInbound> {
  const parsed = await simpleParser(raw, {
    keepDeliveryStatus: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    keepCidLinks: true,
  });
  if (isDsn(parsed)) return { kind: "dsn", ...dsnToReport(parsed, addressDomain) };

  const messageId = bareMessageId(parsed.messageId) ?? syntheticMessageId(raw);
  const replyTo = bareMessageId(parsed.inReplyTo);
  const root = messageIds(parsed.references)[0] ?? replyTo ?? messageId;
  const sender = firstAddress(parsed.from);
  const subject = parsed.subject?.trim();
  return {
    kind: "message",
    messageId,
    from: normalizeAddress(sender?.address),
    fromName: sender?.name.trim() || undefined,
    subject: subject === "" ? undefined : subject,
    body: bodyOf(parsed),
    thread: threadOf(root, addressDomain),
    replyTo,
    attachments: parsed.attachments.map((a, i) => ({
      fileName: a.filename ?? `attachment-${i + 1}`,
      contentType: a.contentType,
      content: a.content,
    })),
    sentAt: parsed.headers.has("date") && parsed.date instanceof Date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : undefined,
  };
}

/** The text part (for HTML-only mail, mailparser's conversion of the HTML), as the new text only. */
function bodyOf(parsed: ParsedMail): string {
  let body = trimReply(parsed.text ?? "");
  // mailparser leaves the text empty when the HTML was too big or too deeply nested to convert.
  const conversionFailed = (parsed as ParsedMail & { textConversionError?: unknown }).textConversionError !== undefined;
  if (body === "" && conversionFailed) body = "(This mail has only HTML that could not be turned into text.)";
  if (body.length > MAX_BODY_CHARS) {
    body = `${body.slice(0, MAX_BODY_CHARS)}\n\n(The rest of this mail, ${body.length - MAX_BODY_CHARS} more characters, was cut.)`;
  }
  return body;
}

function firstAddress(v: AddressObject | AddressObject[] | undefined): { name: string; address: string } | undefined {
  for (const obj of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
    for (const entry of obj.value) {
      for (const m of entry.group ?? [entry]) {
        if (m.address) return { name: m.name, address: m.address };
      }
    }
  }
  return undefined;
}
