// The X-Twilio-Signature values the simulator put on its own webhooks during the run (status
// callbacks), recomputed from the messages it holds: those must not be logged either.
import { signature } from "../../adapters/sms-twilio/simulator/signature.ts";
import { API_VERSION } from "../../adapters/sms-twilio/simulator/resources.ts";
import { BYO, type FuzzEnv } from "../env/fuzzEnv.ts";

const STATUSES = ["sent", "delivered", "failed", "undelivered"] as const;
const ERRORS: Record<number, string> = { 30003: "Unreachable destination handset" };

export function twilioSignatures(env: FuzzEnv): string[] {
  const tokens = new Map([[env.secrets.operatorSid, env.secrets.operatorToken], [BYO.sid, BYO.token]]);
  const out: string[] = [];
  for (const m of env.fx.twilio.sent) {
    const token = tokens.get(m.accountSid);
    if (!token || !m.statusCallback) continue;
    for (const status of STATUSES) {
      const params: Record<string, string> = { MessageSid: m.sid, SmsSid: m.sid, AccountSid: m.accountSid, From: m.from, To: m.to, MessageStatus: status, SmsStatus: status, ApiVersion: API_VERSION };
      out.push(signature(token, m.statusCallback, params));
      if (status === "failed" || status === "undelivered") {
        const code = m.errorCode ?? 30003;
        out.push(signature(token, m.statusCallback, { ...params, ErrorCode: String(code), ErrorMessage: m.errorMessage ?? ERRORS[code] ?? "Message delivery failed" }));
      }
    }
  }
  return out;
}
