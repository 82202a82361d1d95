// XEP-0077 registration: the user brings their own bot (a token from @BotFather); getMe proves
// the token before anything is stored. The bot's id is the legacy account id.
import type { FormSpec, RegistrationContext, RegistrationResult } from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";
import type { BotApiFactory } from "./api.ts";
import { failureOf } from "./errors.ts";
import { botLink, botUsernameOf, looksLikeToken, type TelegramSettings } from "./ids.ts";
import type { TgUser } from "./types.ts";

const INSTRUCTIONS =
  "Enter the token of your own Telegram bot. To make one, open a chat with @BotFather in Telegram, " +
  "send /newbot, choose a name and a username ending in \"bot\", and copy the token it answers with " +
  "(it looks like 123456789:AAH…). Telegram users then reach you by writing to that bot.";

export class TelegramRegistration {
  constructor(private readonly apis: BotApiFactory) {}

  async form(ctx: RegistrationContext): Promise<FormSpec> {
    const current = ctx.current && botUsernameOf(ctx.current);
    return {
      title: "Register with the Telegram gateway",
      // The stored token is never sent back.
      instructions: current ? `${INSTRUCTIONS} You are registered with @${current}.` : INSTRUCTIONS,
      fields: [{ var: "token", type: "text-private", label: "Bot token from @BotFather", required: true }],
    };
  }

  async register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    const token = (fields.token ?? "").trim();
    if (token === "") throw new GatewayError("not-acceptable", "Enter your bot's token from @BotFather.");
    if (!looksLikeToken(token)) {
      throw new GatewayError("not-acceptable", "That is not a bot token: @BotFather's tokens look like 123456789:AAH… (digits, a colon, then letters).");
    }
    const me = await this.apis
      .forToken(token)
      .call<TgUser>("getMe", {})
      .catch((err: unknown) => {
        throw registrationError(err);
      });
    const botId = String(me.id);
    if (!me.username) throw new GatewayError("not-acceptable", "Telegram says that bot has no username; only bots made with @BotFather can be used.");
    if ((await ctx.takenByOthers()).has(botId)) {
      throw new GatewayError("conflict", `@${me.username} is already registered with this gateway by another user.`);
    }
    const settings: TelegramSettings = { username: me.username };
    return {
      account: { legacyAccountId: botId, credentials: { token }, settings: { ...settings } },
      welcome:
        `Your Telegram bot is @${me.username}: ${botLink(me.username)}\n` +
        "Give this link to your Telegram contacts: a bot cannot write to someone first. " +
        "Whoever writes to it appears here as a contact.",
    };
  }
}

function registrationError(err: unknown): GatewayError {
  const f = failureOf(err);
  if (!f || f.kind === "aborted") return new GatewayError("internal-server-error", "Internal error in the Telegram adapter");
  if (f.kind === "network") {
    return new GatewayError("remote-server-timeout", `Could not check the token: ${f.reason}. Try again later.`, { retryable: true });
  }
  // Telegram answers 404 to a token that is not one at all, 401 to a revoked or made-up one.
  if (f.code === 401 || f.code === 404) return new GatewayError("not-authorized", "Telegram rejected that bot token", { networkCode: f.code });
  if (f.code === 429 || f.code >= 500) {
    return new GatewayError("remote-server-timeout", `Could not check the token: Telegram is busy (HTTP ${f.code}). Try again later.`, {
      retryable: true,
      networkCode: f.code,
    });
  }
  return new GatewayError("not-acceptable", `Telegram refused that bot token: ${f.description}`, { networkCode: f.code });
}
