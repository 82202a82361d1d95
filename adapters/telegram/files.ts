// Files people send to a bot: getFile, then a download from Telegram's file server. The Bot API
// hands out nothing over 20 MB; such a file reaches the user as a note saying so.
import type { IncomingAttachment } from "../../src/core/adapter.ts";
import type { BotApi } from "./api.ts";
import { failureOf } from "./errors.ts";
import type { TgFile } from "./types.ts";
import type { MediaRef } from "./updates.ts";

export const MAX_BOT_DOWNLOAD = 20 * 1024 * 1024;
const TOO_BIG = "file too big for Telegram bots to download (over 20 MB)";

/**
 * Fetches one file. A file Telegram refuses for good (too big, gone) becomes an `unavailable`
 * note; Telegram being down or unreachable throws, so the update is retried and nothing is lost.
 */
export async function fetchAttachment(api: BotApi, media: MediaRef, signal?: AbortSignal): Promise<IncomingAttachment> {
  const unavailable = (why: string): IncomingAttachment => ({ fileName: media.fileName, contentType: media.contentType, content: { unavailable: why } });
  if (media.fileSize !== undefined && media.fileSize > MAX_BOT_DOWNLOAD) return unavailable(TOO_BIG);
  let file: TgFile;
  try {
    file = await api.call<TgFile>("getFile", { file_id: media.fileId }, signal ? { signal } : {});
  } catch (err) {
    const f = failureOf(err);
    if (f?.kind === "api" && f.code === 400) {
      return unavailable(/too big/i.test(f.description) ? TOO_BIG : "Telegram could not hand this file over");
    }
    throw err;
  }
  if (!file.file_path) return unavailable("Telegram could not hand this file over");
  let bytes: Buffer | undefined;
  try {
    bytes = await api.download(file.file_path, MAX_BOT_DOWNLOAD, signal);
  } catch (err) {
    const f = failureOf(err);
    // Telegram's file paths stay valid for an hour: a 4xx is a file that is gone, not an outage.
    if (f?.kind === "api" && f.code >= 400 && f.code < 500 && f.code !== 429) return unavailable("Telegram could not hand this file over");
    throw err;
  }
  if (!bytes) return unavailable(TOO_BIG);
  const sniffed = media.sniff ? imageType(bytes) : undefined;
  if (!sniffed) return { fileName: media.fileName, contentType: media.contentType, content: bytes };
  return { fileName: media.fileName.replace(/\.jpg$/, `.${sniffed.ext}`), contentType: sniffed.type, content: bytes };
}

/** The image format the bytes really are (Telegram sends JPEG, but a copy of another format may pass). */
function imageType(b: Buffer): { type: string; ext: string } | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { type: "image/jpeg", ext: "jpg" };
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { type: "image/png", ext: "png" };
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return { type: "image/webp", ext: "webp" };
  if (b.length >= 6 && b.toString("latin1", 0, 4) === "GIF8") return { type: "image/gif", ext: "gif" };
  return undefined;
}
