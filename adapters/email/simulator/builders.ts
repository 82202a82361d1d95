// Ready-made mails from the outside world, for sendMail. Each gets a Message-ID and Date when not given.
import { randomUUID } from "node:crypto";
import type { MailAddress, OutsideAttachment, OutsideMail } from "./types.ts";

interface Common {
  from: string | MailAddress;
  to: string | string[];
  subject: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  date?: Date;
  headers?: Record<string, string>;
}

/** A text/plain mail; UTF-8 anywhere is fine (nodemailer encodes subject and body). */
export function plainTextMail(m: Common & { text: string }): OutsideMail {
  return { ...withIds(m), text: m.text };
}

/** A mail with a text/html part only, no plain-text alternative. */
export function htmlOnlyMail(m: Common & { html: string }): OutsideMail {
  return { ...withIds(m), html: m.html };
}

/** A multipart/mixed mail: optional text body plus attachments. */
export function mailWithAttachment(
  m: Common & { text?: string; attachments: OutsideAttachment[] },
): OutsideMail {
  const out: OutsideMail = { ...withIds(m), attachments: m.attachments };
  if (m.text !== undefined) out.text = m.text;
  return out;
}

/** A fresh Message-ID in the sender's domain, with angle brackets. */
export function newMessageId(from: string | MailAddress): string {
  const address = typeof from === "string" ? from : from.address;
  const domain = address.slice(address.lastIndexOf("@") + 1) || "outside.test";
  return `<${randomUUID()}@${domain}>`;
}

function withIds(m: Common): OutsideMail {
  const out: OutsideMail = {
    from: m.from,
    to: m.to,
    subject: m.subject,
    messageId: m.messageId ?? newMessageId(m.from),
    date: m.date ?? new Date(),
  };
  if (m.inReplyTo !== undefined) out.inReplyTo = m.inReplyTo;
  if (m.references !== undefined) out.references = m.references;
  if (m.headers !== undefined) out.headers = m.headers;
  return out;
}
