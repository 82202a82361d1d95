// Files as they appear inside a Message (PhotoSize[], Document, Voice, Video), for both sides.
import type { MessageContent } from "./botState.ts";
import type { FileStore, StoredFile } from "./files.ts";
import type { MediaKind, PhotoSize } from "./types.ts";

/** Telegram adds downscaled copies of a large photo; the original comes last. */
const THUMB_SIDE = 320;

export function mediaContent(files: FileStore, file: StoredFile): MessageContent {
  const meta = file.meta;
  const base = { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.size };
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const duration = meta.duration ?? 0;
  const named = { ...(file.fileName ? { file_name: file.fileName } : {}), ...(file.mimeType ? { mime_type: file.mimeType } : {}) };
  switch (file.kind) {
    case "photo": {
      const sizes: PhotoSize[] = [];
      const side = Math.max(width, height);
      if (side > THUMB_SIDE) {
        // Same bytes under its own file_id: the simulator does not resample.
        const thumb = files.add(file.botId, "photo", file.bytes);
        const scale = THUMB_SIDE / side;
        sizes.push({
          file_id: thumb.fileId,
          file_unique_id: thumb.uniqueId,
          width: Math.round(width * scale),
          height: Math.round(height * scale),
          file_size: thumb.size,
        });
      }
      sizes.push({ ...base, width, height });
      return { photo: sizes };
    }
    case "document":
      return { document: { ...base, ...named } };
    case "voice":
      return { voice: { ...base, duration, mime_type: file.mimeType ?? "audio/ogg" } };
    case "video":
      return { video: { ...base, width, height, duration, ...named } };
  }
}

export const MEDIA_KINDS: readonly MediaKind[] = ["photo", "document", "voice", "video"];
