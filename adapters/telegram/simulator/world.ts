// The simulated Telegram: bots (by id, reachable through their current token), users and groups.
import { BotState } from "./botState.ts";
import { badRequest, forbidden } from "./http.ts";
import type { Params } from "./params.ts";
import type { BotSpec, Chat, GroupSpec, User, UserSpec } from "./types.ts";

const TOKEN = /^(\d+):[A-Za-z0-9_-]+$/;
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{4,31}$/;

export class World {
  readonly #bots = new Map<number, BotState>();
  /** Every token ever issued → bot id; `active` false once revoked or replaced. */
  readonly #tokens = new Map<string, { botId: number; active: boolean }>();
  readonly #users = new Map<number, UserSpec>();
  readonly #groups = new Map<number, GroupSpec>();

  addBot(b: BotSpec): BotState {
    const m = TOKEN.exec(b.token);
    if (!m) throw new Error(`bot token must look like <bot id>:<secret>, got ${b.token.split(":")[0]}:…`);
    if (Number(m[1]) !== b.id) throw new Error(`bot token ${m[1]}:… does not belong to bot id ${b.id}`);
    if (!USERNAME.test(b.username) || !/bot$/i.test(b.username)) {
      throw new Error(`bot username must be 5-32 characters ending in "bot": ${b.username}`);
    }
    let bot = this.#bots.get(b.id);
    if (!bot) this.#bots.set(b.id, (bot = new BotState(b)));
    // A new token for an existing bot replaces the old one, as BotFather's /revoke does.
    for (const t of this.#tokens.values()) if (t.botId === b.id) t.active = false;
    this.#tokens.set(b.token, { botId: b.id, active: true });
    return bot;
  }

  /** The bot whose current token this was, or undefined when the token was already dead. */
  revokeBot(token: string): BotState | undefined {
    const t = this.#tokens.get(token);
    if (!t) throw new Error("revokeBot: unknown token");
    const wasActive = t.active;
    t.active = false;
    return wasActive ? this.#bots.get(t.botId) : undefined;
  }

  /** The bot a token authenticates, or undefined (unknown or revoked: 401). */
  authenticate(token: string): BotState | undefined {
    const t = this.#tokens.get(token);
    return t?.active ? this.#bots.get(t.botId) : undefined;
  }

  /** For test assertions: the bot behind any token it ever had. */
  botByToken(token: string): BotState {
    const t = this.#tokens.get(token);
    const bot = t && this.#bots.get(t.botId);
    if (!bot) throw new Error("unknown bot token");
    return bot;
  }

  get allBots(): BotState[] {
    return [...this.#bots.values()];
  }

  addUser(u: UserSpec): void {
    if (!Number.isSafeInteger(u.id) || u.id <= 0) throw new Error(`user id must be a positive integer: ${u.id}`);
    if (!u.firstName) throw new Error("user needs a firstName");
    if (u.username !== undefined && !USERNAME.test(u.username)) throw new Error(`invalid username ${u.username}`);
    if (this.#bots.has(u.id)) throw new Error(`id ${u.id} is a bot`);
    this.#users.set(u.id, { ...u });
  }

  addGroup(g: GroupSpec): void {
    if (!Number.isSafeInteger(g.id) || g.id >= 0) throw new Error(`group id must be a negative integer: ${g.id}`);
    if (!g.title) throw new Error("group needs a title");
    for (const m of g.members) if (!this.#users.has(m)) throw new Error(`group member ${m} is not a user: addUser first`);
    this.#groups.set(g.id, { ...g, members: [...g.members] });
  }

  user(id: number): User {
    const u = this.#users.get(id);
    if (!u) throw new Error(`unknown user ${id}: addUser first`);
    const user: User = { id: u.id, is_bot: false, first_name: u.firstName };
    if (u.lastName) user.last_name = u.lastName;
    if (u.username) user.username = u.username;
    return user;
  }

  isMember(groupId: number, userId: number): boolean {
    return this.#groups.get(groupId)?.members.includes(userId) ?? false;
  }

  /** A chat by id, or by @username for users. */
  chat(ref: number | string): Chat | undefined {
    if (typeof ref === "string") {
      const name = ref.slice(1).toLowerCase();
      const u = [...this.#users.values()].find((x) => x.username?.toLowerCase() === name);
      return u && this.chat(u.id);
    }
    const g = this.#groups.get(ref);
    if (g) return { id: g.id, type: "group", title: g.title };
    const u = this.#users.get(ref);
    if (!u) return undefined;
    const chat: Chat = { id: u.id, type: "private", first_name: u.firstName };
    if (u.lastName) chat.last_name = u.lastName;
    if (u.username) chat.username = u.username;
    return chat;
  }

  /**
   * `chat_id` of a call: required; unknown → 400 chat not found. "@username" resolves only where
   * `byUsername` is set (getChat): Telegram resolves no user's @username when sending.
   */
  chatParam(p: Params, byUsername = false): Chat {
    const name = "chat_id";
    const raw = p.raw(name);
    if (raw === undefined || raw === "") throw badRequest(`${name} is empty`);
    let ref: number | string | undefined;
    if (typeof raw === "number" && Number.isSafeInteger(raw)) ref = raw;
    else if (typeof raw === "string" && /^\s*-?\d{1,16}\s*$/.test(raw)) ref = Number(raw);
    else if (byUsername && typeof raw === "string" && raw.startsWith("@")) ref = raw;
    const chat = ref === undefined ? undefined : this.chat(ref);
    if (!chat) throw badRequest("chat not found");
    return chat;
  }

  /** A chat the bot may write to: private chats only once the user has started the bot. */
  writableChat(bot: BotState, p: Params): Chat {
    const chat = this.chatParam(p);
    if (chat.type === "private" && !bot.started.has(chat.id)) throw forbidden("bot can't initiate conversation with a user");
    return chat;
  }
}
