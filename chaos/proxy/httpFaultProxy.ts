// A reverse proxy between the gateway and a network simulator's HTTP API. A policy looks at each
// request and decides: pass it, set a fault in the simulator just before forwarding (the
// simulator answers 429/500 or never), or forward it and then lose or hold back the network's
// answer (the network did the work; the gateway never hears of it).
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  body: Buffer;
}

export interface UpstreamAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Verdict<L extends string = string> =
  | { kind: "pass" }
  /** Run `apply` (sets a fault in the simulator), then forward. */
  | { kind: "inject"; label: L; apply: () => void }
  /** Forward; when the answer comes (and `when` agrees), cut the gateway's connection instead. */
  | { kind: "lose-answer"; label: L; when?: (a: UpstreamAnswer) => boolean }
  /** Forward; keep the answer back until the gateway goes away (or `maxMs`, then cut). */
  | { kind: "hold-answer"; label: L; maxMs: number; when?: (a: UpstreamAnswer) => boolean; onHeld?: () => void };

export interface Exchange {
  req: ProxiedRequest;
  verdict: Verdict;
  startedAt: number;
  answer: UpstreamAnswer | undefined;
  answeredAt: number | undefined;
  /** The answer was written to the gateway's socket. */
  reachedClient: boolean;
  /** What the proxy did instead of answering: lost (cut), held (until the client left), or the client left first. */
  cut: "lost" | "held" | "client-gone" | "upstream-error" | undefined;
}

export interface ProxyPolicy {
  decide(req: ProxiedRequest): Verdict;
  /** Once per request, when it is over one way or another. */
  done?(ex: Exchange): void;
  /** The request went to the simulator (after any injection). */
  forwarded?(req: ProxiedRequest, verdict: Verdict): void;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade"]);

export class HttpFaultProxy {
  readonly #upstream: URL;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  #url = "";

  constructor(
    upstreamBase: string,
    private readonly policy: ProxyPolicy,
  ) {
    this.#upstream = new URL(upstreamBase);
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
    this.#server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.once("close", () => this.#sockets.delete(s));
    });
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const s of this.#sockets) s.destroy();
    this.#agent.destroy();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    } catch {
      return void res.destroy();
    }
    const preq: ProxiedRequest = { method: req.method ?? "GET", path: req.url ?? "/", body: Buffer.concat(chunks) };
    let verdict: Verdict;
    try {
      verdict = this.policy.decide(preq);
    } catch {
      verdict = { kind: "pass" };
    }
    const ex: Exchange = { req: preq, verdict, startedAt: Date.now(), answer: undefined, answeredAt: undefined, reachedClient: false, cut: undefined };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.policy.done?.(ex);
    };
    if (verdict.kind === "inject") verdict.apply();

    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers.host = this.#upstream.host;
    headers["content-length"] = preq.body.length;
    const upstreamReq = http.request(new URL(preq.path, this.#upstream), { method: preq.method, headers, agent: this.#agent });
    this.policy.forwarded?.(preq, verdict);

    let hold: NodeJS.Timeout | undefined;
    // The gateway went away (timeout, SIGKILL) before it got an answer.
    res.on("close", () => {
      clearTimeout(hold);
      if (!res.writableFinished) {
        if (ex.cut === undefined) ex.cut = "client-gone";
        upstreamReq.destroy();
      }
      finish();
    });
    upstreamReq.on("error", () => {
      if (ex.answer === undefined && ex.cut === undefined) {
        ex.cut = "upstream-error";
        res.destroy();
      }
    });
    upstreamReq.on("response", (up) => {
      const body: Buffer[] = [];
      up.on("data", (c: Buffer) => body.push(c));
      up.on("error", () => res.destroy());
      up.on("end", () => {
        const answer: UpstreamAnswer = { status: up.statusCode ?? 0, headers: up.headers, body: Buffer.concat(body) };
        ex.answer = answer;
        ex.answeredAt = Date.now();
        if (res.destroyed) return finish();
        if (verdict.kind === "lose-answer" && (verdict.when?.(answer) ?? true)) {
          ex.cut = "lost";
          req.socket.destroy();
          return;
        }
        if (verdict.kind === "hold-answer" && (verdict.when?.(answer) ?? true)) {
          ex.cut = "held";
          verdict.onHeld?.();
          hold = setTimeout(() => req.socket.destroy(), verdict.maxMs);
          return;
        }
        const out: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
        out["content-length"] = answer.body.length;
        res.on("finish", () => {
          ex.reachedClient = true;
        });
        res.writeHead(answer.status, out);
        res.end(answer.body);
      });
    });
    upstreamReq.end(preq.body);
  }
}
