// Turns the bytes a relay session delivered into a ReceivedMail, through mailparser.
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import type { MailAddress, ReceivedAttachment, ReceivedMail } from "./types.ts";

export interface SessionFacts {
  id: string;
  envelope: { from: string; to: string[] };
  authUser: string | null;
  receivedAt: Date;
}

/** Parse `raw`; a message mailparser cannot read is still kept, with `parseError` set. */
export async function toReceivedMail(raw: Buffer, facts: SessionFacts): Promise<ReceivedMail> {
  const base: ReceivedMail = {
    ...facts,
    references: [],
    to: [],
    cc: [],
    attachments: [],
    headers: new Map(),
    headerLines: [],
    rawHeaders: headerBlock(raw),
    raw,
  };
  let parsed: ParsedMail;
  try {
    // keepCidLinks: the HTML stays as sent; attachments are not inlined into it as data: URLs.
    parsed = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true });
  } catch (err) {
    return { ...base, parseError: (err as Error).message };
  }

  const mail: ReceivedMail = {
    ...base,
    references: toList(parsed.references),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    attachments: parsed.attachments.map(attachment),
    headers: parsed.headers,
    headerLines: parsed.headerLines,
  };
  if (parsed.messageId !== undefined) mail.messageId = parsed.messageId;
  if (parsed.inReplyTo !== undefined) mail.inReplyTo = parsed.inReplyTo;
  if (parsed.subject !== undefined) mail.subject = parsed.subject;
  const from = addresses(parsed.from)[0];
  if (from) mail.from = from;
  if (parsed.headers.has("date") && parsed.date) mail.date = parsed.date;
  const dkim = parsed.headerLines.find((l) => l.key === "dkim-signature");
  if (dkim) mail.dkimSignature = unfold(dkim.line.slice(dkim.line.indexOf(":") + 1));
  if (parsed.text !== undefined) mail.text = parsed.text;
  if (typeof parsed.html === "string") mail.html = parsed.html;
  return mail;
}

/** The header block: everything before the first empty line, line ends as received. */
export function headerBlock(raw: Buffer): string {
  const text = raw.toString("latin1");
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  return Buffer.from(head, "latin1").toString("utf8");
}

function toList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/\s+/)).filter(Boolean);
}

function addresses(v: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!v) return [];
  const out: MailAddress[] = [];
  for (const obj of Array.isArray(v) ? v : [v]) {
    for (const e of obj.value) {
      const members = e.group ?? [e];
      for (const m of members) if (m.address !== undefined) out.push({ name: m.name, address: m.address });
    }
  }
  return out;
}

function attachment(a: ParsedMail["attachments"][number]): ReceivedAttachment {
  const out: ReceivedAttachment = { contentType: a.contentType, size: a.size, content: a.content };
  if (a.filename !== undefined) out.filename = a.filename;
  if (a.cid !== undefined) out.cid = a.cid;
  if (a.contentDisposition !== undefined) out.disposition = a.contentDisposition;
  return out;
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, " ").trim();
}
