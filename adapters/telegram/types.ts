// The Bot API objects the adapter reads, as they are on the wire. Our own subset rather than
// telegraf's typings: telegraf sits behind api.ts only, so it could be replaced.

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface TgChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

/** getChat's answer (ChatFullInfo): a Chat with a few more fields. */
export interface TgChatFull extends TgChat {
  bio?: string;
  description?: string;
}

/** Every downloadable object (PhotoSize, Document, Voice, Video, Audio, Animation, VideoNote). */
export interface TgFileObject {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  reply_to_message?: TgMessage;
  text?: string;
  caption?: string;
  photo?: TgFileObject[];
  document?: TgFileObject;
  voice?: TgFileObject;
  video?: TgFileObject;
  audio?: TgFileObject;
  animation?: TgFileObject;
  video_note?: TgFileObject;
  sticker?: { emoji?: string };
  [other: string]: unknown;
}

export type TgReactionType = { type: "emoji"; emoji: string } | { type: "custom_emoji"; custom_emoji_id: string } | { type: string };

export interface TgMessageReaction {
  chat: TgChat;
  message_id: number;
  user?: TgUser;
  date: number;
  old_reaction: TgReactionType[];
  new_reaction: TgReactionType[];
}

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  message_reaction?: TgMessageReaction;
}

/** getFile's answer. */
export interface TgFile {
  file_id: string;
  file_size?: number;
  file_path?: string;
}

/** The kinds of updates the adapter asks for (getUpdates and setWebhook). */
export const ALLOWED_UPDATES = ["message", "edited_message", "message_reaction"] as const;
