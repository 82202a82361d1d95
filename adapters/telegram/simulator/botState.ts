// Everything one bot has: its chats' message histories, who started it, its update queue, and the
// record of what it did for tests to assert on.
import { Arrivals } from "../../simulatorKit/arrivals.ts";
import { UpdateQueue } from "./updates.ts";
import type { BotUser, Chat, FailureSpec, Message, SentMessage, User } from "./types.ts";

export interface StoredMessage {
  message: Message;
  byBot: boolean;
  /** Current reactions by reactor id (users and the bot itself), for old_reaction. */
  reactions: Map<number, string[]>;
}

/** Message ids count per chat, shared by the bot's and the users' messages, as in a private chat. */
class ChatLog {
  #next = 1;
  readonly messages = new Map<number, StoredMessage>();
  nextId(): number {
    return this.#next++;
  }
}

export type MessageContent = Omit<Message, "message_id" | "from" | "chat" | "date">;

export const unixNow = () => Math.floor(Date.now() / 1000);

export class BotState {
  readonly user: BotUser;
  readonly started = new Set<number>();
  readonly updates: UpdateQueue;
  readonly failures: FailureSpec[] = [];
  readonly sent: SentMessage[] = [];
  readonly actions: Array<{ chatId: number; action: string }> = [];
  readonly calls: Array<{ method: string; at: number }> = [];
  readonly #chats = new Map<number, ChatLog>();
  readonly #sentArrivals = new Arrivals<SentMessage>();

  constructor(spec: { id: number; username: string; firstName?: string }) {
    this.user = {
      id: spec.id,
      is_bot: true,
      first_name: spec.firstName ?? spec.username,
      username: spec.username,
      can_join_groups: true,
      // The simulator delivers every group message, i.e. privacy mode is off.
      can_read_all_group_messages: true,
      supports_inline_queries: false,
    };
    // Real update ids start at an arbitrary large number; a bridge must not assume 1.
    this.updates = new UpdateQueue(100_000_000 + Math.floor(Math.random() * 800_000_000));
  }

  /** The bot as `from` of its messages (getMe's extra flags are not part of a Message's User). */
  get from(): User {
    return { id: this.user.id, is_bot: true, first_name: this.user.first_name, username: this.user.username };
  }

  store(chat: Chat, from: User, content: MessageContent, byBot: boolean): Message {
    const log = this.#log(chat.id);
    const message: Message = { message_id: log.nextId(), from, chat, date: unixNow(), ...content };
    log.messages.set(message.message_id, { message, byBot, reactions: new Map() });
    return message;
  }

  find(chatId: number, messageId: number): StoredMessage | undefined {
    return this.#chats.get(chatId)?.messages.get(messageId);
  }

  remove(chatId: number, messageId: number): boolean {
    return this.#chats.get(chatId)?.messages.delete(messageId) ?? false;
  }

  record(entry: Omit<SentMessage, "at">): void {
    const m: SentMessage = { ...entry, at: Date.now() };
    this.sent.push(m);
    this.#sentArrivals.notify(m);
  }

  waitForSent(pred: (m: SentMessage) => boolean, timeoutMs: number): Promise<SentMessage> {
    return this.#sentArrivals.waitFor(this.sent, pred, timeoutMs, () => `waitForBot: no matching bot action within ${timeoutMs} ms (${this.sent.length} recorded)`);
  }

  #log(chatId: number): ChatLog {
    let log = this.#chats.get(chatId);
    if (!log) this.#chats.set(chatId, (log = new ChatLog()));
    return log;
  }
}

/** A copy fit for reply_to_message: Telegram nests one level only. */
export function asReplied(m: Message): Message {
  const { reply_to_message: _, ...rest } = m;
  return rest;
}
