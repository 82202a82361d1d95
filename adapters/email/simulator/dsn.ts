// RFC 3464 delivery status notifications, as a relay returns them to the original sender.
// The result is a raw message (CRLF line ends) to deliver with MAIL FROM:<> to the gateway.
import { randomBytes, randomUUID } from "node:crypto";
import type { BounceOptions } from "./types.ts";

export interface DsnInput extends BounceOptions {
  /** The MTA writing the report (`Reporting-MTA: dns; …`, `From: MAILER-DAEMON@…`). */
  reportingMta: string;
  /** Header block of the message that failed, returned as text/rfc822-headers. */
  originalHeaders: string;
  /** When the reporting MTA got the original (`Arrival-Date`). */
  arrivalDate?: Date;
}

const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** Build a multipart/report; report-type=delivery-status message. Throws on a malformed status. */
export function buildDsn(input: DsnInput): string {
  if (!STATUS.test(input.status)) throw new Error(`bounce: status must look like 5.1.1, got ${JSON.stringify(input.status)}`);
  for (const [key, v] of Object.entries({ to: input.to, recipient: input.recipient, diagnostic: input.diagnostic })) {
    if (!v || /[\r\n]/.test(v)) throw new Error(`bounce: '${key}' must be a non-empty single line`);
  }
  const action = input.action ?? (input.status.startsWith("4.") ? "delayed" : "failed");
  const mta = input.reportingMta;
  const date = input.date ?? new Date();
  const boundary = `=_dsn_${randomBytes(12).toString("hex")}`;
  const messageId = input.messageId ?? `<${randomUUID()}@${mta}>`;

  const headers = [
    `From: Mail Delivery System <MAILER-DAEMON@${mta}>`,
    `To: <${input.to}>`,
    `Subject: ${action === "failed" ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)"}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${messageId}`,
    "Auto-Submitted: auto-replied",
    `X-Failed-Recipients: ${input.recipient}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];

  const human = [
    action === "failed"
      ? `This is the mail system at host ${mta}.`
      : `This is the mail system at host ${mta}. Delivery is delayed; it will be retried.`,
    "",
    action === "failed"
      ? "I'm sorry to have to inform you that your message could not be delivered to one or more recipients."
      : "Your message has not yet been delivered to one or more recipients.",
    "",
    `<${input.recipient}>: ${input.diagnostic}`,
  ];

  const perMessage = [`Reporting-MTA: dns; ${mta}`];
  if (input.arrivalDate) perMessage.push(`Arrival-Date: ${input.arrivalDate.toUTCString().replace("GMT", "+0000")}`);
  const perRecipient = [
    `Final-Recipient: rfc822; ${input.recipient}`,
    `Original-Recipient: rfc822; ${input.recipient}`,
    `Action: ${action}`,
    `Status: ${input.status}`,
  ];
  if (input.remoteMta) perRecipient.push(`Remote-MTA: dns; ${input.remoteMta}`);
  perRecipient.push(`Diagnostic-Code: smtp; ${input.diagnostic}`);

  const original = input.originalHeaders.replace(/\r?\n/g, "\r\n").replace(/(\r\n)+$/, "");
  const textHeaders = (s: string) =>
    // The returned headers may carry raw 8-bit bytes (SMTPUTF8 mail); say so rather than lie with 7bit.
    /[^\x00-\x7f]/.test(s) ? ["Content-Transfer-Encoding: 8bit"] : ["Content-Transfer-Encoding: 7bit"];

  const lines = [
    ...headers,
    "",
    "This is a MIME-encapsulated message.",
    "",
    `--${boundary}`,
    "Content-Description: Notification",
    "Content-Type: text/plain; charset=utf-8",
    ...textHeaders(human.join("")),
    "",
    ...human,
    "",
    `--${boundary}`,
    "Content-Description: Delivery report",
    "Content-Type: message/delivery-status",
    "",
    ...perMessage,
    "",
    ...perRecipient,
    "",
    `--${boundary}`,
    "Content-Description: Undelivered Message Headers",
    "Content-Type: text/rfc822-headers",
    ...textHeaders(original),
    "",
    original,
    "",
    `--${boundary}--`,
    "",
  ];
  return lines.join("\r\n");
}
