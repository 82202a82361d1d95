// JSON control API under /_sim/, so the demo and shell tools can play users without our code.
// No auth: the simulator is a local test fixture. Answers look like the Bot API's: {ok, result}.
//   POST /_sim/bots           {token, id, username, firstName?}
//   POST /_sim/bots/revoke    {token}
//   POST /_sim/users          {id, firstName, lastName?, username?}
//   POST /_sim/groups         {id, title, members: [userId…]}
//   POST /_sim/userSends      {token, userId, text, chatId?, replyTo?, entities?}        → Message
//   POST /_sim/userSendsMedia {token, userId, kind: photo|document|voice|video, base64?, size?,
//                              caption?, chatId?, replyTo?, fileName?, mimeType?, duration?} → Message
//   POST /_sim/userEdits      {token, userId, messageId, text, chatId?}                  → Message
//   POST /_sim/userReacts     {token, userId, messageId, emoji (null removes), chatId?}
//   GET  /_sim/botMessages?token=…   GET /_sim/chatActions?token=…   GET /_sim/methodCalls?token=…
//   POST /_sim/failures       {token, count?, status: 429|500, retryAfter?}
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, notFound, readBody, sendResult } from "./http.ts";
import type { FailureSpec, MediaKind, Message, SentMessage, UserMediaOptions } from "./types.ts";

export interface ControlTarget {
  addBot(b: { token: string; id: number; username: string; firstName?: string }): void;
  revokeBot(token: string): void;
  addUser(u: { id: number; firstName: string; lastName?: string; username?: string }): void;
  addGroup(g: { id: number; title: string; members: number[] }): void;
  userSends(token: string, userId: number, text: string, opts?: { chatId?: number; replyTo?: number; entities?: unknown[] }): Message;
  userSendsMedia(token: string, userId: number, kind: MediaKind, bytes: Buffer, opts?: UserMediaOptions): Message;
  userEdits(token: string, userId: number, messageId: number, newText: string, opts?: { chatId?: number }): Message;
  userReacts(token: string, userId: number, messageId: number, emoji: string | null, opts?: { chatId?: number }): void;
  botMessages(token: string): SentMessage[];
  chatActions(token: string): Array<{ chatId: number; action: string }>;
  methodCalls(token: string): Array<{ method: string; at: number }>;
  injectFailures(token: string, count: number, spec: FailureSpec): void;
}

const KINDS = new Set(["photo", "document", "voice", "video"]);

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, sim: ControlTarget): Promise<void> {
  try {
    await route(req, res, url, sim);
  } catch (err) {
    // The simulator's own checks (unknown user, bad token…) are the caller's mistake.
    throw err instanceof ApiError ? err : badRequest((err as Error).message);
  }
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, sim: ControlTarget): Promise<void> {
  const ok = (result: unknown = true) => sendResult(res, result);
  if (req.method === "GET") {
    const token = url.searchParams.get("token") ?? "";
    switch (url.pathname) {
      case "/_sim/botMessages":
        return ok(sim.botMessages(token));
      case "/_sim/chatActions":
        return ok(sim.chatActions(token));
      case "/_sim/methodCalls":
        return ok(sim.methodCalls(token));
    }
    throw notFound();
  }
  if (req.method !== "POST") throw notFound();
  const b = await readJson(req);
  const chatOpt = () => (b.chatId === undefined ? {} : { chatId: int(b, "chatId") });
  switch (url.pathname) {
    case "/_sim/bots":
      sim.addBot({ token: str(b, "token"), id: int(b, "id"), username: str(b, "username"), ...optStr(b, "firstName") });
      return ok();
    case "/_sim/bots/revoke":
      sim.revokeBot(str(b, "token"));
      return ok();
    case "/_sim/users":
      sim.addUser({ id: int(b, "id"), firstName: str(b, "firstName"), ...optStr(b, "lastName"), ...optStr(b, "username") });
      return ok();
    case "/_sim/groups": {
      const members = b.members;
      if (!Array.isArray(members) || !members.every(Number.isSafeInteger)) throw badRequest("'members' must be an array of user ids");
      sim.addGroup({ id: int(b, "id"), title: str(b, "title"), members: members as number[] });
      return ok();
    }
    case "/_sim/userSends": {
      if (b.entities !== undefined && !Array.isArray(b.entities)) throw badRequest("'entities' must be an array");
      const opts = { ...chatOpt(), ...(b.replyTo === undefined ? {} : { replyTo: int(b, "replyTo") }), ...(b.entities ? { entities: b.entities as unknown[] } : {}) };
      return ok(sim.userSends(str(b, "token"), int(b, "userId"), str(b, "text"), opts));
    }
    case "/_sim/userSendsMedia": {
      const kind = str(b, "kind");
      if (!KINDS.has(kind)) throw badRequest("'kind' must be photo, document, voice or video");
      const bytes = b.base64 === undefined ? Buffer.alloc(0) : Buffer.from(str(b, "base64"), "base64");
      const opts: UserMediaOptions = { ...chatOpt(), ...optStr(b, "caption"), ...optStr(b, "fileName"), ...optStr(b, "mimeType") };
      if (b.replyTo !== undefined) opts.replyTo = int(b, "replyTo");
      if (b.size !== undefined) opts.size = int(b, "size");
      if (b.duration !== undefined) opts.duration = int(b, "duration");
      return ok(sim.userSendsMedia(str(b, "token"), int(b, "userId"), kind as MediaKind, bytes, opts));
    }
    case "/_sim/userEdits":
      return ok(sim.userEdits(str(b, "token"), int(b, "userId"), int(b, "messageId"), str(b, "text"), chatOpt()));
    case "/_sim/userReacts": {
      const emoji = b.emoji === null ? null : str(b, "emoji");
      sim.userReacts(str(b, "token"), int(b, "userId"), int(b, "messageId"), emoji, chatOpt());
      return ok();
    }
    case "/_sim/failures": {
      const status = b.status;
      const count = b.count === undefined ? 1 : int(b, "count");
      if (status === 429) sim.injectFailures(str(b, "token"), count, { status, retryAfter: b.retryAfter === undefined ? 1 : int(b, "retryAfter") });
      else if (status === 500) sim.injectFailures(str(b, "token"), count, { status });
      else throw badRequest("'status' must be 429 or 500");
      return ok();
    }
  }
  throw notFound();
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readBody(req)).toString("utf8") || "{}");
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest("request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest("request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function str(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== "string" || v === "") throw badRequest(`'${key}' must be a non-empty string`);
  return v;
}

function optStr<K extends string>(b: Record<string, unknown>, key: K): { [P in K]?: string } {
  const v = b[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== "string") throw badRequest(`'${key}' must be a string`);
  return { [key]: v } as { [P in K]?: string };
}

function int(b: Record<string, unknown>, key: string): number {
  const v = b[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw badRequest(`'${key}' must be an integer`);
  return v;
}
