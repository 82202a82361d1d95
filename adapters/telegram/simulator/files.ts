// Files the simulator holds: what users sent and bots uploaded. file_ids belong to one bot, as on
// Telegram, where another bot's file_id is simply invalid.
import { randomBytes } from "node:crypto";
import type { MediaKind } from "./types.ts";

/** getFile refuses anything larger: bots download at most 20 MB. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  botId: number;
  kind: MediaKind;
  /** What file_size reports; may exceed bytes.length when a test declared a size. */
  size: number;
  bytes: Buffer;
  path: string;
  mimeType?: string;
  fileName?: string;
  /** Dimensions and length as first reported, reused when the file is sent again by file_id. */
  meta: { width?: number; height?: number; duration?: number };
}

const DIRS: Record<MediaKind, string> = { photo: "photos", document: "documents", voice: "voice", video: "videos" };
// Real file_ids start with a type-specific prefix; mimicking it keeps logs recognisable.
const PREFIX: Record<MediaKind, string> = { photo: "AgACAgIAAxkBAA", document: "BQACAgIAAxkBAA", voice: "AwACAgIAAxkBAA", video: "BAACAgIAAxkBAA" };

const MIME: Record<string, string> = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp",
  pdf: "application/pdf", txt: "text/plain", zip: "application/zip", json: "application/json",
  mp4: "video/mp4", mov: "video/quicktime", webm: "video/webm",
  ogg: "audio/ogg", oga: "audio/ogg", opus: "audio/ogg", mp3: "audio/mpeg", m4a: "audio/mp4",
};

export const extensionOf = (name: string | undefined) => /\.([a-zA-Z0-9]{1,8})$/.exec(name ?? "")?.[1]?.toLowerCase();

export function mimeFromName(name: string | undefined): string | undefined {
  const ext = extensionOf(name);
  return ext ? MIME[ext] : undefined;
}

export class FileStore {
  readonly #byId = new Map<string, StoredFile>();
  readonly #byPath = new Map<string, StoredFile>();
  #seq = 0;

  add(
    botId: number,
    kind: MediaKind,
    bytes: Buffer,
    opts: { size?: number; mimeType?: string; fileName?: string } = {},
  ): StoredFile {
    const n = this.#seq++;
    // Telegram re-encodes photos as JPEG; other files keep their extension.
    const ext = kind === "photo" ? "jpg" : kind === "voice" ? "oga" : (extensionOf(opts.fileName) ?? (kind === "video" ? "mp4" : ""));
    const file: StoredFile = {
      fileId: PREFIX[kind] + randomBytes(24).toString("base64url"),
      uniqueId: "AQAD" + randomBytes(9).toString("base64url"),
      botId,
      kind,
      size: opts.size ?? bytes.length,
      bytes,
      path: `${DIRS[kind]}/file_${n}${ext ? `.${ext}` : ""}`,
      meta: {},
    };
    if (opts.mimeType) file.mimeType = opts.mimeType;
    if (opts.fileName) file.fileName = opts.fileName;
    this.#byId.set(file.fileId, file);
    this.#byPath.set(`${botId}\n${file.path}`, file);
    return file;
  }

  get(botId: number, fileId: string): StoredFile | undefined {
    const file = this.#byId.get(fileId);
    return file?.botId === botId ? file : undefined;
  }

  byPath(botId: number, path: string): StoredFile | undefined {
    return this.#byPath.get(`${botId}\n${path}`);
  }
}
