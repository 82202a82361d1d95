// The form Twilio posts to a number's SmsUrl when a message arrives.
import { API_VERSION } from "./resources.ts";
import { countSegments } from "./segments.ts";

const CONTENT_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  mp4: "video/mp4",
  "3gp": "video/3gpp",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  amr: "audio/amr",
  wav: "audio/wav",
  pdf: "application/pdf",
  vcf: "text/vcard",
  txt: "text/plain",
};

export function guessContentType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: guess from the raw string
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && CONTENT_TYPES[ext]) || "image/jpeg";
}

export function inboundParams(m: {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
}): Record<string, string> {
  const params: Record<string, string> = {
    SmsMessageSid: m.messageSid,
    NumMedia: String(m.mediaUrls.length),
    SmsSid: m.messageSid,
    SmsStatus: "received",
    Body: m.body,
    To: m.to,
    NumSegments: String(countSegments(m.body)),
    MessageSid: m.messageSid,
    AccountSid: m.accountSid,
    From: m.from,
    ApiVersion: API_VERSION,
  };
  const toCountry = country(m.to);
  const fromCountry = country(m.from);
  if (toCountry) params.ToCountry = toCountry;
  if (fromCountry) params.FromCountry = fromCountry;
  m.mediaUrls.forEach((url, i) => {
    params[`MediaUrl${i}`] = url;
    params[`MediaContentType${i}`] = guessContentType(url);
  });
  return params;
}

// Twilio fills these from its number database; a calling-code guess is enough for a simulator,
// and an unknown one is left out rather than invented.
function country(e164: string): string {
  if (e164.startsWith("+1")) return "US";
  if (e164.startsWith("+44")) return "GB";
  if (e164.startsWith("+49")) return "DE";
  if (e164.startsWith("+33")) return "FR";
  return "";
}
