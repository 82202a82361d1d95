// Twilio REST API 2010-04-01: the subset the gateway and its tools use.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccountStore } from "./accounts.ts";
import { HttpError, basicAuth, notFound, readForm, sendJson } from "./http.ts";
import { filterMessages } from "./messageList.ts";
import { createMessage } from "./messages.ts";
import { accountResource, listPage, messageResource, numberResource } from "./resources.ts";
import type { FailureSpec, SimMessage } from "./types.ts";

export interface RestState {
  readonly accounts: AccountStore;
  message(sid: string): SimMessage | undefined;
  /** Every message of the account, in creation order. */
  messagesOf(accountSid: string): SimMessage[];
  /** Counts the attempt and says whether an injected fault answers it instead. */
  nextCreateFault(): "hang" | FailureSpec | null;
  accept(m: SimMessage): void;
}

const ACCOUNT = /^\/2010-04-01\/Accounts\/(AC[0-9a-zA-Z]+)(\/.*)?\.json$/;

const FAULT_DEFAULTS: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: "Too Many Requests" },
  500: { code: 20500, message: "Internal Server Error" },
  503: { code: 20503, message: "Service Unavailable" },
};

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: RestState,
): Promise<void> {
  const path = url.pathname;
  const creds = basicAuth(req);
  const account = creds && state.accounts.authenticate(creds.user, creds.pass);
  if (!account) throw new HttpError(401, 20003, "Authenticate", { "WWW-Authenticate": 'Basic realm="Twilio API"' });

  const match = ACCOUNT.exec(path);
  // Another account's resources look just like missing ones.
  if (!match || match[1] !== account.sid) throw notFound(path);
  const sub = match[2] ?? "";
  const method = req.method ?? "GET";

  if (sub === "") {
    if (method !== "GET") throw methodNotAllowed(method, path);
    return sendJson(res, 200, accountResource(account));
  }

  if (sub === "/Messages" && method === "GET") {
    const messages = filterMessages(state.messagesOf(account.sid), url.searchParams).map(messageResource);
    return sendJson(res, 200, listPage("messages", messages, `${stripJson(path)}.json`, url.searchParams));
  }

  if (sub === "/Messages") {
    if (method !== "POST") throw methodNotAllowed(method, path);
    // Read the body first so a faulted keep-alive connection is left clean for the next call.
    const form = await readForm(req);
    const fault = state.nextCreateFault();
    // Never answered; stop() tears the socket down.
    if (fault === "hang") return;
    if (fault) throw faultError(fault);
    const msg = createMessage(account.sid, form, (n) => state.accounts.number(n)?.accountSid === account.sid);
    state.accept(msg);
    return sendJson(res, 201, messageResource(msg));
  }

  const messageSid = /^\/Messages\/((?:SM|MM)[0-9a-f]{32})$/.exec(sub)?.[1];
  if (messageSid) {
    if (method !== "GET") throw methodNotAllowed(method, path);
    const msg = state.message(messageSid);
    if (!msg || msg.accountSid !== account.sid) throw notFound(path);
    return sendJson(res, 200, messageResource(msg));
  }

  if (sub === "/IncomingPhoneNumbers") {
    if (method !== "GET") throw methodNotAllowed(method, path);
    const filter = digits(url.searchParams.get("PhoneNumber") ?? "");
    const numbers = state.accounts
      .numbersOf(account.sid)
      .filter((n) => digits(n.phoneNumber).includes(filter))
      .map(numberResource);
    return sendJson(res, 200, listPage("incoming_phone_numbers", numbers, `${stripJson(path)}.json`, url.searchParams));
  }

  const numberSid = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})$/.exec(sub)?.[1];
  if (numberSid) {
    const number = state.accounts.numberBySid(account.sid, numberSid);
    if (!number) throw notFound(path);
    if (method === "POST") {
      const form = await readForm(req);
      const smsUrl = form.get("SmsUrl");
      if (smsUrl !== null) {
        if (smsUrl !== "" && !/^https?:\/\//i.test(smsUrl)) {
          throw new HttpError(400, 21502, `SmsUrl is not valid: ${smsUrl}`);
        }
        state.accounts.setSmsUrl(number.phoneNumber, smsUrl);
      }
    } else if (method !== "GET") {
      throw methodNotAllowed(method, path);
    }
    return sendJson(res, 200, numberResource(number));
  }

  throw notFound(path);
}

function faultError(f: FailureSpec): HttpError {
  const dflt = FAULT_DEFAULTS[f.status] ?? { code: 20500, message: "Internal Server Error" };
  const headers: Record<string, string> =
    f.retryAfterSeconds !== undefined ? { "Retry-After": String(f.retryAfterSeconds) } : {};
  return new HttpError(f.status, f.code ?? dflt.code, f.message ?? dflt.message, headers);
}

function methodNotAllowed(method: string, path: string): HttpError {
  return new HttpError(405, 20004, `Method ${method} not allowed on ${path}`);
}

const digits = (s: string) => s.replace(/\D/g, "");
const stripJson = (p: string) => p.replace(/\.json$/, "");
