export { MailRelaySink, type MailRelaySinkOptions, type SinkAddress } from "./sink.ts";
export { sendMail, type SendOptions } from "./sender.ts";
export { sendRawMail, encodeData, SmtpDialogueError, type RawSendOptions } from "./rawSmtp.ts";
export { plainTextMail, htmlOnlyMail, mailWithAttachment, newMessageId } from "./builders.ts";
export { buildDsn, type DsnInput } from "./dsn.ts";
export { startControl, summarize } from "./control.ts";
export type {
  BounceOptions,
  DropStage,
  FaultStage,
  MailAddress,
  OutsideAttachment,
  OutsideMail,
  RawSmtpOutcome,
  ReceivedAttachment,
  ReceivedMail,
  RecipientRejection,
  SmtpErrorCode,
  SmtpFault,
  SmtpOutcome,
  SmtpReply,
  SmtpStage,
  SmtpTarget,
} from "./types.ts";
