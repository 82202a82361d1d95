// Loopback ports for the private servers we start: the embedded PostgreSQL, the demo, the tests.
import { readFileSync } from "node:fs";
import net from "node:net";

function listenOnce(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

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
      const server = await listenOnce("127.0.0.1", 0);
      servers.push(server);
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("getFreePorts: no TCP address");
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function getFreePort(): Promise<number> {
  return (await getFreePorts(1))[0]!;
}

/**
 * Whether `port` can be bound on `host` now. Binding is the only reliable test: a server on
 * 0.0.0.0 or a dual-stack [::] holds the port on 127.0.0.1 too. Other errors than "in use"
 * (EADDRNOTAVAIL: no such address here) answer undefined.
 */
export async function portFree(host: string, port: number): Promise<boolean | undefined> {
  try {
    await close(await listenOnce(host, port));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "EADDRINUSE" || code === "EACCES" ? false : undefined;
  }
}

/** The kernel's range for port 0 (Linux); its usual default elsewhere. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/**
 * Like getFreePorts, but below the kernel's range for port 0, for ports written into a
 * configuration well before they are bound: a port from getFreePorts can go to anyone's next
 * bind(0) in between (the demo saw its Twilio simulator take the gateway's HTTP port).
 */
export async function getStablePorts(count: number): Promise<number[]> {
  const [low] = ephemeralRange();
  const first = 20_000;
  if (low - first < 1_000) return getFreePorts(count);
  const held: net.Server[] = [];
  try {
    for (let tries = 0; held.length < count && tries < 200; tries++) {
      const port = first + Math.floor(Math.random() * (low - first));
      const server = await listenOnce("127.0.0.1", port).catch(() => undefined);
      if (server) held.push(server);
    }
    if (held.length < count) throw new Error(`found no ${count} free loopback ports between ${first} and ${low}`);
    return held.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map(close));
  }
}

export const XMPP_CLIENT_PORT = 5222;

/**
 * The demo server's client port and the loopback addresses it listens on (::1 too where the
 * machine has it: clients may resolve "localhost" to it first). The standard port when free, so
 * clients find the server with no settings; another free one otherwise. A requested port that is
 * taken is an error.
 */
export async function chooseClientPort(requested: number | undefined): Promise<{ port: number; interfaces: string[] }> {
  const ipv6 = (await portFree("::1", 0)) === true;
  const interfaces = ipv6 ? ["127.0.0.1", "::1"] : ["127.0.0.1"];
  const usable = async (port: number) => (await portFree("127.0.0.1", port)) === true && (!ipv6 || (await portFree("::1", port)) === true);
  const wanted = requested ?? XMPP_CLIENT_PORT;
  if (await usable(wanted)) return { port: wanted, interfaces };
  if (requested !== undefined) throw new Error(`port ${requested} on ${interfaces.join(" / ")} is taken (or not allowed): choose another --xmpp-port`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const [port] = (await getStablePorts(1)) as [number];
    if (await usable(port)) return { port, interfaces };
  }
  throw new Error("found no free loopback port for the XMPP server");
}
