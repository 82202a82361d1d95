// What Telegram identifiers look like here: the legacy account id is the bot's numeric id, a
// contact's address is a chat id (a user's id, or a group's negative id), inbound keys are
// "<bot id>:<update_id>" and network ids are message_ids (unique within their chat = contact).
import type { Account } from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";

// BotFather's tokens: "<bot id>:<35 characters>". Checked before use: the token becomes part of
// a URL, so a "/" or "?" in it would call something else.
const TOKEN = /^(\d{1,20}):[A-Za-z0-9_-]{1,200}$/;
const CHAT_ID = /^-?[1-9]\d{0,15}$/;
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

export function looksLikeToken(token: string): boolean {
  return TOKEN.test(token);
}

/** A chat id as the contact's address, canonical (no "+", no leading zeros), or undefined. */
export function parseChatId(input: string): string | undefined {
  return CHAT_ID.test(input) && Number.isSafeInteger(Number(input)) ? input : undefined;
}

export function isGroupAddress(address: string): boolean {
  return address.startsWith("-");
}

/** "@alice_l", "alice_l", "t.me/alice_l", "https://t.me/alice_l" → "alice_l"; else undefined. */
export function parseUsername(input: string): string | undefined {
  const m = /^(?:@|(?:https?:\/\/)?(?:www\.)?t(?:elegram)?\.me\/)?([A-Za-z0-9_]+)\/?$/i.exec(input);
  const name = m?.[1];
  return name && USERNAME.test(name) ? name : undefined;
}

export function updateKey(botId: string, updateId: number): string {
  return `${botId}:${updateId}`;
}

export function botLink(username: string): string {
  return `https://t.me/${username}`;
}

/** What the adapter stores in `Account.settings`. */
export interface TelegramSettings {
  username: string;
}

export function botUsernameOf(account: Account): string | undefined {
  const u = account.settings?.username;
  return typeof u === "string" && u !== "" ? u : undefined;
}

/** The stored token; a registration without one can't act (credentials lost or never stored). */
export function tokenOf(account: Account): string {
  const token = account.credentials?.token;
  if (!token) throw new GatewayError("not-authorized", "Your bot token is missing; register with this gateway again.");
  return token;
}

/** "Alice Liddell", or "@alice_l" when Telegram gives no name, or the id. */
export function personName(u: { id: number; first_name?: string; last_name?: string; username?: string }): string {
  const name = [u.first_name, u.last_name].filter((s) => s !== undefined && s.trim() !== "").join(" ").trim();
  if (name) return name;
  return u.username ? `@${u.username}` : String(u.id);
}

export function displayAddress(address: string): string {
  return isGroupAddress(address) ? `Telegram group ${address}` : `Telegram user ${address}`;
}
