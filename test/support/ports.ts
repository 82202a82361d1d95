import net from "node:net";

/**
 * A TCP port that is free on 127.0.0.1 right now (the kernel picks it; the listener is closed
 * before returning, so a tiny race with other processes remains — callers that bind later should
 * retry on EADDRINUSE where it matters).
 */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("getFreePort: no TCP address"));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
