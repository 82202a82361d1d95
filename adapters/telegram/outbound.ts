// What the user does toward Telegram: send (text or files by URL), edit, delete, react, typing,
// and looking a contact up. Every call that puts something into a chat waits for its pacing slot
// first; 429 pushes the chat's next slot back; 401 marks the registration broken.
import type { Account, ContactInfo, OutgoingMessage, SentRef } from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";
import type { BotApiFactory } from "./api.ts";
import { callError, failureOf, isUnauthorized, type Doing } from "./errors.ts";
import { botUsernameOf, parseChatId, personName, tokenOf } from "./ids.ts";
import { chooseMediaMethod, MEDIA_FIELD, type MediaMethod } from "./media.ts";
import type { Pacer } from "./pacing.ts";
import { chooseReaction } from "./reactions.ts";
import type { TgChatFull, TgMessage } from "./types.ts";

/** Telegram's limit for a caption; a longer body goes as its own text message after the files. */
const CAPTION_MAX = 1024;
// Parts of a multi-file send that already went out, so a retry of the same part resumes instead
// of repeating them (in this process; a restart in between sends them again).
const MAX_PROGRESS = 1_000;

export interface OutboundDeps {
  apis: BotApiFactory;
  pacer: Pacer;
  /** Aborted on stop: pacing waits and calls in flight end (and are retried by the core later). */
  stopping: AbortSignal;
  /** The token was refused (401): the registration is broken. */
  revoked(account: Account): Promise<void>;
}

export class TelegramOutbound {
  readonly #progress = new Map<string, number[]>();

  constructor(private readonly deps: OutboundDeps) {}

  /** Text with sendMessage; files by URL, the body as the first file's caption when it fits. */
  async send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    const chatId = chatIdOf(to);
    const reply = msg.replyTo && /^\d+$/.test(msg.replyTo) ? { reply_parameters: { message_id: Number(msg.replyTo), allow_sending_without_reply: true } } : {};
    if (msg.mediaUrls.length === 0) {
      const sent = await this.#mapped(account, "send", () => this.#call<TgMessage>(account, chatId, "sendMessage", { chat_id: chatId, text: msg.body, ...reply }));
      // Telegram has no later delivery report: accepted by the Bot API is as delivered as it gets.
      return { networkId: String(sent.message_id), delivered: true };
    }
    const captioned = msg.body !== "" && msg.body.length <= CAPTION_MAX;
    const done = this.#progress.get(msg.id) ?? [];
    for (let i = done.length; i < msg.mediaUrls.length; i++) {
      const url = msg.mediaUrls[i] as string;
      const extra = i === 0 ? { ...reply, ...(captioned ? { caption: msg.body } : {}) } : {};
      const sent = await this.#mapped(account, "send", () => this.#sendFile(account, chatId, url, extra));
      done.push(sent.message_id);
      this.#remember(msg.id, done);
    }
    let bodyId: number | undefined;
    if (msg.body !== "" && !captioned) {
      const sent = await this.#mapped(account, "send", () => this.#call<TgMessage>(account, chatId, "sendMessage", { chat_id: chatId, text: msg.body }));
      bodyId = sent.message_id;
    }
    this.#progress.delete(msg.id);
    // The message carrying the text is the one a correction edits.
    return { networkId: String(bodyId ?? (captioned ? done[0] : done.at(-1))), delivered: true };
  }

  async edit(account: Account, to: string, target: string, msg: OutgoingMessage): Promise<void> {
    const chatId = chatIdOf(to);
    const ids = { chat_id: chatId, message_id: messageIdOf(target) };
    await this.#mapped(account, "edit", async () => {
      try {
        await this.#call(account, chatId, "editMessageText", { ...ids, text: msg.body });
      } catch (err) {
        const d = description(err);
        // A retry of an edit that went through, or the same text again: already what the user wants.
        if (d.includes("message is not modified")) return;
        if (!d.includes("no text in the message")) throw err;
        await this.#call(account, chatId, "editMessageCaption", { ...ids, caption: msg.body });
      }
    });
  }

  async retract(account: Account, to: string, target: string): Promise<void> {
    const chatId = chatIdOf(to);
    await this.#mapped(account, "delete", async () => {
      try {
        await this.#call(account, chatId, "deleteMessage", { chat_id: chatId, message_id: messageIdOf(target) });
      } catch (err) {
        // Already gone (a retry after a lost answer, or deleted on the phone): done.
        if (!description(err).includes("message to delete not found")) throw err;
      }
    });
  }

  async react(account: Account, to: string, target: string, emojis: string[]): Promise<void> {
    const chatId = chatIdOf(to);
    const { emoji, refused } = chooseReaction(emojis);
    if (refused.length > 0) {
      throw new GatewayError(
        "not-acceptable",
        `Reaction not set: Telegram bots can't react with ${refused.join(" ")}; try 👍 ❤️ 🔥 🎉 😁 😢 👎 or another of Telegram's reactions.`,
      );
    }
    const reaction = emoji ? [{ type: "emoji", emoji }] : [];
    await this.#mapped(account, "react", () =>
      this.#call(account, chatId, "setMessageReaction", { chat_id: chatId, message_id: messageIdOf(target), reaction }),
    );
  }

  /** Telegram shows "typing…" for about 5 s or until the next message; it has no "stopped typing". */
  async typing(account: Account, to: string, state: "composing" | "paused" | "active"): Promise<void> {
    if (state !== "composing") return;
    const chatId = chatIdOf(to);
    await this.#mapped(account, "typing", () => this.#call(account, chatId, "sendChatAction", { chat_id: chatId, action: "typing" }, false));
  }

  async contactInfo(account: Account, address: string): Promise<ContactInfo | undefined> {
    const chatId = chatIdOf(address);
    const chat = await this.#mapped(account, "lookup", () => this.#call<TgChatFull>(account, chatId, "getChat", { chat_id: chatId }, false));
    const info: ContactInfo = { name: chat.title ?? personName(chat) };
    if (chat.username) info.username = chat.username;
    const about = chat.bio ?? chat.description;
    if (about) info.description = about;
    return info;
  }

  async #sendFile(account: Account, chatId: string, url: string, extra: object): Promise<TgMessage> {
    const method = await chooseMediaMethod(url, this.deps.stopping);
    const sendAs = (m: MediaMethod) => this.#call<TgMessage>(account, chatId, m, { chat_id: chatId, [MEDIA_FIELD[m]]: url, ...extra });
    try {
      return await sendAs(method);
    } catch (err) {
      const f = failureOf(err);
      // Telegram fetches photos only up to 5 MB and refuses images it can't process; as a
      // document the same file still arrives.
      if (method === "sendPhoto" && f?.kind === "api" && f.code === 400) return sendAs("sendDocument");
      throw err;
    }
  }

  /** One Bot API call for the account's bot, after its pacing slot. Throws Telegram's error as is. */
  async #call<T = unknown>(account: Account, chatId: string, method: string, payload: object, paced = true): Promise<T> {
    const botId = account.legacyAccountId;
    const api = this.deps.apis.forToken(tokenOf(account));
    if (paced) await this.deps.pacer.wait(botId, chatId, this.deps.stopping).catch(() => {
      throw GatewayError.transient("The gateway is shutting down");
    });
    try {
      return await api.call<T>(method, payload, { signal: this.deps.stopping });
    } catch (err) {
      const f = failureOf(err);
      if (f?.kind === "api" && f.code === 429) this.deps.pacer.holdOff(botId, chatId, (f.retryAfterSeconds ?? 1) * 1000);
      throw err;
    }
  }

  /** Runs `fn`, turning Telegram's errors into GatewayErrors (and a 401 into a broken registration). */
  async #mapped<T>(account: Account, doing: Doing, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUnauthorized(err)) await this.deps.revoked(account);
      throw callError(err, doing, botUsernameOf(account));
    }
  }

  #remember(id: string, done: number[]): void {
    this.#progress.delete(id);
    this.#progress.set(id, done);
    if (this.#progress.size > MAX_PROGRESS) {
      const oldest = this.#progress.keys().next().value;
      if (oldest !== undefined) this.#progress.delete(oldest);
    }
  }
}

function chatIdOf(address: string): string {
  const id = parseChatId(address);
  if (id === undefined) throw new GatewayError("item-not-found", `${address} is not a Telegram chat id.`);
  return id;
}

function messageIdOf(networkId: string): number {
  if (!/^\d{1,15}$/.test(networkId)) throw new GatewayError("item-not-found", "That message is not one Telegram knows.");
  return Number(networkId);
}

function description(err: unknown): string {
  const f = failureOf(err);
  return f?.kind === "api" ? f.description.toLowerCase() : "";
}
