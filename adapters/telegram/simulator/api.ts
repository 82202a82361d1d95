// The Bot API: `/bot<token>/<method>`, methods case-insensitive as on Telegram, and the file
// downloads at `/file/bot<token>/<file_path>`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallContext, Described, type Handler } from "./context.ts";
import { MAX_DOWNLOAD_BYTES } from "./files.ts";
import { ApiError, notFound, sendApiError, sendResult, unauthorized } from "./http.ts";
import { mediaHandlers } from "./media.ts";
import { messagingHandlers } from "./messaging.ts";
import { Params } from "./params.ts";
import type { FailureSpec } from "./types.ts";
import { updateHandlers } from "./updatesApi.ts";

const HANDLERS = new Map<string, Handler>(
  Object.entries({ ...messagingHandlers, ...mediaHandlers, ...updateHandlers }).map(([k, v]) => [k.toLowerCase(), v]),
);

/**
 * The calls an injected failure hits: those that send or change a message. sendChatAction is left
 * out so a typing notification sent first does not absorb a failure meant for the message.
 */
export const SEND_METHODS: ReadonlySet<string> = new Set(
  ["sendMessage", "editMessageText", "deleteMessage", "setMessageReaction", "sendPhoto", "sendDocument", "sendVoice", "sendVideo"].map(
    (m) => m.toLowerCase(),
  ),
);

export function failureError(f: FailureSpec): ApiError {
  if (f.status === 429) {
    return new ApiError(429, `Too Many Requests: retry after ${f.retryAfter}`, { retry_after: f.retryAfter });
  }
  return new ApiError(500, "Internal Server Error");
}

/** Run one method for an authenticated bot; returns what goes into `result` (and `description`). */
export async function callMethod(
  ctx: CallContext,
  method: string,
  p: Params,
): Promise<{ result: unknown; description?: string }> {
  const name = method.toLowerCase();
  const handler = HANDLERS.get(name);
  if (!handler) throw notFound();
  if (SEND_METHODS.has(name)) {
    const failure = ctx.bot.failures.shift();
    if (failure) throw failureError(failure);
  }
  const r = await handler(ctx, p);
  return r instanceof Described ? { result: r.result, description: r.description } : { result: r };
}

const METHOD_PATH = /^\/bot([^/]+)\/([A-Za-z]*)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

export async function handleBotApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  base: Omit<CallContext, "bot" | "signal">,
  stopping: AbortSignal,
): Promise<void> {
  const m = METHOD_PATH.exec(url.pathname);
  if (!m) throw notFound();
  const bot = base.world.authenticate(decode(m[1] as string));
  if (!bot) throw unauthorized();
  const method = m[2] as string;
  bot.calls.push({ method, at: Date.now() });
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  const signal = AbortSignal.any([gone.signal, stopping]);
  const params = await Params.fromRequest(req, url.searchParams);
  try {
    const { result, description } = await callMethod({ ...base, bot, signal }, method, params);
    if (!res.destroyed) sendResult(res, result, description);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (!res.destroyed) sendApiError(res, err);
  }
}

export function handleFileDownload(req: IncomingMessage, res: ServerResponse, url: URL, base: Omit<CallContext, "bot" | "signal">): void {
  const m = FILE_PATH.exec(url.pathname);
  if (!m) throw notFound();
  const bot = base.world.authenticate(decode(m[1] as string));
  if (!bot) throw unauthorized();
  const file = base.files.byPath(bot.user.id, decode(m[2] as string));
  if (!file || file.size > MAX_DOWNLOAD_BYTES) throw notFound();
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": file.bytes.length });
  res.end(req.method === "HEAD" ? undefined : file.bytes);
}

/** Percent-decoding that cannot throw: a malformed escape is a URL nothing answers to. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw notFound();
  }
}
