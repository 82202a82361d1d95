// sendPhoto / sendDocument / sendVoice / sendVideo and getFile. A file arrives as a multipart
// upload, an http(s) URL the simulator downloads (as Telegram's servers do), or a file_id.
import { type CallContext, type Handler, optionalFields, replyTarget } from "./context.ts";
import { MAX_DOWNLOAD_BYTES, type StoredFile, mimeFromName } from "./files.ts";
import { badRequest } from "./http.ts";
import { imageInfo } from "./imageInfo.ts";
import { mediaContent } from "./mediaObjects.ts";
import type { Params } from "./params.ts";
import { formatText } from "./text.ts";
import type { MediaKind, SentMessage, TgFile } from "./types.ts";

/** Telegram fetches at most 5 MB for a photo and 20 MB for other files by URL. */
const URL_LIMIT: Record<MediaKind, number> = {
  photo: 5 * 1024 * 1024,
  document: 20 * 1024 * 1024,
  voice: 20 * 1024 * 1024,
  video: 20 * 1024 * 1024,
};
const FETCH_TIMEOUT_MS = 10_000;

type Source = NonNullable<SentMessage["media"]>["source"];

interface Input {
  file: StoredFile;
  source: Source;
}

/** New bytes are checked before they are stored, so a refused photo leaves no file behind. */
async function inputFile(ctx: CallContext, kind: MediaKind, p: Params): Promise<Input> {
  const { files, bot } = ctx;
  const value = p.file(kind);
  if (value === undefined || value === "") throw badRequest(`there is no ${kind} in the request`);
  const store = (bytes: Buffer, source: Source, fileName: string | undefined, contentType: string | undefined): Input => {
    const meta = describe(kind, bytes, p);
    const mimeType = kind === "photo" ? undefined : (plainType(contentType) ?? mimeFromName(fileName));
    const file = files.add(bot.user.id, kind, bytes, {
      ...(fileName && kind !== "photo" ? { fileName } : {}),
      ...(mimeType ? { mimeType } : {}),
    });
    file.meta = meta;
    return { file, source };
  };
  if (typeof value !== "string") return store(value.data, "upload", value.filename, value.contentType);
  if (/^https?:\/\//i.test(value)) {
    const res = await ctx.outbound
      .request(value, { timeoutMs: FETCH_TIMEOUT_MS, maxBytes: URL_LIMIT[kind] })
      .catch(() => null);
    if (!res || res.status < 200 || res.status > 299) throw badRequest("failed to get HTTP URL content");
    return store(res.body, "url", lastSegment(value), res.contentType);
  }
  const existing = files.get(bot.user.id, value);
  if (!existing) throw badRequest("wrong file identifier/HTTP URL specified");
  if (existing.kind !== kind) throw badRequest("type of file mismatch");
  return { file: existing, source: "file_id" };
}

function lastSegment(url: string): string | undefined {
  const raw = new URL(url).pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(raw) || undefined;
  } catch {
    return raw || undefined;
  }
}

function plainType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(";")[0]?.trim().toLowerCase();
  return t && t !== "application/octet-stream" ? t : undefined;
}

function sendMedia(kind: MediaKind, method: string): Handler {
  return async (ctx, p) => {
    const { bot, world, files } = ctx;
    const chat = world.writableChat(bot, p);
    const rawCaption = p.str("caption");
    const caption =
      rawCaption === undefined
        ? undefined
        : formatText(rawCaption, p.str("parse_mode"), p.json("caption_entities", "caption entities"), "caption");
    const reply = replyTarget(ctx, chat, p);
    const { file, source } = await inputFile(ctx, kind, p);
    const message = bot.store(
      chat,
      bot.from,
      {
        ...mediaContent(files, file),
        ...(caption?.text ? { caption: caption.text } : {}),
        ...(caption?.entities.length ? { caption_entities: caption.entities } : {}),
        ...(reply ? { reply_to_message: reply } : {}),
      },
      true,
    );
    bot.record({
      method,
      chat_id: chat.id,
      message_id: message.message_id,
      ...(caption?.text ? { caption: caption.text } : {}),
      ...optionalFields(p, reply),
      media: {
        type: kind,
        length: file.bytes.length,
        file_id: file.fileId,
        source,
        ...(file.mimeType ? { mime_type: file.mimeType } : {}),
        ...(file.fileName ? { file_name: file.fileName } : {}),
      },
    });
    return message;
  };
}

/** Dimensions and duration: decoded for photos (undecodable bytes are refused), else as the bot said. */
function describe(kind: MediaKind, bytes: Buffer, p: Params): StoredFile["meta"] {
  if (kind === "photo") {
    const info = imageInfo(bytes);
    if (!info) throw badRequest("IMAGE_PROCESS_FAILED");
    return { width: info.width, height: info.height };
  }
  const width = p.int("width");
  const height = p.int("height");
  const duration = p.int("duration");
  return {
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(duration !== undefined ? { duration } : {}),
  };
}

const getFile: Handler = (ctx, p) => {
  const id = p.str("file_id") ?? "";
  const file = ctx.files.get(ctx.bot.user.id, id);
  if (!file) throw badRequest("invalid file_id");
  if (file.size > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big");
  const result: TgFile = { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.size, file_path: file.path };
  return result;
};

export const mediaHandlers: Record<string, Handler> = {
  sendPhoto: sendMedia("photo", "sendPhoto"),
  sendDocument: sendMedia("document", "sendDocument"),
  sendVoice: sendMedia("voice", "sendVoice"),
  sendVideo: sendMedia("video", "sendVideo"),
  getFile,
};
