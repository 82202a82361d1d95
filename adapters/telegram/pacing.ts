// Telegram's flood limits, kept by waiting: about one message a second per chat, 20 a minute in
// a group, 30 a second per bot. Each call reserves the next free slot of its chat and its bot, so
// concurrent sends queue up in call order and nothing is dropped (the core awaits send()).

export interface PaceIntervals {
  chatIntervalMs: number;
  groupIntervalMs: number;
  botIntervalMs: number;
}

// Slots in the past are forgotten once the table is this big, so idle chats cost nothing.
const SWEEP_AT = 10_000;

export class Pacer {
  /** "<bot>" or "<bot>\n<chat>" → earliest time the next call may go. */
  readonly #next = new Map<string, number>();

  constructor(
    private readonly intervals: PaceIntervals,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for this bot's and chat's next slot. Rejects with the signal's reason when aborted. */
  async wait(botId: string, chatId: string, signal?: AbortSignal): Promise<void> {
    const delay = this.reserve(botId, chatId);
    if (delay <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error("aborted"));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, delay);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Milliseconds until the reserved slot. */
  reserve(botId: string, chatId: string): number {
    const now = this.now();
    if (this.#next.size > SWEEP_AT) for (const [k, t] of this.#next) if (t <= now) this.#next.delete(k);
    const chatKey = `${botId}\n${chatId}`;
    const slot = Math.max(now, this.#next.get(chatKey) ?? 0, this.#next.get(botId) ?? 0);
    const chatInterval = chatId.startsWith("-") ? this.intervals.groupIntervalMs : this.intervals.chatIntervalMs;
    this.#next.set(chatKey, slot + chatInterval);
    this.#next.set(botId, slot + this.intervals.botIntervalMs);
    return slot - now;
  }

  /** Telegram answered 429: nothing more to this chat before `ms` from now. */
  holdOff(botId: string, chatId: string, ms: number): void {
    const key = `${botId}\n${chatId}`;
    this.#next.set(key, Math.max(this.#next.get(key) ?? 0, this.now() + ms));
  }
}
