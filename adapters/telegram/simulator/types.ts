// Bot API objects as the simulator puts them on the wire (the subset it produces), and its own records.

export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** getMe's answer: a User with the bot-only flags. */
export interface BotUser extends User {
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
}

export interface Chat {
  id: number;
  type: "private" | "group";
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: User;
  language?: string;
  custom_emoji_id?: string;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

export interface Document {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size: number;
}

export interface Voice {
  file_id: string;
  file_unique_id: string;
  duration: number;
  mime_type?: string;
  file_size: number;
}

export interface Video {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  duration: number;
  file_name?: string;
  mime_type?: string;
  file_size: number;
}

export interface Message {
  message_id: number;
  from?: User;
  chat: Chat;
  date: number;
  edit_date?: number;
  /** Telegram nests one level only: a replied-to message carries no reply_to_message of its own. */
  reply_to_message?: Message;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  document?: Document;
  voice?: Voice;
  video?: Video;
}

export interface ReactionTypeEmoji {
  type: "emoji";
  emoji: string;
}

export interface MessageReactionUpdated {
  chat: Chat;
  message_id: number;
  user: User;
  date: number;
  old_reaction: ReactionTypeEmoji[];
  new_reaction: ReactionTypeEmoji[];
}

export type UpdateType = "message" | "edited_message" | "message_reaction";

export interface Update {
  update_id: number;
  message?: Message;
  edited_message?: Message;
  message_reaction?: MessageReactionUpdated;
}

/** getFile's answer. */
export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path?: string;
}

export type MediaKind = "photo" | "document" | "voice" | "video";

/** One thing a bot did to a chat, as recorded for assertions (`botMessages`). */
export interface SentMessage {
  method: string;
  chat_id: number;
  /** The Telegram message_id the call created or acted on. */
  message_id: number;
  text?: string;
  entities?: MessageEntity[];
  parse_mode?: string;
  caption?: string;
  reply_to?: number;
  link_preview_options?: unknown;
  media?: {
    type: MediaKind;
    /** Bytes the simulator received (or fetched) for this file. */
    length: number;
    mime_type?: string;
    file_name?: string;
    file_id: string;
    /** How the bot supplied it. */
    source: "upload" | "url" | "file_id";
  };
  /** setMessageReaction: the emoji the bot's reaction became (empty: removed). */
  reaction?: string[];
  /** Milliseconds since the epoch. */
  at: number;
}

export type FailureSpec = { status: 429; retryAfter: number } | { status: 500 };

export interface BotSpec {
  token: string;
  id: number;
  username: string;
  firstName?: string;
}

export interface UserSpec {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
}

export interface GroupSpec {
  /** Negative, as Telegram's group ids are. */
  id: number;
  title: string;
  members: number[];
}

export interface UserSendOptions {
  /** A group the user is a member of; the user's private chat with the bot when omitted. */
  chatId?: number;
  replyTo?: number;
  entities?: unknown[];
}

export interface UserMediaOptions {
  caption?: string;
  chatId?: number;
  replyTo?: number;
  fileName?: string;
  mimeType?: string;
  /** Reported file_size instead of bytes.length, so a 25 MB file needs no 25 MB buffer. */
  size?: number;
  /** Seconds, for voice and video. */
  duration?: number;
}
