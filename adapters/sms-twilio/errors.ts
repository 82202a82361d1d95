// Twilio's error codes in words a person texting understands, and Twilio failures → GatewayError.
import { GatewayError, type ErrorCondition } from "../../src/core/errors.ts";
import { isTransportError, retryAfterMsOf } from "./twilioClient.ts";

interface CodeInfo {
  /** Completes "Not sent: …" / "Not delivered: …". */
  words: string;
  /** Stanza error condition when sending fails with this code. */
  condition: ErrorCondition;
}

// https://www.twilio.com/docs/api/errors — the codes a gateway user actually runs into.
const CODES: Record<number, CodeInfo> = {
  20003: { words: "Twilio rejected the account's credentials", condition: "not-authorized" },
  20404: { words: "Twilio has no such resource", condition: "item-not-found" },
  21211: { words: "the number is not a valid phone number", condition: "item-not-found" },
  21212: { words: "the sending number is not a valid phone number", condition: "not-allowed" },
  21408: { words: "this Twilio account may not send to that country", condition: "forbidden" },
  21602: { words: "the message was empty", condition: "not-acceptable" },
  21606: { words: "your number can't send text messages through this Twilio account", condition: "not-allowed" },
  21608: { words: "a Twilio trial account can only text verified numbers", condition: "forbidden" },
  21610: { words: "the recipient has opted out by replying STOP", condition: "forbidden" },
  21612: { words: "Twilio can't route a text from your number to that number", condition: "item-not-found" },
  21614: { words: "the number can't receive text messages; it is not a mobile number", condition: "item-not-found" },
  21617: { words: "the message is longer than 1600 characters", condition: "not-acceptable" },
  21620: { words: "an attachment's address is not a valid URL", condition: "not-acceptable" },
  21659: { words: "your number can't send text messages through this Twilio account", condition: "not-allowed" },
  30003: { words: "the recipient's phone is unreachable, switched off or out of coverage", condition: "recipient-unavailable" },
  30004: { words: "the message was blocked by the recipient or their carrier", condition: "forbidden" },
  30005: { words: "the number is unknown or no longer in service", condition: "item-not-found" },
  30006: { words: "the number is a landline or its carrier can't receive texts", condition: "item-not-found" },
  30007: { words: "the carrier filtered the message as spam", condition: "policy-violation" },
  30008: { words: "an unknown error happened in the phone network", condition: "undefined-condition" },
};

/** "the number is not a valid phone number (Twilio error 21211)", or Twilio's own words for codes we don't know. */
export function describeCode(code: number, twilioMessage?: string): string {
  const words = CODES[code]?.words ?? (twilioMessage ? `Twilio said "${twilioMessage}"` : "Twilio gave no reason");
  return `${words} (Twilio error ${code})`;
}

/** Plain words for a failed/undelivered status callback. */
export function deliveryErrorText(code: number | undefined, twilioMessage?: string): string {
  if (code === undefined) return `Not delivered: ${twilioMessage ? `Twilio said "${twilioMessage}"` : "Twilio gave no reason"}.`;
  return `Not delivered: ${describeCode(code, twilioMessage)}.`;
}

/** What went wrong talking to Twilio, before deciding what it means for the caller. */
export type TwilioFailure =
  | { kind: "rejected"; status: number; code: number | undefined; message: string | undefined }
  | { kind: "unavailable"; status: number | undefined; code: number | undefined; reason: string; retryAfterMs: number | undefined };

const NETWORK_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

/** Sorts an error thrown by the twilio SDK; undefined when it is not a Twilio or network failure (a bug). */
export function classifyTwilioError(err: unknown): TwilioFailure | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { status?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === "string" ? e.message : undefined;
  if (typeof e.status === "number") {
    const code = typeof e.code === "number" ? e.code : undefined;
    if (e.status === 429 || e.status >= 500) {
      const reason = e.status === 429 ? "Twilio is limiting how fast we send" : `Twilio had a server error (HTTP ${e.status})`;
      return { kind: "unavailable", status: e.status, code, reason, retryAfterMs: retryAfterMsOf(err) };
    }
    return { kind: "rejected", status: e.status, code, message };
  }
  const netCode = typeof e.code === "string" ? e.code : "";
  // Any failure of our HTTP client's exchange (TLS, a malformed answer… included), or a plain network error.
  if (isTransportError(err) || NETWORK_ERRORS.has(netCode)) {
    const timedOut = netCode === "ECONNABORTED" || netCode === "ETIMEDOUT" || /timeout/i.test(message ?? "");
    const reason = timedOut ? "Twilio did not answer in time" : `Twilio could not be reached${netCode ? ` (${netCode})` : ""}`;
    return { kind: "unavailable", status: undefined, code: undefined, reason, retryAfterMs: undefined };
  }
  return undefined;
}

/**
 * A failed Messages.create → GatewayError: Twilio being busy, down or unreachable is retryable;
 * a refusal is final and its text names Twilio's code.
 */
export function sendError(err: unknown): GatewayError {
  const f = classifyTwilioError(err);
  if (!f) return err instanceof GatewayError ? err : new GatewayError("internal-server-error", "Internal error in the SMS adapter", { cause: err });
  if (f.kind === "unavailable") {
    const opts: { retryAfterMs?: number; networkCode?: number; cause: unknown } = { cause: err };
    if (f.retryAfterMs !== undefined) opts.retryAfterMs = f.retryAfterMs;
    if (f.code !== undefined) opts.networkCode = f.code;
    return GatewayError.transient(`${f.reason}${f.code !== undefined ? ` (Twilio error ${f.code})` : ""}`, opts);
  }
  const fallback: ErrorCondition = f.status === 401 ? "not-authorized" : "not-acceptable";
  if (f.code === undefined) {
    return new GatewayError(fallback, `Not sent: Twilio refused the message (HTTP ${f.status}).`, { cause: err });
  }
  const condition = CODES[f.code]?.condition ?? fallback;
  return new GatewayError(condition, `Not sent: ${describeCode(f.code, f.message)}.`, { networkCode: f.code, cause: err });
}
