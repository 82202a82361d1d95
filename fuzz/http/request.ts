// One HTTP request with a hard deadline, on its own connection, headers exactly as given.
import http from "node:http";
import net from "node:net";

export interface ProbeResult {
  /** Status code; "timeout" when no answer came within the deadline; "error" when the connection failed. */
  code: number | "timeout" | "error";
  ms: number;
  /** The start of the answer's body (or the error), for reports. */
  reason: string;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export function httpRequest(r: HttpRequest): Promise<ProbeResult> {
  const t0 = Date.now();
  const timeoutMs = r.timeoutMs ?? 2_000;
  return new Promise((resolve) => {
    let done = false;
    const finish = (res: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(res);
    };
    const req = http.request(r.url, { method: r.method ?? "POST", headers: r.headers, agent: false });
    const timer = setTimeout(() => finish({ code: "timeout", ms: Date.now() - t0, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
      });
      res.on("end", () => finish({ code: res.statusCode ?? 0, ms: Date.now() - t0, reason: Buffer.concat(chunks).toString("utf8").slice(0, 200) }));
      res.on("error", () => finish({ code: res.statusCode ?? 0, ms: Date.now() - t0, reason: "(body cut off)" }));
    });
    // A server that answers 413 before the upload ends may reset the rest of it: the answer counts.
    req.on("error", (err) => setTimeout(() => finish({ code: "error", ms: Date.now() - t0, reason: err.message }), 50));
    req.end(r.body);
  });
}

/** Raw bytes to a TCP port (malformed HTTP); the status code from the first answer line. */
export function rawHttp(port: number, bytes: string | Buffer, timeoutMs = 2_000): Promise<ProbeResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let got = "";
    let done = false;
    const socket = net.connect({ host: "127.0.0.1", port });
    const finish = (res: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(res);
    };
    const timer = setTimeout(() => finish({ code: "timeout", ms: Date.now() - t0, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(got);
      if (m && got.includes("\r\n\r\n")) finish({ code: Number(m[1]), ms: Date.now() - t0, reason: got.split("\r\n\r\n")[1]?.slice(0, 200) ?? "" });
    });
    socket.on("error", (err) => finish({ code: "error", ms: Date.now() - t0, reason: err.message }));
    socket.on("close", () => finish({ code: got ? "error" : "error", ms: Date.now() - t0, reason: got ? `closed after: ${got.slice(0, 100)}` : "closed without an answer" }));
  });
}
