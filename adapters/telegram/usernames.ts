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
   * The chat id of @username for `botId` only: another user's bot knowing the name must not tell
   * this user who wrote to it. Without a bot (an unregistered asker) nothing is resolved.
   */
  lookup(username: string, botId: string | undefined): string | undefined {
    if (botId === undefined) return undefined;
    return this.#byBot.get(`${botId}\n${username.toLowerCase()}`);
  }

  forgetBot(botId: string): void {
    for (const key of [...this.#byBot.keys()]) if (key.startsWith(`${botId}\n`)) this.#byBot.delete(key);
  }
}
