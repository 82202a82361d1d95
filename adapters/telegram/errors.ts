// Bot API failures → GatewayError, in words for the person using the gateway. Telegram's error
// descriptions are stable strings ("Forbidden: bot can't initiate conversation with a user").
import { GatewayError } from "../../src/core/errors.ts";
import { TelegramCallError, type Failure } from "./api.ts";
import { botLink } from "./ids.ts";

/** What failed, to phrase the text ("Not sent", "Not edited"…). */
export type Doing = "send" | "edit" | "delete" | "react" | "typing" | "lookup";

const VERB: Record<Doing, string> = {
  send: "Not sent",
  edit: "Not edited",
  delete: "Not deleted",
  react: "Reaction not set",
  typing: "Typing not shown",
  lookup: "Not looked up",
};

export const REVOKED_TEXT =
  "Telegram no longer accepts your bot's token (it was revoked or replaced in @BotFather). " +
  "Register again with the bot's current token to keep chatting.";

export function failureOf(err: unknown): Failure | undefined {
  return err instanceof TelegramCallError ? err.failure : undefined;
}

export function isUnauthorized(err: unknown): boolean {
  const f = failureOf(err);
  return f?.kind === "api" && f.code === 401;
}

/**
 * A failed call about a chat → GatewayError. Telegram being busy, down or unreachable is
 * retryable (429 with its retry_after); a refusal is final. No cause is attached: the core logs
 * errors whole, and a Bot API error is no business of its logs beyond this text.
 */
export function callError(err: unknown, doing: Doing, botUsername: string | undefined): GatewayError {
  const f = failureOf(err);
  if (!f) return err instanceof GatewayError ? err : new GatewayError("internal-server-error", "Internal error in the Telegram adapter");
  if (f.kind === "aborted") return GatewayError.transient("The gateway is shutting down");
  if (f.kind === "network") return GatewayError.transient(f.reason);
  const { code, description } = f;
  const d = description.toLowerCase();
  if (code === 429) {
    const opts = { networkCode: 429, ...(f.retryAfterSeconds !== undefined ? { retryAfterMs: f.retryAfterSeconds * 1000 } : {}) };
    return GatewayError.transient("Telegram is limiting how fast your bot sends", opts);
  }
  if (code >= 500) return GatewayError.transient(`Telegram had a server error (HTTP ${code})`, { networkCode: code });
  if (code === 401) return new GatewayError("not-authorized", REVOKED_TEXT, { networkCode: 401 });
  const verb = VERB[doing];
  if (code === 403) {
    if (d.includes("can't initiate conversation")) {
      const link = botUsername ? botLink(botUsername) : "your bot's t.me link";
      return new GatewayError("recipient-unavailable", `This person has not started your bot yet: send them ${link}`, {
        type: "cancel",
        networkCode: 403,
      });
    }
    if (d.includes("blocked by the user")) return new GatewayError("forbidden", `${verb}: this person has blocked your bot.`, { type: "cancel", networkCode: 403 });
    if (d.includes("user is deactivated")) return new GatewayError("item-not-found", `${verb}: that Telegram account was deleted.`, { networkCode: 403 });
    if (d.includes("kicked") || d.includes("not a member")) {
      return new GatewayError("forbidden", `${verb}: your bot is not a member of that group.`, { type: "cancel", networkCode: 403 });
    }
    return new GatewayError("forbidden", `${verb}: Telegram said "${description}".`, { type: "cancel", networkCode: 403 });
  }
  if (f.migrateToChatId !== undefined) {
    return new GatewayError("item-not-found", `${verb}: that group became a supergroup; its new chat id is ${f.migrateToChatId}.`, { networkCode: code });
  }
  if (d.includes("chat not found")) return new GatewayError("item-not-found", `${verb}: Telegram has no chat with that id that your bot can see.`, { networkCode: code });
  if (/message to (edit|delete|react|be replied) not found|message_id_invalid/.test(d)) {
    return new GatewayError("item-not-found", `${verb}: that message no longer exists on Telegram.`, { networkCode: code });
  }
  if (d.includes("too long")) return new GatewayError("not-acceptable", `${verb}: the text is too long for Telegram.`, { networkCode: code });
  return new GatewayError("not-acceptable", `${verb}: Telegram said "${description}".`, { networkCode: code });
}

/** What a failed call is for the logs: method and Telegram's code, nothing the call carried. */
export function logFields(err: unknown): Record<string, unknown> {
  if (err instanceof TelegramCallError) {
    const f = err.failure;
    return f.kind === "api" ? { method: err.method, code: f.code, description: f.description } : { method: err.method, problem: f.kind === "network" ? f.reason : "cancelled" };
  }
  if (err instanceof GatewayError) return { condition: err.condition, problem: err.message };
  return { problem: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
