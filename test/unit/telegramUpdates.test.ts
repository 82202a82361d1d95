import { test } from "node:test";
import assert from "node:assert/strict";
import { translate } from "../../adapters/telegram/updates.ts";

test("updates without the documented shape are skipped, not thrown (no endless redelivery)", () => {
  const bad = [
    { update_id: 1, message: { message_id: 5, date: 0, text: "no chat" } },
    { update_id: 2, message_reaction: { chat: { id: 1, type: "private" }, message_id: 3, date: 0, old_reaction: [], new_reaction: "not a list" } },
    // Found by `npm run fuzz -- --seed 7`: an empty chat id became the contact JID "@telegram…",
    // and the XMPP server closed the whole component link on the stanza from it.
    { update_id: 4, message: { message_id: 5, date: 0, chat: { id: "", type: "private" }, text: "empty chat id" } },
    { update_id: 5, message: { message_id: 5, date: 0, chat: { id: "12 34", type: "group" }, text: "not a number" } },
    { update_id: 6, message: { message_id: 1.5, date: 0, chat: { id: 7, type: "private" }, text: "fractional message id" } },
    { update_id: 7, edited_message: { message_id: 5, date: 0, chat: { type: "private" }, text: "edit without a chat id" } },
    { update_id: 8, message_reaction: { chat: { id: null, type: "private" }, message_id: 3, date: 0, old_reaction: [], new_reaction: [] } },
    // Seed 11: a number for a text failed later, was answered 500 and redelivered forever.
    { update_id: 9, message: { message_id: 5, date: 0, chat: { id: 7, type: "private", first_name: "Ann" }, text: 42 } },
    { update_id: 10, edited_message: { message_id: 5, date: 0, chat: { id: 7, type: "private" }, text: ["x"] } },
    { update_id: 11, message: { message_id: 5, date: 0, chat: { id: -7, type: "group", title: 3 }, text: "hi" } },
    { update_id: 12, message: { message_id: 5, date: 0, chat: { id: 7, type: "private" }, from: { id: 7, first_name: "A", username: 9 }, text: "hi" } },
  ];
  for (const update of bad) {
    assert.deepEqual(translate("42", update as never), { kind: "skip", why: "malformed update" });
  }
  const good = translate("42", { update_id: 3, message: { message_id: 5, date: 0, chat: { id: 7, type: "private", first_name: "Ann" }, from: { id: 7, is_bot: false, first_name: "Ann" }, text: "hi" } } as never);
  assert.equal(good.kind, "message");
});
