// The Bot API client's connections (adapters/telegram/api.ts), against a plain HTTP server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BotApiFactory } from "../../adapters/telegram/api.ts";
import { startKeepAliveServer } from "../support/keepAliveServer.ts";

test("an idle connection is closed by us before the server's advertised keep-alive timeout", async () => {
  // A call on a connection the server is closing at that moment fails (ECONNRESET) and, for a
  // send, cannot be told from one Telegram took. The server says "Keep-Alive: timeout=3".
  const server = await startKeepAliveServer(3_000, { status: 200, json: { ok: true, result: { id: 42, is_bot: true, first_name: "bot", username: "a_bot" } } });
  const apis = new BotApiFactory(server.base, 10_000);
  try {
    const me = await apis.forToken("42:secret").call<{ id: number }>("getMe", {});
    assert.equal(me.id, 42);
    await new Promise((r) => setTimeout(r, 2_700));
    assert.deepEqual(server.closedBy, ["client"]);
  } finally {
    apis.destroy();
    await server.close();
  }
});
