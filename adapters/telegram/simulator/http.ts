import type { IncomingMessage, ServerResponse } from "node:http";

/** Bots may upload up to 50 MB; a little more leaves room for the multipart framing. */
export const MAX_BODY_BYTES = 52 * 1024 * 1024;

/** A Bot API failure: becomes `{"ok":false,"error_code":…,"description":…}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);
export const forbidden = (what: string) => new ApiError(403, `Forbidden: ${what}`);
export const unauthorized = () => new ApiError(401, "Unauthorized");
export const notFound = () => new ApiError(404, "Not Found");

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

export function sendResult(res: ServerResponse, result: unknown, description?: string): void {
  sendJson(res, 200, description === undefined ? { ok: true, result } : { ok: true, result, description });
}

export function errorBody(err: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { ok: false, error_code: err.status, description: err.description };
  if (err.parameters) body.parameters = err.parameters;
  return body;
}

export function sendApiError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, errorBody(err));
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) throw new ApiError(413, "Request Entity Too Large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, "Request Entity Too Large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
