import type { HeaderLines, Headers } from "mailparser";

/** A mailbox: display name (empty when the header gave none) and address. */
export interface MailAddress {
  name: string;
  address: string;
}

/** Where an SMTP server listens. */
export interface SmtpTarget {
  host: string;
  port: number;
}

/** Error reply codes the sink can be told to answer with (4xx temporary, 5xx permanent). */
export type SmtpErrorCode = 421 | 450 | 451 | 452 | 550 | 551 | 552 | 553 | 554;

/** An injected refusal. 421 also closes the connection, as smtp-server does for every 421. */
export interface SmtpFault {
  code: SmtpErrorCode;
  /** Reply text after the code; a default per code when omitted. */
  message?: string;
}

/** Which reply a `rejectNext` fault replaces: a RCPT TO, or the reply after the message data. */
export type FaultStage = "rcpt" | "data";

/** Where `dropConnectionNext` cuts the socket: before the greeting, or after the message data arrived. */
export type DropStage = "connect" | "data";

/** One attachment of a received mail, content decoded. */
export interface ReceivedAttachment {
  filename?: string;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  content: Buffer;
  /** Content-ID without angle brackets, when the part had one. */
  cid?: string;
  /** `attachment`, `inline`, or whatever the part said. */
  disposition?: string;
}

/** A mail the relay sink accepted, as the gateway's SMTP transport handed it over. */
export interface ReceivedMail {
  /** Queue id the sink gave it (also in the 250 reply: `OK: queued as <id>`). */
  id: string;
  envelope: { from: string; to: string[] };
  /** The AUTH user of the session, or null when the session did not authenticate. */
  authUser: string | null;
  receivedAt: Date;
  /** Message-ID with angle brackets, as in the header. */
  messageId?: string;
  inReplyTo?: string;
  /** References, one Message-ID per entry (angle brackets kept). Empty when absent. */
  references: string[];
  subject?: string;
  from?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  date?: Date;
  /** The first DKIM-Signature header's value, unfolded, when the mail was signed. */
  dkimSignature?: string;
  /**
   * Decoded bodies as mailparser gives them. SMTP data always ends with a line break (nodemailer adds
   * CRLF to a body without one), so a body sent as `hi` reads back as `hi\n`.
   */
  text?: string;
  html?: string;
  attachments: ReceivedAttachment[];
  /** Parsed headers keyed by lowercase name (mailparser's shapes). */
  headers: Headers;
  headerLines: HeaderLines;
  /** The header block exactly as received, CRLF line ends, without the blank line. */
  rawHeaders: string;
  raw: Buffer;
  /** Set when mailparser could not parse the message; the raw bytes are still kept. */
  parseError?: string;
}

/** Options of `MailRelaySink.bounce`: who gets the DSN and what it reports. */
export interface BounceOptions {
  /** Our user's address: the original envelope sender, to whom the DSN goes. */
  to: string;
  /** The recipient that failed. */
  recipient: string;
  /** RFC 3463 status, e.g. `5.1.1`; a 4.x.x status makes the action `delayed`. */
  status: string;
  /** The remote server's reply, e.g. `550 5.1.1 user unknown`; sent as `Diagnostic-Code: smtp; …`. */
  diagnostic: string;
  /** Overrides the action derived from `status`. */
  action?: "failed" | "delayed";
  /** The MTA that refused, for `Remote-MTA: dns; …`. */
  remoteMta?: string;
  /** The DSN's own Message-ID (generated when omitted). */
  messageId?: string;
  date?: Date;
}

/** The SMTP step an outcome was decided at. `message` is the reply after the data's final dot. */
export type SmtpStage = "greeting" | "ehlo" | "mail" | "rcpt" | "data" | "message";

/** One recipient refused at RCPT TO. */
export interface RecipientRejection {
  recipient: string;
  code: number;
  response: string;
}

/** What an SMTP server answered to one delivery attempt. */
export interface SmtpOutcome {
  /** Recipients the message was delivered to (empty when the transaction failed). */
  accepted: string[];
  /** Recipients it was not delivered to. */
  rejected: string[];
  /** The reply code that decided the outcome: 250 on success, else the failing reply's code. */
  code: number;
  /** That reply as the server sent it, code included. */
  response: string;
  stage: SmtpStage;
  /** Per-recipient refusals at RCPT TO (also present when other recipients were accepted). */
  rejectedErrors: RecipientRejection[];
}

/** One server reply in a raw SMTP dialogue. `text` has the code prefixes removed, lines joined by \n. */
export interface SmtpReply {
  stage: SmtpStage | "quit";
  code: number;
  text: string;
}

export interface RawSmtpOutcome extends SmtpOutcome {
  /** Every reply in order, greeting to QUIT. */
  replies: SmtpReply[];
}

/** An attachment of a mail from the outside world. */
export interface OutsideAttachment {
  filename: string;
  content: string | Buffer;
  contentType?: string;
  /** Content-ID (without brackets) for inline use from HTML. */
  cid?: string;
}

/** A mail written by someone outside, delivered to the gateway's inbound listener by `sendMail`. */
export interface OutsideMail {
  from: string | MailAddress;
  /** Bare addresses. */
  to: string | string[];
  cc?: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  /** With angle brackets, e.g. `<abc@outside.example>`. */
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  date?: Date;
  /** Extra headers, added verbatim (values are encoded by nodemailer when not ASCII). */
  headers?: Record<string, string>;
  attachments?: OutsideAttachment[];
  /** SMTP envelope when it should differ from the headers (e.g. Bcc, a null sender `""`). */
  envelope?: { from: string; to: string[] };
}
