// One bot's update queue: ids, allowed_updates, confirmation by offset, and the single long poll
// Telegram lets a bot hold.
import { ApiError } from "./http.ts";
import type { Update, UpdateType } from "./types.ts";

/** Without allowed_updates Telegram sends everything except these (which must be asked for). */
const OPT_IN: ReadonlySet<string> = new Set(["message_reaction", "message_reaction_count", "chat_member"]);
const MAX_LIMIT = 100;

interface Poll {
  offset: number;
  limit: number;
  resolve(updates: Update[]): void;
  reject(err: ApiError): void;
  timer: NodeJS.Timeout;
}

export class UpdateQueue {
  #nextId: number;
  #pending: Update[] = [];
  /** null: the default set. */
  #allowed: Set<string> | null = null;
  #poll: Poll | null = null;
  #onPush: (() => void) | null = null;

  constructor(firstId: number) {
    this.#nextId = firstId;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  get allowedUpdates(): string[] | undefined {
    return this.#allowed ? [...this.#allowed] : undefined;
  }

  /** `undefined` keeps the previous setting and `[]` restores the default, as on Telegram. */
  setAllowed(list: string[] | undefined): void {
    if (list === undefined) return;
    this.#allowed = list.length === 0 ? null : new Set(list);
  }

  isAllowed(type: UpdateType): boolean {
    return this.#allowed ? this.#allowed.has(type) : !OPT_IN.has(type);
  }

  /** Webhook delivery listens here; polling is woken directly. */
  onPush(listener: (() => void) | null): void {
    this.#onPush = listener;
  }

  /** Queues an update unless the bot's allowed_updates exclude it (then it never exists). */
  push(type: UpdateType, payload: Update[UpdateType]): Update | null {
    if (!this.isAllowed(type)) return null;
    const update = { update_id: this.#nextId++, [type]: payload } as Update;
    this.#pending.push(update);
    const poll = this.#poll;
    if (poll) {
      const ready = this.#take(poll.offset, poll.limit);
      if (ready.length) this.#finish(poll).resolve(ready);
    }
    this.#onPush?.();
    return update;
  }

  /** Forget updates below `offset`; a negative offset keeps only the last -offset updates. */
  confirm(offset: number): void {
    if (offset < 0) this.#pending = this.#pending.slice(offset);
    else if (offset > 0) this.#pending = this.#pending.filter((u) => u.update_id >= offset);
  }

  peek(): Update | undefined {
    return this.#pending[0];
  }

  dropAll(): void {
    this.#pending = [];
  }

  /**
   * getUpdates: confirm below `offset`, answer at once when something is pending, else hold up to
   * `timeoutSec`. A newer poll ends this one with 409, as a second bot instance would see.
   */
  poll(offset: number, limit: number, timeoutSec: number, signal: AbortSignal): Promise<Update[]> {
    this.confirm(offset);
    const max = Math.min(Math.max(limit, 1), MAX_LIMIT);
    this.terminatePoll(new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
    const ready = this.#take(offset, max);
    if (ready.length || timeoutSec <= 0 || signal.aborted) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const poll: Poll = {
        offset,
        limit: max,
        resolve,
        reject,
        timer: setTimeout(() => this.#finish(poll).resolve([]), timeoutSec * 1000),
      };
      this.#poll = poll;
      // The client went away: its poll must not swallow the next update's wake-up.
      signal.addEventListener("abort", () => this.#finish(poll).resolve([]), { once: true });
    });
  }

  /** End the held poll, if any, with an error (setWebhook, revocation) or empty (stop). */
  terminatePoll(err: ApiError | null): void {
    const poll = this.#poll;
    if (!poll) return;
    this.#finish(poll);
    if (err) poll.reject(err);
    else poll.resolve([]);
  }

  #take(offset: number, limit: number): Update[] {
    return this.#pending.filter((u) => offset <= 0 || u.update_id >= offset).slice(0, limit);
  }

  #finish(poll: Poll): Poll {
    clearTimeout(poll.timer);
    if (this.#poll === poll) this.#poll = null;
    return poll;
  }
}
