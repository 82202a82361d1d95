// What a Bot API method handler gets to work with.
import type { BotState } from "./botState.ts";
import { asReplied } from "./botState.ts";
import type { FileStore } from "./files.ts";
import { badRequest } from "./http.ts";
import type { Outbound } from "./outbound.ts";
import type { Params } from "./params.ts";
import type { Chat, Message, SentMessage } from "./types.ts";
import type { Webhooks } from "./webhook.ts";
import type { World } from "./world.ts";

export interface CallContext {
  readonly world: World;
  readonly bot: BotState;
  readonly files: FileStore;
  readonly outbound: Outbound;
  readonly webhooks: Webhooks;
  /** Aborted when the caller disconnects or the simulator stops. */
  readonly signal: AbortSignal;
}

export type Handler = (ctx: CallContext, p: Params) => unknown;

/** A result that also carries Telegram's human-readable `description` (setWebhook and friends). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** reply_parameters (Bot API 7.0) or the legacy reply_to_message_id, resolved in `chat`. */
export function replyTarget(ctx: CallContext, chat: Chat, p: Params): Message | undefined {
  const params = p.json("reply_parameters", "reply parameters");
  let id: number | undefined;
  let allowMissing = p.bool("allow_sending_without_reply") ?? false;
  if (params !== undefined) {
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw badRequest("can't parse reply parameters JSON object");
    }
    const r = params as Record<string, unknown>;
    if (!Number.isSafeInteger(r.message_id)) throw badRequest(`can't parse reply parameters: Field "message_id" must be of type Integer`);
    id = r.message_id as number;
    // Replies into another chat exist since 7.0; the simulator keeps replies within the chat.
    if (r.chat_id !== undefined && String(r.chat_id) !== String(chat.id)) throw badRequest("message to be replied not found");
    allowMissing ||= r.allow_sending_without_reply === true;
  } else {
    id = p.int("reply_to_message_id");
  }
  if (id === undefined) return undefined;
  const found = ctx.bot.find(chat.id, id);
  if (found) return asReplied(found.message);
  if (allowMissing) return undefined;
  throw badRequest("message to be replied not found");
}

export function requiredMessageId(p: Params): number {
  const id = p.int("message_id");
  if (id === undefined) throw badRequest("message identifier is not specified");
  return id;
}

/** Fields of a SentMessage record that exist only when the call had them. */
export function optionalFields(p: Params, reply: Message | undefined): Partial<SentMessage> {
  const out: Partial<SentMessage> = {};
  const parseMode = p.str("parse_mode");
  if (parseMode) out.parse_mode = parseMode;
  if (reply) out.reply_to = reply.message_id;
  return out;
}
