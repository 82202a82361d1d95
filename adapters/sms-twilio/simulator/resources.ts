// JSON shapes of API 2010-04-01 resources, as the twilio SDK deserialises them.
import { rfc2822 } from "./sids.ts";
import type { SimAccount, SimMessage, SimNumber } from "./types.ts";

export const API_VERSION = "2010-04-01";
const accountUri = (sid: string) => `/${API_VERSION}/Accounts/${sid}`;

export function accountResource(a: SimAccount) {
  const base = accountUri(a.sid);
  return {
    sid: a.sid,
    owner_account_sid: a.sid,
    friendly_name: `Simulated account ${a.sid}`,
    status: "active",
    type: "Full",
    // Twilio returns the token of the account you authenticated as; so do we.
    auth_token: a.authToken,
    date_created: rfc2822(a.createdAt),
    date_updated: rfc2822(a.createdAt),
    uri: `${base}.json`,
    subresource_uris: {
      messages: `${base}/Messages.json`,
      incoming_phone_numbers: `${base}/IncomingPhoneNumbers.json`,
    },
  };
}

export function messageResource(m: SimMessage) {
  const uri = `${accountUri(m.accountSid)}/Messages/${m.sid}`;
  return {
    sid: m.sid,
    account_sid: m.accountSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    // Twilio sends these two counts as strings.
    num_segments: String(m.numSegments),
    num_media: String(m.mediaUrls.length),
    direction: "outbound-api",
    api_version: API_VERSION,
    date_created: rfc2822(m.createdAt),
    date_updated: rfc2822(m.updatedAt),
    date_sent: m.sentAt ? rfc2822(m.sentAt) : null,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    price: null,
    price_unit: "USD",
    messaging_service_sid: null,
    uri: `${uri}.json`,
    subresource_uris: { media: `${uri}/Media.json` },
  };
}

export function numberResource(n: SimNumber) {
  return {
    sid: n.sid,
    account_sid: n.accountSid,
    phone_number: n.phoneNumber,
    friendly_name: n.phoneNumber,
    sms_url: n.smsUrl,
    sms_method: "POST",
    sms_fallback_url: "",
    sms_fallback_method: "POST",
    sms_application_sid: "",
    voice_url: "",
    voice_method: "POST",
    status_callback: "",
    status_callback_method: "POST",
    capabilities: { sms: true, mms: true, voice: true, fax: false },
    status: "in-use",
    origin: "twilio",
    beta: false,
    api_version: API_VERSION,
    date_created: rfc2822(n.createdAt),
    date_updated: rfc2822(n.updatedAt),
    uri: `${accountUri(n.accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
  };
}

/** Twilio's classic paged list envelope; `key` names the array (e.g. `incoming_phone_numbers`). */
export function listPage<T>(
  key: string,
  all: T[],
  path: string,
  query: URLSearchParams,
): Record<string, unknown> {
  const pageSize = clampInt(query.get("PageSize"), 50, 1, 1000);
  const page = clampInt(query.get("Page"), 0, 0, Number.MAX_SAFE_INTEGER);
  const start = page * pageSize;
  const items = all.slice(start, start + pageSize);
  const filters = new URLSearchParams(query);
  filters.delete("Page");
  filters.delete("PageSize");
  filters.delete("PageToken");
  const pageUri = (p: number) => {
    const q = new URLSearchParams(filters);
    q.set("PageSize", String(pageSize));
    q.set("Page", String(p));
    return `${path}?${q}`;
  };
  return {
    [key]: items,
    page,
    page_size: pageSize,
    start,
    end: items.length ? start + items.length - 1 : start,
    uri: pageUri(page),
    first_page_uri: pageUri(0),
    next_page_uri: start + pageSize < all.length ? pageUri(page + 1) : null,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
  };
}

function clampInt(raw: string | null, dflt: number, min: number, max: number): number {
  if (raw === null || !/^\d+$/.test(raw)) return dflt;
  return Math.min(max, Math.max(min, Number(raw)));
}
