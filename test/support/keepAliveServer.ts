// An HTTP server that advertises "Keep-Alive: timeout=N" (Node's server does, from
// keepAliveTimeout) and records which side ends each connection: a client that honours the hint
// closes an idle connection before the server's timer does.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface KeepAliveServer {
  base: string;
  /** "client" once per connection the client ended (its FIN); the server's own timeout adds nothing. */
  closedBy: string[];
  close(): Promise<void>;
}

export async function startKeepAliveServer(keepAliveMs: number, answer: { status: number; json: unknown }): Promise<KeepAliveServer> {
  const closedBy: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume().on("end", () => res.writeHead(answer.status, { "Content-Type": "application/json" }).end(JSON.stringify(answer.json)));
  });
  server.keepAliveTimeout = keepAliveMs;
  // 'end' is the client's FIN. The server's keep-alive timeout destroys the socket without one.
  server.on("connection", (socket) => socket.on("end", () => closedBy.push("client")));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closedBy,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
