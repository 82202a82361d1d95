// Starting and stopping a simulator's node:http server. Shared by the network simulators, which
// otherwise import nothing from each other or from the gateway.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpListener {
  /** e.g. `http://127.0.0.1:41234`, or `http://[::1]:41234` for an IPv6 host. */
  readonly url: string;
  /** Closes the listener and destroys every open connection, so held requests can't keep it open. */
  stop(): Promise<void>;
}

/** Listens on `port` (0: any free port) and `host`; rejects when the port can't be bound. */
export async function listenHttp(handler: http.RequestListener, port: number, host: string): Promise<HttpListener> {
  const server = http.createServer(handler);
  // Pinned rather than left to Node's default, so idle keep-alive clients are dropped alike everywhere.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hung requests (fault injection) and long polls would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}
