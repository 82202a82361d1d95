// The simulator's own HTTP client: fetching files bots send by URL, posting webhook updates.
// One agent pair so stop() can cut everything in flight at once.
import http from "node:http";
import https from "node:https";

export interface OutboundResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export class Outbound {
  readonly #http = new http.Agent({ keepAlive: true, maxSockets: 16 });
  readonly #https = new https.Agent({ keepAlive: true, maxSockets: 16 });
  readonly #inFlight = new Set<http.ClientRequest>();

  /** Any status resolves; network failures, timeouts and bodies over `maxBytes` reject. */
  request(
    url: string,
    opts: { method?: string; headers?: Record<string, string | number>; body?: string; timeoutMs: number; maxBytes: number },
  ): Promise<OutboundResponse> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new Error(`invalid URL ${url}`));
    }
    const isHttps = target.protocol === "https:";
    if (!isHttps && target.protocol !== "http:") return Promise.reject(new Error(`unsupported protocol ${target.protocol}`));
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(target, {
        method: opts.method ?? "GET",
        headers: opts.headers,
        agent: isHttps ? this.#https : this.#http,
        timeout: opts.timeoutMs,
      });
      this.#inFlight.add(req);
      const done = () => this.#inFlight.delete(req);
      req.on("timeout", () => req.destroy(new Error("Connection timed out")));
      req.on("error", (err) => {
        done();
        reject(err);
      });
      req.on("response", (res) => {
        const declared = Number(res.headers["content-length"]);
        if (declared > opts.maxBytes) return void req.destroy(new Error("response is too big"));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) req.destroy(new Error("response is too big"));
          else chunks.push(c);
        });
        res.on("error", reject);
        res.on("end", () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks),
          });
        });
      });
      req.end(opts.body);
    });
  }

  destroy(): void {
    for (const req of this.#inFlight) req.destroy(new Error("simulator stopped"));
    this.#inFlight.clear();
    this.#http.destroy();
    this.#https.destroy();
  }
}
