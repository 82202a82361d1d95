// Bytes sent on a fresh TCP connection before any login: what did the server answer, did it close?
import net from "node:net";

export function preLogin(port: number, bytes: string | Buffer, waitMs = 1_500): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const socket = net.connect({ host: "127.0.0.1", port });
    const finish = (how: string) => {
      clearTimeout(timer);
      socket.destroy();
      const cond = /<stream:error>\s*<([a-z-]+)/.exec(got)?.[1];
      resolve(`${how}${cond ? ` <${cond}/>` : ""}`);
    };
    const timer = setTimeout(() => finish("open"), waitMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (d: Buffer) => (got += d.toString("utf8")));
    socket.on("error", () => finish("socket-error"));
    socket.on("close", () => finish(got.includes("stream:error") ? "stream-error" : "socket-close"));
  });
}
