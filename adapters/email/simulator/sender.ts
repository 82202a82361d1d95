// The outside world writing to the gateway: a real SMTP session through nodemailer.
import { createTransport, type NodemailerError, type SendMailOptions } from "nodemailer";
import type { OutsideMail, RecipientRejection, SmtpOutcome, SmtpStage, SmtpTarget } from "./types.ts";

export interface SendOptions {
  /** EHLO name. Default `mx.outside.test`. */
  name?: string;
  /** Connection, greeting and socket timeouts in ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * Deliver `mail` to an SMTP server (plain TCP, no STARTTLS) and report what it answered.
 * A refusal at any step resolves with its code; only a failure without an SMTP reply
 * (refused connection, dropped socket, timeout) rejects.
 */
export async function sendMail(target: SmtpTarget, mail: OutsideMail, opts: SendOptions = {}): Promise<SmtpOutcome> {
  const timeout = opts.timeoutMs ?? 5_000;
  const transport = createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    ignoreTLS: true,
    name: opts.name ?? "mx.outside.test",
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  const recipients = mail.envelope?.to ?? [...list(mail.to), ...list(mail.cc)];
  try {
    const info = await transport.sendMail(toNodemailer(mail));
    return {
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      code: replyCode(info.response),
      response: info.response,
      stage: "message",
      rejectedErrors: rejections(info.rejectedErrors),
    };
  } catch (err) {
    const e = err as NodemailerError;
    if (typeof e.responseCode !== "number") throw err;
    const rejectedErrors = rejections(e.rejectedErrors);
    return {
      accepted: [],
      rejected: e.rejected ?? recipients,
      code: e.responseCode,
      response: e.response ?? e.message,
      stage: stageOf(e),
      rejectedErrors,
    };
  } finally {
    transport.close();
  }
}

function toNodemailer(mail: OutsideMail): SendMailOptions {
  const out: SendMailOptions = {
    from: mail.from,
    to: mail.to,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (mail.cc !== undefined) out.cc = mail.cc;
  if (mail.subject !== undefined) out.subject = mail.subject;
  if (mail.text !== undefined) out.text = mail.text;
  if (mail.html !== undefined) out.html = mail.html;
  if (mail.messageId !== undefined) out.messageId = mail.messageId;
  if (mail.inReplyTo !== undefined) out.inReplyTo = mail.inReplyTo;
  if (mail.references !== undefined) out.references = mail.references;
  if (mail.date !== undefined) out.date = mail.date;
  if (mail.headers !== undefined) out.headers = mail.headers;
  if (mail.envelope !== undefined) out.envelope = mail.envelope;
  if (mail.attachments !== undefined) {
    out.attachments = mail.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType === undefined ? {} : { contentType: a.contentType }),
      ...(a.cid === undefined ? {} : { cid: a.cid }),
    }));
  }
  return out;
}

function stageOf(e: NodemailerError): SmtpStage {
  switch (e.command) {
    case "MAIL FROM":
      return "mail";
    case "RCPT TO":
      return "rcpt";
    case "DATA":
      // nodemailer names both the DATA command and the end-of-data reply "DATA".
      return e.code === "EMESSAGE" ? "message" : "data";
    case "EHLO":
    case "HELO":
    case "LHLO":
      return "ehlo";
    case "CONN":
      return "greeting";
    default:
      return "message";
  }
}

function rejections(errors: NodemailerError[] | undefined): RecipientRejection[] {
  return (errors ?? []).map((r) => ({
    recipient: r.recipient ?? "",
    code: r.responseCode ?? 0,
    response: r.response ?? r.message,
  }));
}

function replyCode(response: string): number {
  const code = Number(response.slice(0, 3));
  return Number.isInteger(code) ? code : 0;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
