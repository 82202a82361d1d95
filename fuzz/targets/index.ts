// Every network's inbound surface under test: Twilio's webhooks, Telegram's webhook (webhook
// mode) and the inbound SMTP listener. Another network is one more file and one more line here.
import { smsTwilio } from "./smsTwilio.ts";
import { smtp } from "./smtp.ts";
import { telegramWebhook } from "./telegramWebhook.ts";
import type { NetworkTarget } from "./types.ts";

export const TARGETS: readonly NetworkTarget[] = [smsTwilio, telegramWebhook, smtp];
