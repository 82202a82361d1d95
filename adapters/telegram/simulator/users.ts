// Telegram users acting on a bot: writing, sending files, editing and reacting, each producing
// the update Telegram would queue for the bot.
import { type BotState, type MessageContent, asReplied, unixNow } from "./botState.ts";
import { type FileStore, mimeFromName } from "./files.ts";
import { imageInfo } from "./imageInfo.ts";
import { mediaContent } from "./mediaObjects.ts";
import { isReactionEmoji, toReactionTypes } from "./reactions.ts";
import { formatText } from "./text.ts";
import type { Chat, MediaKind, Message, User, UserMediaOptions, UserSendOptions } from "./types.ts";
import type { World } from "./world.ts";

const DEFAULT_MIME: Partial<Record<MediaKind, string>> = { voice: "audio/ogg", video: "video/mp4", document: "application/octet-stream" };

export class UserActions {
  constructor(
    private readonly world: World,
    private readonly files: FileStore,
  ) {}

  /** A text message; a private one also counts as the user having started the bot. */
  sends(bot: BotState, userId: number, text: string, opts: UserSendOptions = {}): Message {
    const f = formatText(text, undefined, opts.entities, "text");
    const content: MessageContent = { text: f.text, ...(f.entities.length ? { entities: f.entities } : {}) };
    return this.#post(bot, userId, content, opts);
  }

  sendsMedia(bot: BotState, userId: number, kind: MediaKind, bytes: Buffer, opts: UserMediaOptions = {}): Message {
    if (opts.size !== undefined && opts.size < bytes.length) throw new Error(`size ${opts.size} is smaller than the ${bytes.length} bytes given`);
    const mimeType = kind === "photo" ? undefined : (opts.mimeType ?? mimeFromName(opts.fileName) ?? DEFAULT_MIME[kind]);
    const file = this.files.add(bot.user.id, kind, bytes, {
      ...(opts.size !== undefined ? { size: opts.size } : {}),
      ...(mimeType ? { mimeType } : {}),
      ...(opts.fileName && kind !== "photo" ? { fileName: opts.fileName } : {}),
    });
    // Test fixtures need not be real images: undecodable bytes get 0×0 rather than an error.
    const image = kind === "photo" ? imageInfo(bytes) : null;
    file.meta = {
      ...(image ? { width: image.width, height: image.height } : {}),
      ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
    };
    const caption = opts.caption === undefined ? undefined : formatText(opts.caption, undefined, undefined, "caption");
    const content: MessageContent = {
      ...mediaContent(this.files, file),
      ...(caption?.text ? { caption: caption.text } : {}),
      ...(caption?.entities.length ? { caption_entities: caption.entities } : {}),
    };
    return this.#post(bot, userId, content, opts);
  }

  /** Edits the user's own message (its text, or its caption for media): an edited_message update. */
  edits(bot: BotState, userId: number, messageId: number, newText: string, opts: { chatId?: number } = {}): Message {
    const { chat } = this.#where(userId, opts.chatId);
    const stored = bot.find(chat.id, messageId);
    if (!stored || stored.byBot || stored.message.from?.id !== userId) {
      throw new Error(`userEdits: message ${messageId} in chat ${chat.id} is not one of user ${userId}'s`);
    }
    const m = stored.message;
    const isText = m.text !== undefined;
    const f = formatText(newText, undefined, undefined, isText ? "text" : "caption");
    const field = isText ? "text" : "caption";
    const entitiesField = isText ? "entities" : "caption_entities";
    m[field] = f.text;
    if (f.entities.length) m[entitiesField] = f.entities;
    else delete m[entitiesField];
    m.edit_date = unixNow();
    bot.updates.push("edited_message", structuredClone(m));
    return structuredClone(m);
  }

  /**
   * Sets (or with null removes) the user's reaction. Like Telegram, no update when nothing changes
   * or when the bot's allowed_updates lack "message_reaction".
   */
  reacts(bot: BotState, userId: number, messageId: number, emoji: string | null, opts: { chatId?: number } = {}): void {
    const { from, chat } = this.#where(userId, opts.chatId);
    if (emoji !== null && !isReactionEmoji(emoji)) throw new Error(`userReacts: ${emoji} is not a reaction Telegram offers`);
    const stored = bot.find(chat.id, messageId);
    if (!stored) throw new Error(`userReacts: no message ${messageId} in chat ${chat.id}`);
    const old = stored.reactions.get(userId) ?? [];
    const next = emoji === null ? [] : [emoji];
    if (old.join() === next.join()) return;
    if (next.length) stored.reactions.set(userId, next);
    else stored.reactions.delete(userId);
    bot.updates.push("message_reaction", {
      chat,
      message_id: messageId,
      user: from,
      date: unixNow(),
      old_reaction: toReactionTypes(old),
      new_reaction: toReactionTypes(next),
    });
  }

  #post(bot: BotState, userId: number, content: MessageContent, opts: { chatId?: number; replyTo?: number }): Message {
    const { from, chat } = this.#where(userId, opts.chatId);
    if (opts.replyTo !== undefined) {
      const replied = bot.find(chat.id, opts.replyTo);
      if (!replied) throw new Error(`replyTo: no message ${opts.replyTo} in chat ${chat.id}`);
      content.reply_to_message = asReplied(replied.message);
    }
    const message = bot.store(chat, from, content, false);
    if (chat.type === "private") bot.started.add(userId);
    // A copy: later edits change the stored message, not an update already queued.
    bot.updates.push("message", structuredClone(message));
    return structuredClone(message);
  }

  #where(userId: number, chatId: number | undefined): { from: User; chat: Chat } {
    const from = this.world.user(userId);
    if (chatId === undefined || chatId === userId) return { from, chat: this.world.chat(userId) as Chat };
    const chat = this.world.chat(chatId);
    if (chat?.type !== "group") throw new Error(`unknown group ${chatId}: addGroup first`);
    if (!this.world.isMember(chatId, userId)) throw new Error(`user ${userId} is not a member of group ${chatId}`);
    return { from, chat };
  }
}
