// Which Bot API method sends a file given by URL: from the URL's extension, else from the
// Content-Type a HEAD request reports. Telegram fetches the URL itself (5 MB for photos, 20 MB
// for other files), so the URL must be reachable from the internet; we never download it.
import { deadline } from "./timing.ts";

export type MediaMethod = "sendPhoto" | "sendVideo" | "sendVoice" | "sendDocument";

/** The parameter that holds the file, per method. */
export const MEDIA_FIELD: Record<MediaMethod, string> = {
  sendPhoto: "photo",
  sendVideo: "video",
  sendVoice: "voice",
  sendDocument: "document",
};

// Telegram shows these inline; anything else (gif, mov, mp3, pdf…) goes as a document, which
// Telegram accepts in any format. Voice notes must be OGG/Opus, MP3 or M4A; XMPP clients record
// voice messages as .oga/.opus/.m4a, while an .mp3 is more likely music (a document).
const BY_EXTENSION: Record<string, MediaMethod> = {
  jpg: "sendPhoto",
  jpeg: "sendPhoto",
  png: "sendPhoto",
  webp: "sendPhoto",
  mp4: "sendVideo",
  ogg: "sendVoice",
  oga: "sendVoice",
  opus: "sendVoice",
  m4a: "sendVoice",
};

const BY_TYPE: Record<string, MediaMethod> = {
  "image/jpeg": "sendPhoto",
  "image/png": "sendPhoto",
  "image/webp": "sendPhoto",
  "video/mp4": "sendVideo",
  "audio/ogg": "sendVoice",
  "audio/opus": "sendVoice",
  "audio/mp4": "sendVoice",
  "audio/x-m4a": "sendVoice",
};

const HEAD_TIMEOUT_MS = 5_000;

export function methodForExtension(url: string): MediaMethod | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(path)?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

export function methodForContentType(contentType: string | null | undefined): MediaMethod | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type ? BY_TYPE[type] : undefined;
}

/**
 * The method for a URL. Only a URL without a telling extension costs a HEAD request (no
 * redirects followed: the answer only picks the method, Telegram does the fetching); when that
 * fails too, a document is always accepted.
 */
export async function chooseMediaMethod(url: string, signal?: AbortSignal): Promise<MediaMethod> {
  const byExt = methodForExtension(url);
  if (byExt) return byExt;
  if (!/^https?:\/\//i.test(url)) return "sendDocument";
  const limit = deadline(signal, HEAD_TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: "HEAD", redirect: "manual", signal: limit.signal });
    await res.body?.cancel();
    return (res.ok ? methodForContentType(res.headers.get("content-type")) : undefined) ?? "sendDocument";
  } catch {
    return "sendDocument";
  } finally {
    limit.done();
  }
}
