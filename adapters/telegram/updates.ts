// A Telegram Update → the core's neutral shapes. Pure: files are only named here (MediaRef) and
// fetched by inbound.ts.
//
// A private chat is the contact "<user id>"; a group is one contact "<negative chat id>" whose
// messages carry the sender's name as a prefix, with the group's title as the contact's name.
import type { IncomingEvent, IncomingMessage } from "../../src/core/adapter.ts";
import { displayAddress, personName, updateKey } from "./ids.ts";
import { fromTelegramEmoji } from "./reactions.ts";
import type { TgFileObject, TgMessage, TgUpdate } from "./types.ts";

/** A file in a message, to be fetched with getFile. */
export interface MediaRef {
  fileId: string;
  fileSize: number | undefined;
  fileName: string;
  contentType: string;
  /** Telegram re-encodes photos; the real type is read from the bytes. */
  sniff: boolean;
}

export type Translated =
  | { kind: "message"; message: IncomingMessage; media: MediaRef[]; person?: Person }
  | { kind: "event"; event: IncomingEvent; person?: Person }
  | { kind: "skip"; why: string };

/** Someone who wrote to the bot in a private chat (their @username becomes an address). */
export interface Person {
  username: string | undefined;
  chatId: number;
}

// Service messages (members joining, title changes, pins…) are not something a contact said.
const SERVICE_FIELDS = [
  "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
  "group_chat_created", "supergroup_chat_created", "channel_chat_created", "migrate_to_chat_id",
  "migrate_from_chat_id", "pinned_message", "message_auto_delete_timer_changed", "forum_topic_created",
  "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened", "video_chat_scheduled",
  "video_chat_started", "video_chat_ended", "video_chat_participants_invited", "write_access_allowed",
  "users_shared", "chat_shared", "boost_added", "giveaway_created", "successful_payment",
];

// What a message can carry that has no file or text to pass on.
const OTHER_CONTENT = ["location", "venue", "contact", "poll", "dice", "game", "story", "invoice", "giveaway"];

const FILE_KINDS = [
  { field: "document", name: "document", type: "application/octet-stream", ext: "" },
  { field: "video", name: "video", type: "video/mp4", ext: ".mp4" },
  { field: "voice", name: "voice", type: "audio/ogg", ext: ".ogg" },
  { field: "audio", name: "audio", type: "audio/mpeg", ext: ".mp3" },
  { field: "animation", name: "animation", type: "video/mp4", ext: ".mp4" },
  { field: "video_note", name: "video_note", type: "video/mp4", ext: ".mp4" },
] as const;

/**
 * An update in neutral form, or why it is skipped. An update that does not have the shape the
 * Bot API documents is skipped too: refusing it would make Telegram (or our poll loop) offer it
 * again forever and hold back every update behind it.
 */
export function translate(botId: string, update: TgUpdate): Translated {
  try {
    const t = translateWellFormed(botId, update);
    return wellTyped(t) ? t : MALFORMED;
  } catch {
    return MALFORMED;
  }
}

const MALFORMED: Translated = { kind: "skip", why: "malformed update" };

/**
 * Whether every text the update gave us is text: a number where the Bot API documents a string
 * (found by `npm run fuzz -- --seed 11`) otherwise failed later, was answered 500, and came back
 * forever, holding back the updates behind it.
 */
function wellTyped(t: Translated): boolean {
  const text = (v: unknown) => typeof v === "string";
  const optionalText = (v: unknown) => v === undefined || typeof v === "string";
  const person = (p: Person | undefined) => p === undefined || optionalText(p.username);
  switch (t.kind) {
    case "message": {
      const m = t.message;
      return text(m.from) && text(m.body) && optionalText(m.fromName) && optionalText(m.networkId) && optionalText(m.replyTo) && person(t.person) &&
        t.media.every((f) => text(f.fileId) && text(f.fileName) && (f.fileSize === undefined || typeof f.fileSize === "number"));
    }
    case "event": {
      const e = t.event as unknown as Record<string, unknown>;
      return text(e.from) && optionalText(e.target) && optionalText(e.body) && (e.emojis === undefined || (Array.isArray(e.emojis) && e.emojis.every(text))) && person(t.person);
    }
    case "skip":
      return true;
  }
}

function translateWellFormed(botId: string, update: TgUpdate): Translated {
  const key = updateKey(botId, update.update_id);
  if (update.message) return message(botId, key, update.message);
  if (update.edited_message) return edit(botId, key, update.edited_message);
  const r = update.message_reaction;
  if (r) {
    const emojis = r.new_reaction.flatMap((t) => (t.type === "emoji" && "emoji" in t ? [fromTelegramEmoji(t.emoji)] : []));
    const event: IncomingEvent = { kind: "reaction", key, account: botId, from: telegramId(r.chat.id), target: telegramId(r.message_id), emojis };
    const person = r.chat.type === "private" && r.user ? { username: r.user.username, chatId: r.chat.id } : undefined;
    return person ? { kind: "event", event, person } : { kind: "event", event };
  }
  return { kind: "skip", why: "update kind not asked for" };
}

function message(botId: string, key: string, m: TgMessage): Translated {
  if (SERVICE_FIELDS.some((f) => m[f] !== undefined)) return { kind: "skip", why: "service message" };
  const media = mediaOf(m);
  let text = m.text ?? m.caption ?? "";
  if (text === "" && media.length === 0) text = placeholder(m);
  const msg: IncomingMessage = {
    key,
    account: botId,
    from: telegramId(m.chat.id),
    fromName: isPrivate(m) ? personName(m.from ?? m.chat) : (m.chat.title ?? displayAddress(telegramId(m.chat.id))),
    body: withSender(m, text),
    mediaUrls: [],
    networkId: telegramId(m.message_id),
    sentAt: new Date(m.date * 1000),
  };
  if (m.reply_to_message) msg.replyTo = String(m.reply_to_message.message_id);
  const person = personOf(m);
  return person ? { kind: "message", message: msg, media, person } : { kind: "message", message: msg, media };
}

function edit(botId: string, key: string, m: TgMessage): Translated {
  const text = m.text ?? m.caption;
  if (text === undefined) return { kind: "skip", why: "edit without text" };
  const event: IncomingEvent = { kind: "edit", key, account: botId, from: telegramId(m.chat.id), target: telegramId(m.message_id), body: withSender(m, text) };
  const person = personOf(m);
  return person ? { kind: "event", event, person } : { kind: "event", event };
}

/**
 * A chat or message id as the Bot API documents it, a whole number; anything else makes the
 * update malformed (thrown, caught in translate). A chat id is a contact's JID localpart: an
 * empty one would make the XMPP server close the component link on the stanza carrying it.
 */
function telegramId(v: unknown): string {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new Error("not a Telegram id");
  return String(v);
}

function isPrivate(m: TgMessage): boolean {
  return m.chat.type === "private";
}

/** In a group the contact is the group, so each line says who wrote it. */
function withSender(m: TgMessage, text: string): string {
  if (isPrivate(m)) return text;
  const sender = m.from ? personName(m.from) : (m.chat.title ?? "someone");
  return `${sender}: ${text}`;
}

function personOf(m: TgMessage): Person | undefined {
  return isPrivate(m) ? { username: m.from?.username ?? m.chat.username, chatId: m.chat.id } : undefined;
}

function mediaOf(m: TgMessage): MediaRef[] {
  const refs: MediaRef[] = [];
  // Telegram lists a photo's sizes smallest first; the last is the original.
  const photo = m.photo?.at(-1);
  if (photo) refs.push(ref(photo, `photo_${m.message_id}.jpg`, "image/jpeg", true));
  for (const k of FILE_KINDS) {
    const f = m[k.field] as TgFileObject | undefined;
    if (!f) continue;
    refs.push(ref(f, f.file_name || `${k.name}_${m.message_id}${k.ext}`, f.mime_type || k.type, false));
  }
  return refs;
}

function ref(f: TgFileObject, fileName: string, contentType: string, sniff: boolean): MediaRef {
  return { fileId: f.file_id, fileSize: f.file_size, fileName, contentType, sniff };
}

function placeholder(m: TgMessage): string {
  if (m.sticker) return m.sticker.emoji ? `[sticker ${m.sticker.emoji}]` : "[sticker]";
  const kind = OTHER_CONTENT.find((f) => m[f] !== undefined);
  return kind ? `[a ${kind.replace("_", " ")} this gateway can't show]` : "[a message this gateway can't show]";
}
