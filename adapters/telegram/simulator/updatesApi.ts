// getUpdates and the webhook methods: the two mutually exclusive ways a bot receives updates.
import { type CallContext, Described, type Handler } from "./context.ts";
import { ApiError, badRequest } from "./http.ts";
import type { Params } from "./params.ts";

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_POLL_SECONDS = 50;

function allowedUpdates(p: Params): string[] | undefined {
  const v = p.json("allowed_updates", "allowed updates");
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === "string")) {
    throw badRequest("can't parse allowed updates: expected an Array of String");
  }
  return v;
}

const getUpdates: Handler = async (ctx, p) => {
  const { bot } = ctx;
  if (ctx.webhooks.get(bot)) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  bot.updates.setAllowed(allowedUpdates(p));
  // Telegram holds a poll for 50 s at most, whatever the client asks.
  const timeout = Math.min(Math.max(0, p.int("timeout") ?? 0), MAX_POLL_SECONDS);
  return bot.updates.poll(p.int("offset") ?? 0, p.int("limit") ?? 100, timeout, ctx.signal);
};

const setWebhook: Handler = (ctx, p) => {
  const { bot } = ctx;
  const url = p.str("url") ?? "";
  if (url === "") return deleteWebhook(ctx, p);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: invalid URL");
  }
  // Telegram insists on HTTPS (ports 443, 80, 88, 8443); the simulator takes any http(s) URL so
  // tests can receive on a local port.
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
  const secretToken = p.str("secret_token");
  if (secretToken !== undefined && secretToken !== "" && !SECRET_TOKEN.test(secretToken)) {
    throw badRequest("secret token contains unallowed characters");
  }
  const maxConnections = p.int("max_connections") ?? 40;
  if (maxConnections < 1 || maxConnections > 100) throw badRequest("bad webhook: max_connections must be between 1 and 100");
  bot.updates.setAllowed(allowedUpdates(p));
  if (p.bool("drop_pending_updates")) bot.updates.dropAll();
  // A poller still waiting is told why its poll ended.
  bot.updates.terminatePoll(new ApiError(409, "Conflict: terminated by setWebhook request"));
  const changed = ctx.webhooks.set(bot, { url, maxConnections, ...(secretToken ? { secretToken } : {}) });
  return new Described(true, changed ? "Webhook was set" : "Webhook is already set");
};

const deleteWebhook = (ctx: CallContext, p: Params) => {
  if (p.bool("drop_pending_updates")) ctx.bot.updates.dropAll();
  const existed = ctx.webhooks.delete(ctx.bot);
  return new Described(true, existed ? "Webhook was deleted" : "Webhook is already deleted");
};

const getWebhookInfo: Handler = (ctx) => {
  const { bot } = ctx;
  const hook = ctx.webhooks.get(bot);
  const info: Record<string, unknown> = {
    url: hook?.config.url ?? "",
    has_custom_certificate: false,
    pending_update_count: bot.updates.pendingCount,
  };
  if (!hook) return info;
  if (hook.lastErrorDate !== undefined) {
    info.last_error_date = hook.lastErrorDate;
    info.last_error_message = hook.lastErrorMessage;
  }
  info.max_connections = hook.config.maxConnections;
  const allowed = bot.updates.allowedUpdates;
  if (allowed) info.allowed_updates = allowed;
  return info;
};

export const updateHandlers: Record<string, Handler> = {
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
};
