import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { pino } from "pino";
import { HttpServer } from "../../src/http/server.ts";

// A network (Twilio's status callbacks) keeps connections alive and may post just as the gateway
// stops: that answer must still go out, and must end the connection, so that stopping does not
// wait for the connection's keep-alive timeout.
test("a webhook answered while the server closes gets its answer and ends its connection", async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = new HttpServer(
    {
      routes: [
        {
          method: "POST",
          path: "/webhooks/slow",
          handle: async () => {
            entered();
            await released;
            return { status: 200, body: "ok", contentType: "text/plain" };
          },
        },
      ],
      health: async () => ({ ok: true, body: {} }),
      metrics: async () => ({ contentType: "text/plain", body: "" }),
    },
    pino({ level: "silent" }),
  );
  const port = await server.listen("127.0.0.1", 0);
  const idleAgent = new http.Agent({ keepAlive: true });
  const busyAgent = new http.Agent({ keepAlive: true });
  const post = (path: string, agent: http.Agent) =>
    new Promise<{ status: number; connection: string | undefined; body: string; socketClosed: Promise<void> }>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        const socketClosed = new Promise<void>((r) => res.socket.once("close", () => r()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, socketClosed }));
      });
      req.on("error", reject);
      req.end("x=1");
    });

  // An earlier request leaves an idle keep-alive connection behind (its own agent: the slow one
  // must not reuse it).
  const earlier = await post("/nowhere", idleAgent);
  assert.equal(earlier.status, 404);
  assert.equal(earlier.connection, "keep-alive");

  const slow = post("/webhooks/slow", busyAgent);
  await inHandler;
  const closed = server.close();
  await earlier.socketClosed; // the idle one is closed at once
  release();
  const answer = await slow;
  assert.equal(answer.status, 200);
  assert.equal(answer.body, "ok");
  assert.equal(answer.connection, "close", "the answer given while closing ends the connection");
  await answer.socketClosed;
  await closed;
  idleAgent.destroy();
  busyAgent.destroy();
});
