// Bot API methods on text messages and chats: getMe, getChat, sendMessage, editMessageText,
// deleteMessage, setMessageReaction, sendChatAction.
import { unixNow } from "./botState.ts";
import { type CallContext, type Handler, optionalFields, replyTarget, requiredMessageId } from "./context.ts";
import { badRequest } from "./http.ts";
import type { Params } from "./params.ts";
import { parseReactionParam } from "./reactions.ts";
import { formatText } from "./text.ts";

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function linkPreview(p: Params): unknown {
  const options = p.json("link_preview_options", "link preview options");
  if (options !== undefined) return options;
  return p.bool("disable_web_page_preview") ? { is_disabled: true } : undefined;
}

const sendMessage: Handler = (ctx, p) => {
  const { bot, world } = ctx;
  const chat = world.writableChat(bot, p);
  const f = formatText(p.str("text") ?? "", p.str("parse_mode"), p.json("entities", "entities"), "text");
  const reply = replyTarget(ctx, chat, p);
  const message = bot.store(
    chat,
    bot.from,
    {
      text: f.text,
      ...(f.entities.length ? { entities: f.entities } : {}),
      ...(reply ? { reply_to_message: reply } : {}),
    },
    true,
  );
  const preview = linkPreview(p);
  bot.record({
    method: "sendMessage",
    chat_id: chat.id,
    message_id: message.message_id,
    text: f.text,
    ...(f.entities.length ? { entities: f.entities } : {}),
    ...optionalFields(p, reply),
    ...(preview !== undefined ? { link_preview_options: preview } : {}),
  });
  return message;
};

const editMessageText: Handler = (ctx, p) => {
  const { bot, world } = ctx;
  // The simulator never produces inline messages, so no inline_message_id can be valid.
  if (p.has("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const chat = world.chatParam(p);
  const id = requiredMessageId(p);
  const stored = bot.find(chat.id, id);
  if (!stored) throw badRequest("message to edit not found");
  if (!stored.byBot) throw badRequest("message can't be edited");
  const m = stored.message;
  if (m.text === undefined) throw badRequest("there is no text in the message to edit");
  const f = formatText(p.str("text") ?? "", p.str("parse_mode"), p.json("entities", "entities"), "text");
  if (f.text === m.text && JSON.stringify(f.entities) === JSON.stringify(m.entities ?? [])) {
    throw badRequest(NOT_MODIFIED);
  }
  m.text = f.text;
  if (f.entities.length) m.entities = f.entities;
  else delete m.entities;
  m.edit_date = unixNow();
  bot.record({
    method: "editMessageText",
    chat_id: chat.id,
    message_id: id,
    text: f.text,
    ...(f.entities.length ? { entities: f.entities } : {}),
    ...optionalFields(p, undefined),
  });
  return m;
};

const deleteMessage: Handler = (ctx, p) => {
  const { bot, world } = ctx;
  const chat = world.chatParam(p);
  const id = requiredMessageId(p);
  const stored = bot.find(chat.id, id);
  if (!stored) throw badRequest("message to delete not found");
  // In private chats a bot may delete both sides; in groups only its own without admin rights.
  if (chat.type !== "private" && !stored.byBot) throw badRequest("message can't be deleted");
  bot.remove(chat.id, id);
  bot.record({ method: "deleteMessage", chat_id: chat.id, message_id: id });
  return true;
};

const setMessageReaction: Handler = (ctx, p) => {
  const { bot, world } = ctx;
  const emoji = parseReactionParam(p.json("reaction", "reaction types"));
  const chat = world.chatParam(p);
  const id = p.int("message_id");
  const stored = id !== undefined && id > 0 ? bot.find(chat.id, id) : undefined;
  if (!stored || id === undefined) throw badRequest("message to react not found");
  if (emoji.length) stored.reactions.set(bot.user.id, emoji);
  else stored.reactions.delete(bot.user.id);
  // Telegram sends no message_reaction update for a bot's own reactions.
  bot.record({ method: "setMessageReaction", chat_id: chat.id, message_id: id, reaction: emoji });
  return true;
};

const sendChatAction: Handler = (ctx, p) => {
  const { bot, world } = ctx;
  const chat = world.writableChat(bot, p);
  const action = p.str("action") ?? "";
  if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
  bot.actions.push({ chatId: chat.id, action });
  return true;
};

export const messagingHandlers: Record<string, Handler> = {
  getMe: (ctx: CallContext) => ctx.bot.user,
  getChat: (ctx, p) => ctx.world.chatParam(p, true),
  sendMessage,
  editMessageText,
  deleteMessage,
  setMessageReaction,
  sendChatAction,
};
