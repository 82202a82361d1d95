// The Bot API client's connections (adapters/telegram/api.ts), against a plain HTTP server.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { BotApiFactory } from "../../adapters/telegram/api.ts";

test("an idle connection is closed by us before the server's advertised keep-alive timeout", async () => {
  // A call on a connection the server is closing at that moment fails (ECONNRESET) and, for a
  // send, cannot be told from one Telegram took. Node's server says "Keep-Alive: timeout=3".
  const closedBy: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume().on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: "bot", username: "a_bot" } }));
    });
  });
  server.keepAliveTimeout = 3_000;
  server.on("connection", (socket) => {
    // 'end' is the client's FIN: it closed the connection. The server's own timeout destroys it without one.
    socket.on("end", () => closedBy.push("client"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const apis = new BotApiFactory(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 10_000);
  try {
    const me = await apis.forToken("42:secret").call<{ id: number }>("getMe", {});
    assert.equal(me.id, 42);
    await new Promise((r) => setTimeout(r, 2_700));
    assert.deepEqual(closedBy, ["client"]);
  } finally {
    apis.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
