import http from "node:http";
import type { Logger } from "pino";
import type { WebhookRoute } from "../core/adapter.ts";

const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpHandlers {
  routes: WebhookRoute[];
  health(): Promise<{ ok: boolean; body: unknown }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** The gateway's HTTP endpoint: network webhooks, /healthz and /metrics. */
export class HttpServer {
  private server: http.Server | undefined;
  // Set once close() starts: every answer from then on ends its keep-alive connection.
  private closing = false;

  constructor(
    private readonly handlers: HttpHandlers,
    private readonly log: Logger,
  ) {}

  async listen(host: string, port: number): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    // Idle keep-alive connections are closed now; one busy at this moment (a network's webhook
    // that arrived just before) gets its answer with `Connection: close` and ends after it, or
    // it would stay open until its keep-alive timeout. A request that hangs is cut after 2 s.
    const force = setTimeout(() => server.closeAllConnections(), 2_000);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    this.server = undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: string | Buffer, contentType = "text/plain; charset=utf-8", headers: Record<string, string> = {}) => {
      const connection: Record<string, string> = this.closing ? { connection: "close" } : {};
      res.writeHead(status, { ...headers, ...connection, "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    // Logged instead of the URL: a webhook path can itself be a secret (Telegram's).
    let routeName = "(none)";
    try {
      const path = (req.url ?? "/").split("?")[0]!;
      if (req.method === "GET" && path === "/healthz") {
        const health = await this.handlers.health();
        return send(health.ok ? 200 : 503, JSON.stringify(health.body), "application/json");
      }
      if (req.method === "GET" && path === "/metrics") {
        const metrics = await this.handlers.metrics();
        return send(200, metrics.body, metrics.contentType);
      }
      const route = this.handlers.routes.find((r) => (r.prefix ? path.startsWith(r.path) : path === r.path));
      if (!route) return send(404, "not found");
      routeName = route.prefix ? `${route.path}…` : route.path;
      if (req.method !== route.method) return send(405, `use ${route.method}`);
      const body = await readBody(req);
      if (body === "too-large") return send(413, `request body over ${MAX_BODY_BYTES} bytes`);
      const reply = await route.handle({ method: req.method, url: req.url ?? "/", headers: req.headers, body });
      send(reply.status, reply.body, reply.contentType, reply.headers);
    } catch (err) {
      this.log.error({ err, route: routeName }, "HTTP request failed");
      if (!res.headersSent) send(500, "internal error");
      else res.destroy();
    }
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return "too-large";
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
