import { test } from "node:test";
import assert from "node:assert/strict";
import { translate } from "../../adapters/telegram/updates.ts";

test("updates without the documented shape are skipped, not thrown (no endless redelivery)", () => {
  const bad = [
    { update_id: 1, message: { message_id: 5, date: 0, text: "no chat" } },
    { update_id: 2, message_reaction: { chat: { id: 1, type: "private" }, message_id: 3, date: 0, old_reaction: [], new_reaction: "not a list" } },
  ];
  for (const update of bad) {
    assert.deepEqual(translate("42", update as never), { kind: "skip", why: "malformed update" });
  }
  const good = translate("42", { update_id: 3, message: { message_id: 5, date: 0, chat: { id: 7, type: "private", first_name: "Ann" }, from: { id: 7, is_bot: false, first_name: "Ann" }, text: "hi" } } as never);
  assert.equal(good.kind, "message");
});
