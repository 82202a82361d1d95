import net from "node:net";

/**
 * `count` distinct TCP ports that are free on 127.0.0.1 right now. All listeners are held open
 * until every port is known (the kernel may hand out a just-closed port again), then closed; a
 * tiny race with other processes remains, so callers that bind later should retry on EADDRINUSE
 * where it matters.
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once("error", reject);
          server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === "string") reject(new Error("getFreePorts: no TCP address"));
            else resolve(address.port);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

export async function getFreePort(): Promise<number> {
  return (await getFreePorts(1))[0]!;
}
