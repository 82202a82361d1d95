// Twilio's webhooks: inbound texts and delivery status callbacks. Nothing is believed before its
// X-Twilio-Signature checks out against the public URL Twilio called.
import { timingSafeEqual } from "node:crypto";
import twilio from "twilio";
import type { AdapterHost, DeliveryReport, WebhookRequest, WebhookResponse, WebhookRoute } from "../../src/core/adapter.ts";
import type { TwilioCredentials } from "./config.ts";
import { deliveryErrorText } from "./errors.ts";
import { byoCredentials } from "./ids.ts";
import { SMS_WEBHOOK_PATH, STATUS_WEBHOOK_PATH, publicWebhookUrl } from "./urls.ts";

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
type Params = Record<string, string | string[]>;

export interface WebhookDeps {
  publicUrl: string | undefined;
  operator: TwilioCredentials;
  /** Undefined until the adapter is started. */
  host(): AdapterHost | undefined;
}

export function twilioWebhooks(deps: WebhookDeps): WebhookRoute[] {
  let warnedNoPublicUrl = false;

  /** The form's params once the request is proven to come from Twilio, else the answer to give. */
  async function verify(
    req: WebhookRequest,
    host: AdapterHost,
    ownNumberParam: "To" | "From",
  ): Promise<{ params: Params } | { response: WebhookResponse }> {
    if (deps.publicUrl === undefined) {
      if (!warnedNoPublicUrl) {
        warnedNoPublicUrl = true;
        host.log.error("http.publicUrl is not set: Twilio webhook signatures can't be checked, so every Twilio webhook is refused");
      }
      return { response: text(403, "webhooks are disabled: http.publicUrl is not configured, so Twilio signatures can't be checked") };
    }
    const mediaType = headerValue(req.headers["content-type"])?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/x-www-form-urlencoded") {
      return { response: text(415, "expected an application/x-www-form-urlencoded body, as Twilio sends") };
    }
    const params = formParams(req.body);
    const signature = headerValue(req.headers["x-twilio-signature"]);
    const token = signature ? await tokenFor(host, params, ownNumberParam) : undefined;
    const url = publicWebhookUrl(deps.publicUrl, req.url);
    if (!signature || token === undefined || !signedOver(token, signature, url, params)) {
      host.log.warn({ path: pathOf(req.url), accountSid: first(params.AccountSid), signed: Boolean(signature) }, "refused a Twilio webhook with an invalid signature");
      return { response: text(403, "invalid Twilio signature") };
    }
    return { params };
  }

  /**
   * The auth token Twilio signed with: the operator's for its own account, else that of the
   * user's own account holding the number — only if that account is the one named in the request.
   */
  async function tokenFor(host: AdapterHost, params: Params, ownNumberParam: "To" | "From"): Promise<string | undefined> {
    const accountSid = first(params.AccountSid);
    if (accountSid === deps.operator.accountSid) return deps.operator.authToken;
    const number = first(params[ownNumberParam]);
    if (!accountSid || !number) return undefined;
    const own = byoCredentials(await host.findAccount(number));
    return own?.accountSid === accountSid ? own.authToken : undefined;
  }

  /** Runs `fn` for a started adapter; anything thrown becomes a 500 so Twilio tries again. */
  function route(path: string, fn: (req: WebhookRequest, host: AdapterHost) => Promise<WebhookResponse>): WebhookRoute {
    return {
      method: "POST",
      path,
      async handle(req) {
        const host = deps.host();
        if (!host) return text(503, "the SMS gateway is not started");
        try {
          return await fn(req, host);
        } catch (err) {
          host.log.error({ err, path }, "Twilio webhook failed; Twilio will retry it");
          return text(500, "internal error; try again");
        }
      },
    };
  }

  const inbound = route(SMS_WEBHOOK_PATH, async (req, host) => {
    const v = await verify(req, host, "To");
    if ("response" in v) return v.response;
    const { params } = v;
    const messageSid = first(params.MessageSid);
    const to = first(params.To);
    const from = first(params.From);
    if (!messageSid || !to || !from) return text(400, "MessageSid, To and From are required");
    // The sink returns once the message is committed: only then may Twilio consider it delivered.
    const result = await host.sink.message({
      key: messageSid,
      account: to,
      // Short codes and alphanumeric senders are not E.164 numbers; they pass through as they are.
      from,
      body: first(params.Body) ?? "",
      mediaUrls: mediaUrls(params),
      networkId: messageSid,
    });
    host.log.debug({ messageSid, result }, "inbound SMS");
    return { status: 200, body: EMPTY_TWIML, contentType: "text/xml" };
  });

  const status = route(STATUS_WEBHOOK_PATH, async (req, host) => {
    // The user's number is the sender of what we sent.
    const v = await verify(req, host, "From");
    if ("response" in v) return v.response;
    const report = toReport(v.params);
    if (report === "missing") return text(400, "MessageSid and MessageStatus are required");
    if (report) await host.sink.report(report);
    return { status: 200, body: EMPTY_TWIML, contentType: "text/xml" };
  });

  return [inbound, status];
}

/**
 * Twilio signs the webhook URL as it was configured, which is the URL we build from
 * http.publicUrl: checked first, with one HMAC. validateRequest also accepts the URL with the
 * port added or removed and in normalised forms, two HMACs and URL parses at least, most of a
 * webhook's cost when the public URL has a port; it stays the fallback for those forms.
 */
function signedOver(token: string, signature: string, url: string, params: Params): boolean {
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(token, url, params));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(token, signature, url, params);
}

/** A status callback → a delivery report; undefined for steps nobody needs to hear about (queued, sending…). */
export function toReport(params: Params): DeliveryReport | undefined | "missing" {
  const networkId = first(params.MessageSid);
  const state = first(params.MessageStatus);
  if (!networkId || !state) return "missing";
  switch (state) {
    case "sent":
      return { networkId, state: "sent" };
    case "delivered":
    case "read":
      return { networkId, state: "delivered" };
    case "failed":
    case "undelivered": {
      const raw = first(params.ErrorCode);
      const code = raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
      const report: DeliveryReport = { networkId, state: "failed", errorText: deliveryErrorText(code, first(params.ErrorMessage)) };
      if (code !== undefined) report.errorCode = String(code);
      return report;
    }
    default:
      return undefined;
  }
}

function mediaUrls(params: Params): string[] {
  const urls: string[] = [];
  for (let i = 0; ; i++) {
    const url = first(params[`MediaUrl${i}`]);
    if (url === undefined) return urls;
    urls.push(url);
  }
}

/** Repeated keys stay arrays: validateRequest signs every value. */
function formParams(body: Buffer): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(body.toString("utf8"))) {
    const seen = params[key];
    if (seen === undefined) params[key] = value;
    else params[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

function text(status: number, body: string): WebhookResponse {
  return { status, body, contentType: "text/plain; charset=utf-8" };
}
