// SMTP replies and status codes in words a person understands, and relay failures → GatewayError.
import type { NodemailerError } from "nodemailer";
import { GatewayError, type ErrorCondition } from "../../src/core/errors.ts";

// RFC 3463 enhanced status codes by subject.detail (the class, 4 or 5, only says whether it may pass).
const STATUS_WORDS: Record<string, string> = {
  "1.1": "there is no such mailbox",
  "1.2": "the domain does not exist or takes no mail",
  "1.3": "the address is not valid",
  "1.6": "the mailbox has moved",
  "1.10": "the domain takes no mail",
  "2.1": "the mailbox is disabled",
  "2.2": "the mailbox is full",
  "2.3": "the message is too big for the recipient",
  "3.4": "the message is too big",
  "4.1": "the recipient's mail server did not answer",
  "4.4": "the recipient's mail server could not be found",
  "4.7": "the recipient's mail server could not be reached in time",
  "5.3": "the message had too many recipients",
  "6.0": "the message's content was refused",
  "7.1": "the recipient's mail server refused it by policy",
  "7.23": "it failed the sender domain's SPF check",
  "7.25": "the sending server's address has no reverse DNS",
  "7.26": "it failed the sender domain's authentication checks (SPF/DKIM/DMARC)",
};

// For servers that give no enhanced status code.
const REPLY_WORDS: Record<number, string> = {
  421: "the mail server is shutting down or busy",
  450: "the mailbox is unavailable for now",
  451: "the mail server had a local problem",
  452: "the mail server is out of storage",
  550: "the mailbox is unavailable",
  551: "the user is not local to that server",
  552: "the mailbox is over its storage limit",
  553: "the mailbox name is not allowed",
  554: "the mail server refused the message",
};

/** "550 5.1.1 <b@x>: user unknown" → the basic code, the enhanced status and the reply as one tidy line. */
export function parseReply(response: string | undefined): { code: number | undefined; status: string | undefined; line: string } {
  // Multi-line replies repeat the code on every line ("550-5.1.1 …\n550 5.1.1 …"); keep the text once.
  const lines = (response ?? "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const code = Number(/^(\d{3})/.exec(lines[0] ?? "")?.[1]) || undefined;
  const status = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(lines[0] ?? "")?.[1] ?? /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(lines[0] ?? "")?.[1];
  const text = lines.map((l, i) => (i === 0 ? l : l.replace(/^\d{3}[ -](?:[245]\.\d{1,3}\.\d{1,3} )?/, ""))).join(" ");
  return { code, status, line: clip(text.replace(/\s+/g, " ").trim(), 300) };
}

/** Plain words for an enhanced status ("5.1.1") or, without one, a basic reply code. */
export function describeStatus(status: string | undefined, code: number | undefined): string | undefined {
  const subjectDetail = status?.split(".").slice(1).join(".");
  if (subjectDetail !== undefined && STATUS_WORDS[subjectDetail]) return STATUS_WORDS[subjectDetail];
  const subject = status?.split(".")[1];
  if (subject === "7") return "the recipient's mail server refused it by policy";
  return code !== undefined ? REPLY_WORDS[code] : undefined;
}

/** "the mail server for example.net refused bob@example.net: there is no such mailbox (550 5.1.1 user unknown)". */
function refusal(who: string, reply: ReturnType<typeof parseReply>): string {
  const words = describeStatus(reply.status, reply.code);
  return words ? `${who}: ${words} (${reply.line})` : `${who} (${reply.line})`;
}

const UNREACHABLE = new Set(["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS", "ETLS", "EPROTOCOL", "ECONNREFUSED", "ECONNRESET", "EPIPE"]);

/** What went wrong talking to the relay, sorted before deciding what it means. */
export type RelayFailure =
  | { kind: "unreachable"; reason: string }
  | { kind: "refused"; stage: "sender" | "recipient" | "message" | "login"; reply: ReturnType<typeof parseReply>; permanent: boolean };

export function classifyRelayError(err: unknown): RelayFailure | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as NodemailerError;
  if (typeof e.responseCode === "number") {
    const reply = parseReply(e.response ?? `${e.responseCode} ${e.message}`);
    // nodemailer's own judgement when it gives one: 5xx but 503 is final.
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    const stage = e.code === "EAUTH" ? "login" : e.command === "MAIL FROM" ? "sender" : e.command === "RCPT TO" ? "recipient" : "message";
    return { kind: "refused", stage, reply, permanent };
  }
  const code = e.originalCode ?? e.code ?? "";
  if (UNREACHABLE.has(code) || UNREACHABLE.has(e.code ?? "")) {
    const timedOut = e.code === "ETIMEDOUT" || code === "ETIMEDOUT";
    return { kind: "unreachable", reason: timedOut ? "the mail relay did not answer in time" : `the mail relay could not be reached (${code})` };
  }
  if (e.code === "EAUTH" || e.code === "ENOAUTH") {
    return { kind: "refused", stage: "login", reply: parseReply(e.response ?? e.message), permanent: false };
  }
  return undefined;
}

/**
 * A failed send → GatewayError. Temporary refusals (4xx) and an unreachable relay are retryable; a
 * permanent refusal is final and its text names the SMTP reply. A refused relay login is retried
 * too: it is the operator's configuration to fix, not a reason to drop the user's message.
 */
export function sendError(err: unknown, to: string, from: string): GatewayError {
  const f = classifyRelayError(err);
  if (!f) return err instanceof GatewayError ? err : new GatewayError("internal-server-error", "Internal error in the email adapter", { cause: err });
  if (f.kind === "unreachable") return GatewayError.transient(`Not sent yet: ${f.reason}.`, { cause: err });
  const domain = to.slice(to.lastIndexOf("@") + 1);
  const networkCode = f.reply.code;
  const opts = { cause: err, ...(networkCode !== undefined ? { networkCode } : {}) };
  if (f.stage === "login") {
    return GatewayError.transient(`Not sent yet: the mail relay refused the gateway's login (${f.reply.line}); the operator has to fix it.`, opts);
  }
  const who =
    f.stage === "recipient"
      ? `the mail server for ${domain} refused the address ${to}`
      : f.stage === "sender"
        ? `the mail relay refused the sender address ${from}`
        : `the mail server for ${domain} refused the message`;
  if (!f.permanent) return GatewayError.transient(`Not sent yet: ${refusal(who, f.reply)}; trying again.`, opts);
  const text = `Not sent: ${refusal(who, f.reply)}.`;
  return new GatewayError(conditionFor(f.stage, f.reply), text, { ...opts, type: "cancel" });
}

function conditionFor(stage: "sender" | "recipient" | "message", reply: ReturnType<typeof parseReply>): ErrorCondition {
  const subject = reply.status?.split(".")[1];
  if (stage === "sender") return "not-allowed";
  if (subject === "7") return "policy-violation";
  if (stage === "message") return reply.code === 552 || reply.status?.endsWith(".3.4") ? "not-acceptable" : "recipient-unavailable";
  return subject === "1" || reply.code === 550 || reply.code === 551 || reply.code === 553 ? "item-not-found" : "recipient-unavailable";
}

/** Plain words for a DSN's failed recipient. */
export function bounceText(recipient: string | undefined, status: string | undefined, diagnostic: string | undefined): string {
  const reply = diagnostic ? parseReply(diagnostic) : { code: undefined, status: undefined, line: "" };
  const effective = reply.status ?? status;
  const words = describeStatus(effective, reply.code);
  const where = recipient ? `the mail server for ${recipient.slice(recipient.lastIndexOf("@") + 1)}` : "the recipient's mail server";
  const detail = reply.line !== "" ? reply.line : status !== undefined ? `status ${status}` : "";
  const said = words ? `${where} says ${words}` : `${where} refused it`;
  return `Not delivered: ${said}${detail ? ` (${detail})` : ""}.`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
