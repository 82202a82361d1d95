// The one door to the Bot API: telegraf's `Telegram` client, with timeouts, cancellation and
// errors that carry nothing secret. A bot token is part of every Bot API URL and telegraf's
// errors keep the request payload (message text), so nothing raw from telegraf leaves this file.
import http from "node:http";
import https from "node:https";
import { Telegram, TelegramError } from "telegraf";
import { deadline, type Deadline } from "./timing.ts";

/** Why a Bot API call failed, in terms the callers decide on. */
export type Failure =
  | { kind: "api"; code: number; description: string; retryAfterSeconds?: number; migrateToChatId?: number }
  | { kind: "network"; reason: string }
  | { kind: "aborted" };

/** A failed Bot API call. Its message names the method and Telegram's answer, never the token or payload. */
export class TelegramCallError extends Error {
  constructor(
    readonly method: string,
    readonly failure: Failure,
  ) {
    super(`${method}: ${describe(failure)}`);
    this.name = "TelegramCallError";
  }
}

function describe(f: Failure): string {
  if (f.kind === "api") return `Telegram answered ${f.code} ${f.description}`;
  if (f.kind === "network") return f.reason;
  return "cancelled";
}

export interface CallOptions {
  /** Cancels the call (stop, unregistration). */
  signal?: AbortSignal;
  /** Overrides the default request timeout (the long poll needs longer). */
  timeoutMs?: number;
}

// telegraf's typings want its bundled AbortSignal shim and method-specific payloads; the adapter
// reads the wire format with its own types, so calls go through this untyped shape.
type RawCall = (method: string, payload: object, opts: { signal?: unknown }) => Promise<unknown>;

/** Builds clients for tokens; owns the keep-alive agent they share. */
export class BotApiFactory {
  readonly #apiRoot: string;
  readonly #timeoutMs: number;
  // telegraf's default https agent is module-wide and http:// roots (simulators, benchmarks) would
  // use Node's global agent; our own keep-alive agent lets stop() close the sockets.
  readonly #agent: http.Agent;

  constructor(apiRoot: string, timeoutMs: number) {
    this.#apiRoot = apiRoot;
    this.#timeoutMs = timeoutMs;
    // Without a timeout Node ignores the server's "Keep-Alive: timeout=N" and reuses an idle
    // connection until the server closes it: a call could race that close (ECONNRESET, which for a
    // send cannot be told from one Telegram took). With one, an idle connection is dropped a
    // second before the server's limit, or after this. Calls are timed by `deadline`, not by this.
    const agentOpts = { keepAlive: true, keepAliveMsecs: 10_000, timeout: timeoutMs };
    this.#agent = apiRoot.startsWith("https:") ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  }

  forToken(token: string): BotApi {
    return new BotApi(this.#apiRoot, token, this.#timeoutMs, this.#agent);
  }

  destroy(): void {
    this.#agent.destroy();
  }
}

export class BotApi {
  readonly #client: Telegram;
  readonly #apiRoot: string;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(apiRoot: string, token: string, timeoutMs: number, agent: http.Agent) {
    this.#apiRoot = apiRoot;
    this.#token = token;
    this.#timeoutMs = timeoutMs;
    // An apiRoot with a path must end in "/" for telegraf's URL joining.
    this.#client = new Telegram(token, { apiRoot: `${apiRoot}/`, agent });
    // telegraf's constructor drops the agent for http:// roots (an https.Agent there would throw),
    // but reads `options.agent` on every call: put ours back, matching the root's protocol.
    this.#client.options.agent = agent;
  }

  async call<T>(method: string, payload: object, opts: CallOptions = {}): Promise<T> {
    const limit = deadline(opts.signal, opts.timeoutMs ?? this.#timeoutMs);
    const raw = this.#client.callApi.bind(this.#client) as unknown as RawCall;
    try {
      return (await raw(method, payload, { signal: limit.signal })) as T;
    } catch (err) {
      throw new TelegramCallError(method, classify(err, opts.signal, limit));
    } finally {
      limit.done();
    }
  }

  /**
   * Downloads a file by its getFile path, up to `maxBytes` (undefined: it is bigger). Failures
   * are TelegramCallErrors like the API's.
   */
  async download(filePath: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer | undefined> {
    const limit = deadline(signal, Math.max(this.#timeoutMs, 60_000));
    // The URL holds the token: it must never reach a log line or an error message.
    const url = `${this.#apiRoot}/file/bot${this.#token}/${filePath.split("/").map(encodeURIComponent).join("/")}`;
    try {
      const res = await fetch(url, { signal: limit.signal });
      if (!res.ok) {
        await res.body?.cancel();
        throw new TelegramCallError("download", { kind: "api", code: res.status, description: res.statusText || "file download failed" });
      }
      const declared = Number(res.headers.get("content-length"));
      if (declared > maxBytes) {
        await res.body?.cancel();
        return undefined;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body ?? []) {
        size += chunk.length;
        if (size > maxBytes) return undefined;
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks);
    } catch (err) {
      if (err instanceof TelegramCallError) throw err;
      throw new TelegramCallError("download", classify(err, signal, limit));
    } finally {
      limit.done();
    }
  }
}

const NETWORK_CODES = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

function classify(err: unknown, callerSignal: AbortSignal | undefined, limit: Deadline): Failure {
  if (callerSignal?.aborted) return { kind: "aborted" };
  if (err instanceof TelegramError) {
    const params = err.parameters as { retry_after?: number; migrate_to_chat_id?: number } | undefined;
    const failure: Failure = { kind: "api", code: err.code, description: err.description ?? "" };
    if (typeof params?.retry_after === "number") failure.retryAfterSeconds = params.retry_after;
    if (typeof params?.migrate_to_chat_id === "number") failure.migrateToChatId = params.migrate_to_chat_id;
    return failure;
  }
  if (limit.timedOut()) return { kind: "network", reason: "Telegram did not answer in time" };
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = [e?.code, e?.cause?.code].find((c): c is string => typeof c === "string" && NETWORK_CODES.test(c));
  return { kind: "network", reason: `Telegram could not be reached${code ? ` (${code})` : ""}` };
}
