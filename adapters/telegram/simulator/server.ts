import type http from "node:http";
import { type HttpListener, listenHttp } from "../../simulatorKit/listen.ts";
import { callMethod, handleBotApi, handleFileDownload } from "./api.ts";
import type { BotState } from "./botState.ts";
import type { CallContext } from "./context.ts";
import { handleControl } from "./control.ts";
import { FileStore } from "./files.ts";
import { ApiError, sendApiError, sendJson, unauthorized } from "./http.ts";
import { Outbound } from "./outbound.ts";
import { Params } from "./params.ts";
import type {
  BotSpec,
  FailureSpec,
  GroupSpec,
  MediaKind,
  Message,
  SentMessage,
  UserMediaOptions,
  UserSendOptions,
  UserSpec,
} from "./types.ts";
import { UserActions } from "./users.ts";
import { Webhooks } from "./webhook.ts";
import { World } from "./world.ts";

// No options yet; the type keeps the constructor's shape stable when some appear.
export type TelegramSimulatorOptions = Record<string, never>;

/**
 * An in-process Telegram: the Bot API wire format at `/bot<token>/<method>`, file downloads,
 * long polling and webhooks, users played through methods here or the `/_sim/` control API.
 */
export class TelegramSimulator {
  readonly #world = new World();
  readonly #files = new FileStore();
  readonly #outbound = new Outbound();
  readonly #users = new UserActions(this.#world, this.#files);
  readonly #stopping = new AbortController();
  readonly #webhooks = new Webhooks(this.#outbound, (bot, type, body) => this.#webhookReply(bot, type, body));
  readonly #base: Omit<CallContext, "bot" | "signal"> = {
    world: this.#world,
    files: this.#files,
    outbound: this.#outbound,
    webhooks: this.#webhooks,
  };
  #listener: HttpListener | undefined;
  #stopped = false;

  constructor(_opts: TelegramSimulatorOptions = {}) {}

  /** Base URL, e.g. `http://127.0.0.1:41234`; telegraf's apiRoot is this plus "/". */
  get url(): string {
    if (!this.#listener) throw new Error("TelegramSimulator is not started");
    return this.#listener.url;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    // Agents and timers are torn down by stop(); a fresh instance is cheaper than reviving them.
    if (this.#listener || this.#stopped) throw new Error("TelegramSimulator can be started only once");
    this.#listener = await listenHttp((req, res) => void this.#handle(req, res), port, host);
    return this.#listener.url;
  }

  /** Ends held long polls, webhook retries and downloads, then closes every connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#webhooks.stopAll();
    this.#outbound.destroy();
    for (const bot of this.#world.allBots) bot.updates.terminatePoll(null);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.stop();
  }

  addBot(b: BotSpec): void {
    this.#world.addBot(b);
  }

  /**
   * The token stops working (401), as after BotFather's /revoke: a held poll ends with 401 and
   * webhook delivery stops. `addBot` with the same id and a new token brings the bot back.
   */
  revokeBot(token: string): void {
    const bot = this.#world.revokeBot(token);
    if (!bot) return;
    bot.updates.terminatePoll(unauthorized());
    this.#webhooks.delete(bot);
  }

  addUser(u: UserSpec): void {
    this.#world.addUser(u);
  }

  /** The bot is a member of every group. */
  addGroup(g: GroupSpec): void {
    this.#world.addGroup(g);
  }

  userSends(token: string, userId: number, text: string, opts?: UserSendOptions): Message {
    return this.#users.sends(this.#bot(token), userId, text, opts);
  }

  userSendsMedia(token: string, userId: number, kind: MediaKind, bytes: Buffer, opts?: UserMediaOptions): Message {
    return this.#users.sendsMedia(this.#bot(token), userId, kind, bytes, opts);
  }

  userSendsPhoto(token: string, userId: number, bytes: Buffer, opts?: UserMediaOptions): Message {
    return this.userSendsMedia(token, userId, "photo", bytes, opts);
  }

  userSendsDocument(token: string, userId: number, bytes: Buffer, opts?: UserMediaOptions): Message {
    return this.userSendsMedia(token, userId, "document", bytes, opts);
  }

  userSendsVoice(token: string, userId: number, bytes: Buffer, opts?: UserMediaOptions): Message {
    return this.userSendsMedia(token, userId, "voice", bytes, opts);
  }

  userSendsVideo(token: string, userId: number, bytes: Buffer, opts?: UserMediaOptions): Message {
    return this.userSendsMedia(token, userId, "video", bytes, opts);
  }

  userEdits(token: string, userId: number, messageId: number, newText: string, opts?: { chatId?: number }): Message {
    return this.#users.edits(this.#bot(token), userId, messageId, newText, opts);
  }

  userReacts(token: string, userId: number, messageId: number, emoji: string | null, opts?: { chatId?: number }): void {
    this.#users.reacts(this.#bot(token), userId, messageId, emoji, opts);
  }

  /** Everything the bot sent, edited, deleted or reacted, in order. */
  botMessages(token: string): SentMessage[] {
    return [...this.#bot(token).sent];
  }

  waitForBot(token: string, pred: (m: SentMessage) => boolean, timeoutMs = 2_000): Promise<SentMessage> {
    return this.#bot(token).waitForSent(pred, timeoutMs);
  }

  chatActions(token: string): Array<{ chatId: number; action: string }> {
    return [...this.#bot(token).actions];
  }

  /** The next `count` send-type calls of the bot (see SEND_METHODS) fail with this error. */
  injectFailures(token: string, count: number, spec: FailureSpec): void {
    const bot = this.#bot(token);
    for (let i = 0; i < count; i++) bot.failures.push({ ...spec });
  }

  /** Every Bot API call of the bot with its arrival time, authenticated ones only. */
  methodCalls(token: string): Array<{ method: string; at: number }> {
    return [...this.#bot(token).calls];
  }

  #bot(token: string): BotState {
    return this.#world.botByToken(token);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://simulator.invalid");
      if (url.pathname.startsWith("/_sim/")) await handleControl(req, res, url, this);
      else if (url.pathname.startsWith("/file/")) handleFileDownload(req, res, url, this.#base);
      else await handleBotApi(req, res, url, this.#base, this.#stopping.signal);
    } catch (err) {
      if (res.headersSent || res.destroyed) return void res.destroy();
      if (err instanceof ApiError) return sendApiError(res, err);
      // A bug in the simulator must look like a Telegram 500, not kill the test run.
      sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
    }
  }

  /** A method call in the webhook's answer: executed, its result (or error) seen by nobody. */
  async #webhookReply(bot: BotState, contentType: string, body: Buffer): Promise<void> {
    const params = Params.fromBody(contentType, body);
    const method = params.str("method");
    if (!method || method.toLowerCase() === "getupdates") return;
    bot.calls.push({ method, at: Date.now() });
    await callMethod({ ...this.#base, bot, signal: this.#stopping.signal }, method, params);
  }
}
