// Validation of Messages.create, with Twilio's error codes and wording.
import { HttpError } from "./http.ts";
import { countSegments } from "./segments.ts";
import { newSid } from "./sids.ts";
import type { SimMessage } from "./types.ts";

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;

export function isE164(s: string): boolean {
  return E164.test(s);
}

export function createMessage(
  accountSid: string,
  form: URLSearchParams,
  ownsNumber: (n: string) => boolean,
): SimMessage {
  const to = form.get("To") ?? "";
  const from = form.get("From") ?? "";
  const body = form.get("Body") ?? "";
  const mediaUrls = form.getAll("MediaUrl").filter((u) => u !== "");
  const statusCallback = form.get("StatusCallback") || null;

  if (!to) throw new HttpError(400, 21604, "A 'To' phone number is required.");
  if (!from) {
    if (form.get("MessagingServiceSid")) {
      throw new HttpError(400, 21703, "Messaging services are not supported by this simulator.");
    }
    throw new HttpError(400, 21603, "A 'From' phone number is required.");
  }
  if (!isE164(to)) throw new HttpError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!ownsNumber(from)) {
    throw new HttpError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    );
  }
  if (!body && mediaUrls.length === 0) throw new HttpError(400, 21602, "Message body is required.");
  if ([...body].length > MAX_BODY_CHARS) {
    throw new HttpError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  }
  for (const u of mediaUrls) {
    if (!/^https?:\/\//i.test(u)) throw new HttpError(400, 21620, `Invalid media URL(s): ${u}`);
  }
  if (statusCallback && !/^https?:\/\//i.test(statusCallback)) {
    throw new HttpError(400, 21609, `Invalid StatusCallback url: ${statusCallback}`);
  }

  const now = new Date();
  return {
    // Twilio gives messages with media an MM sid.
    sid: newSid(mediaUrls.length ? "MM" : "SM"),
    accountSid,
    to,
    from,
    body,
    mediaUrls,
    status: "queued",
    statusCallback,
    createdAt: now,
    updatedAt: now,
    sentAt: null,
    numSegments: countSegments(body),
    errorCode: null,
    errorMessage: null,
  };
}
