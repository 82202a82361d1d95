// The Telegram side of the benchmark: which Telegram users (private chats) each benchmark user's bot
// talks to, creating them in the simulator, and having them write to the bot first, which Telegram
// requires before a bot may write to someone ("bot can't initiate conversation with a user").
import { resolveConfig } from "../../adapters/telegram/config.ts";
import { TELEGRAM_DOMAIN, type BenchEnv } from "../env/environment.ts";
import type { ClientListener } from "../xmpp/rawClient.ts";
import type { NetworkLimit, PathSettings } from "./path.ts";

const PRIME_TIMEOUT_MS = 120_000;

/** The chat id (= Telegram user id) bot `u` writes to as its `c`-th conversation (XMPP → Telegram). */
export function outboundChat(u: number, c: number): number {
  return 300_000 + u * 100 + c;
}

/** The Telegram user who writes to bot `u` as its `c`-th conversation (Telegram → XMPP). */
export function inboundChat(u: number, c: number): number {
  return 400_000 + u * 100 + c;
}

// The gateway's own spacing of sends (adapters/telegram/config.ts defaults, which switchboard.yaml
// does not change): Telegram's flood limits, ~1 message a second per chat and 30 a second per bot.
const PACING = resolveConfig({ apiRoot: "http://unused.invalid", mode: "polling", publicUrl: undefined }).pacing;

/**
 * Chats per bot for XMPP → Telegram: at least enough that the per-bot limit, not the per-chat one,
 * is what binds (30 chats at 1/s each = the bot's 30/s).
 */
export function outboundChatsPerUser(s: PathSettings): number {
  return Math.max(s.contactsPerUser, Math.ceil(PACING.chatIntervalMs / PACING.botIntervalMs));
}

export function telegramOutboundLimit(env: BenchEnv, s: PathSettings): NetworkLimit {
  const perBot = Math.min(1000 / PACING.botIntervalMs, (outboundChatsPerUser(s) * 1000) / PACING.chatIntervalMs);
  return {
    rate: perBot * env.users.length,
    why:
      `Telegram's flood limits, which the gateway keeps by spacing its sends: one message per ${PACING.chatIntervalMs} ms per chat and ` +
      `one per ${PACING.botIntervalMs} ms per bot; ${env.users.length} bots × ${outboundChatsPerUser(s)} chats allow ${(perBot * env.users.length).toFixed(0)} msg/s`,
  };
}

/** Creates the Telegram users `chatsOf(u)` lists in the simulator (idempotent). */
export function addTelegramUsers(env: BenchEnv, chatsOf: (u: number) => number[]): void {
  env.users.forEach((_, u) => {
    for (const id of chatsOf(u)) env.telegram.addUser({ id, firstName: "Bench", lastName: `User ${id}` });
  });
}

/**
 * Every chat of `chatsOf(u)` writes "/start" to bot `u`, and this waits until each benchmark user
 * has seen all of theirs arrive through the gateway: the chats are then open for the bot to write.
 */
export async function startChats(env: BenchEnv, chatsOf: (u: number) => number[]): Promise<void> {
  const previous = env.users.map((u) => u.client.listener);
  const missing = env.users.map((_, u) => new Set(chatsOf(u).map((id) => `${id}@${TELEGRAM_DOMAIN}`)));
  let left = missing.reduce((n, m) => n + m.size, 0);
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  env.users.forEach((user, u) => {
    const listener: ClientListener = {
      body: (body, from) => {
        const bare = from.split("/")[0]!;
        if (body === "/start" && missing[u]!.delete(bare) && --left === 0) done();
      },
      error: () => {},
      presence: () => {},
    };
    user.client.listener = listener;
  });
  if (left === 0) done();
  try {
    env.users.forEach((user, u) => {
      for (const id of chatsOf(u)) env.telegram.userSends(user.bot.token, id, "/start");
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Telegram chats not started within ${PRIME_TIMEOUT_MS} ms: ${left} first messages never reached the XMPP users`)), PRIME_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  } finally {
    env.users.forEach((user, u) => (user.client.listener = previous[u]!));
  }
}
