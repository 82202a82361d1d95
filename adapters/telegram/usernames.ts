// Which @username belongs to which chat id, as learnt from the people who wrote to each bot.
// The Bot API resolves no user's @username (getChat works for public groups and channels only),
// and parseAddress is synchronous, so this memory is the only way "@alice" becomes a chat id.
// It lives in memory: after a restart a person is found by @username again once they write.

const MAX_ENTRIES = 50_000;

export class KnownUsernames {
  /** "<bot id>\n<lower-case username>" → chat id; Map order is recency, for eviction. */
  readonly #byBot = new Map<string, string>();

  /** A person who wrote to `botId` in a private chat (only they can be written to by that bot). */
  learn(botId: string, username: string | undefined, chatId: number): void {
    if (!username) return;
    const key = `${botId}\n${username.toLowerCase()}`;
    this.#byBot.delete(key);
    this.#byBot.set(key, String(chatId));
    if (this.#byBot.size > MAX_ENTRIES) {
      const oldest = this.#byBot.keys().next().value;
      if (oldest !== undefined) this.#byBot.delete(oldest);
    }
  }

  /**
   * The chat id of @username for `botId`. Without a bot (the core does not say whose address it
   * is parsing yet) any bot of this gateway that knows the name answers; usernames are global on
   * Telegram, so the id is the right one, but it may belong to someone who never started the
   * asking user's bot (sending then fails with the "has not started your bot" text).
   */
  lookup(username: string, botId: string | undefined): string | undefined {
    const name = username.toLowerCase();
    if (botId !== undefined) return this.#byBot.get(`${botId}\n${name}`);
    let found: string | undefined;
    for (const [key, chatId] of this.#byBot) if (key.endsWith(`\n${name}`)) found = chatId;
    return found;
  }

  forgetBot(botId: string): void {
    for (const key of [...this.#byBot.keys()]) if (key.startsWith(`${botId}\n`)) this.#byBot.delete(key);
  }
}
