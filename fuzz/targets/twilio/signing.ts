// Twilio's request signing, and requests built the way Twilio sends them (or almost).
import twilio from "twilio";
import { signature } from "../../../adapters/sms-twilio/simulator/signature.ts";
import { API_VERSION } from "../../../adapters/sms-twilio/simulator/resources.ts";
import { signaturesSent } from "../../secretsSeen.ts";
import { httpRequest, type ProbeResult } from "../../http/request.ts";

export type Params = Record<string, string | string[]>;
export const FORM = "application/x-www-form-urlencoded";
export { API_VERSION };

/** X-Twilio-Signature for these params at this URL (repeated keys as arrays), remembered for the log grep. */
export function sign(token: string, url: string, params: Params): string {
  const flat = Object.values(params).every((v) => typeof v === "string");
  const sig = flat ? signature(token, url, params as Record<string, string>) : twilio.getExpectedTwilioSignature(token, url, params);
  signaturesSent.add(sig);
  return sig;
}

export function encode(params: Params): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  return form.toString();
}

/** Decodes a body the way the gateway does (URLSearchParams, repeated keys → arrays). */
export function decode(body: string): Params {
  const params: Params = Object.create(null) as Params;
  for (const [k, v] of new URLSearchParams(body)) {
    const seen = params[k];
    params[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return params;
}

export function post(url: string, body: string | Buffer, headers: Record<string, string | string[]>, timeoutMs = 2_000): Promise<ProbeResult> {
  return httpRequest({ url, method: "POST", headers, body, timeoutMs });
}

/** Signed with `token` over `signedParams` (default: what is sent) and posted as a form. */
export function postForm(url: string, params: Params, token: string | null, o: { signedParams?: Params; signUrl?: string; contentType?: string } = {}): Promise<ProbeResult> {
  const headers: Record<string, string> = { "content-type": o.contentType ?? FORM };
  if (token !== null) headers["x-twilio-signature"] = sign(token, o.signUrl ?? url, o.signedParams ?? params);
  return post(url, encode(params), headers);
}

/** What Twilio posts for an inbound SMS (see the simulator's inboundParams). */
export function inboundForm(o: { accountSid: string; from: string; to: string; body: string; sid: string }): Record<string, string> {
  return {
    SmsMessageSid: o.sid, NumMedia: "0", SmsSid: o.sid, SmsStatus: "received", Body: o.body, To: o.to,
    NumSegments: "1", MessageSid: o.sid, AccountSid: o.accountSid, From: o.from, ApiVersion: API_VERSION,
  };
}

/** What Twilio posts as a status callback. */
export function statusForm(o: { accountSid: string; from: string; to: string; sid: string; status: string }): Record<string, string> {
  return { MessageSid: o.sid, SmsSid: o.sid, AccountSid: o.accountSid, From: o.from, To: o.to, MessageStatus: o.status, SmsStatus: o.status, ApiVersion: API_VERSION };
}

/** A postSigned through the simulator (Twilio's own signing), with the fuzzer's 2 s deadline. */
export async function viaSimulator(post: () => Promise<{ status: number; body: string }>, timeoutMs = 2_000): Promise<ProbeResult> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      post(),
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), timeoutMs);
      }),
    ]);
    if (res === "timeout") return { code: "timeout", ms: Date.now() - t0, reason: `no answer within ${timeoutMs} ms` };
    return { code: res.status, ms: Date.now() - t0, reason: res.body.slice(0, 200) };
  } catch (err) {
    return { code: "error", ms: Date.now() - t0, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
