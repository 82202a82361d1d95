// Telegram in webhook mode through the whole gateway: Telegram's calls with the right secret token
// deliver, a forged one is refused with 403 and changes nothing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TELEGRAM_DOMAIN, is, startFixture, type Fixture } from "../support/gatewayFixture.ts";
import { webhookSecrets } from "../../adapters/telegram/webhook.ts";

const TOKEN = "654321:webhook-bot-token";
let fx: Fixture;

before(async () => {
  fx = await startFixture({ networks: ["sms", "telegram"], telegramMode: "webhook" });
  fx.sims.telegram!.addBot({ token: TOKEN, id: 654321, username: "hook_relay_bot" });
  fx.sims.telegram!.addUser({ id: 7001, firstName: "Vera" });
});
after(async () => {
  await fx?.close();
});

test("updates arrive through the webhook; a forged secret token gets 403", async () => {
  const alice = await fx.user("alice");
  await fx.register(alice, TELEGRAM_DOMAIN, { token: TOKEN });
  fx.sims.telegram!.userSends(TOKEN, 7001, "via webhook");
  const msg = await alice.waitFor(is.message(`7001@${TELEGRAM_DOMAIN}`, (m) => m.getChildText("body") !== null), { what: "webhook update", timeoutMs: 10_000 });
  assert.equal(msg.getChildText("body"), "via webhook");

  const { path } = webhookSecrets(TOKEN);
  const forged = await fetch(`${fx.publicUrl}/webhooks/telegram/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "forged" },
    body: JSON.stringify({ update_id: 1, message: { message_id: 99, date: 0, chat: { id: 7001, type: "private" }, from: { id: 7001, is_bot: false, first_name: "Vera" }, text: "forged" } }),
  });
  assert.equal(forged.status, 403);
  await alice.expectNone(is.message(`7001@${TELEGRAM_DOMAIN}`, (m) => m.getChildText("body") === "forged"), 700);
});
