import type { WebhookRoute } from "../core/adapter.ts";
import type { MediaStore } from "../store/media.ts";

/**
 * GET /media/<token>/<file name>: files received from networks. The token alone decides; without
 * the exact token a request learns nothing (the same 404 for a wrong token and a missing file).
 */
export function mediaRoute(media: MediaStore): WebhookRoute {
  return {
    method: "GET",
    path: "/media/",
    prefix: true,
    async handle(req) {
      const token = (req.url.split("?")[0] ?? "").split("/")[2] ?? "";
      const file = /^[A-Za-z0-9_-]{43}$/.test(token) ? await media.get(token) : undefined;
      if (!file) return { status: 404, body: "not found" };
      return {
        status: 200,
        body: file.content,
        contentType: file.contentType,
        headers: { "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`, "cache-control": "private, max-age=86400", "x-content-type-options": "nosniff" },
      };
    },
  };
}
