import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** `https://api.twilio.com` for the real service, or a simulator such as `http://127.0.0.1:8089`. */
  apiBase: string;
  /** Per-request timeout; the SDK's default is 30 s. */
  timeoutMs?: number;
}

const REAL_API_ORIGIN = "https://api.twilio.com";
// The SDK talks to several hosts (api., messaging., lookups., regional edges…); all of them must
// land on the simulator, otherwise one stray call would reach the real Twilio with test credentials.
const TWILIO_ORIGIN = /^https:\/\/(?:[a-z0-9-]+\.)*twilio\.com(?::\d+)?(?=[/?#]|$)/i;

const DEFAULT_TIMEOUT_MS = 30_000; // the SDK's
const MAX_SOCKETS = 32;
const FORM = "application/x-www-form-urlencoded";

// Keyed by the thrown error itself: `httpClient.lastResponse` is one field shared by every request
// of a client, so with concurrent sends it may hold another request's headers.
const retryAfterByError = new WeakMap<object, number>();
// Errors of the HTTP exchange itself (connect, TLS, reset, timeout, malformed response): Twilio
// unreachable rather than a bug here, whatever the error's code.
const transportErrors = new WeakSet<object>();

/**
 * The Retry-After (in ms) of the HTTP response that made the SDK throw `err`, when Twilio sent one.
 * Safe with concurrent requests on one client.
 */
export function retryAfterMsOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null ? retryAfterByError.get(err) : undefined;
}

/** True when `err` is a failure to get an HTTP answer from Twilio at all (see transportErrors). */
export function isTransportError(err: unknown): boolean {
  return typeof err === "object" && err !== null && transportErrors.has(err);
}

/** What the SDK's `Response` is (twilio/lib/http/response), which is not exported from the package root. */
class TwilioResponse<T> {
  constructor(
    readonly statusCode: number,
    readonly body: T,
    readonly headers: http.IncomingHttpHeaders,
  ) {}
  toString(): string {
    return `HTTP ${this.statusCode} ${String(this.body)}`;
  }
}

/**
 * The SDK's RequestClient contract over Node's own http/https with keep-alive agents instead of
 * axios (which cost more CPU per SMS than everything else in the adapter together), optionally
 * with every Twilio origin swapped for `base` (path and query kept), and failed responses thrown
 * here — as the same RestException the SDK would throw — so their Retry-After can be tied to the
 * error.
 *
 * What it does is what the SDK's RequestClient.request does for the calls the gateway makes:
 * basic auth from username/password (else the AuthStrategy's header), the SDK's headers as given,
 * form bodies encoded like `qs.stringify(data, { arrayFormat: "repeat" })` (JSON bodies as JSON),
 * query params the same way, no redirects followed, any status resolved as a response whose body
 * is the raw text (the SDK's resources JSON.parse it), and a timeout that destroys the request.
 * Not carried over: the SDK's debug logging of requests, autoRetry on 429 (the gateway never sets
 * it: the queue retries with Retry-After) and the PKCV validationClient.
 */
class GatewayRequestClient extends twilio.RequestClient {
  readonly #base: string | undefined;
  readonly #httpAgent: http.Agent;
  // The SDK's own https agent (built by super from the same options): it honours a `ca`, the
  // TWILIO_CA_BUNDLE and HTTP_PROXY environment variables exactly as the SDK does. axios is
  // still constructed by super but never called.
  readonly #httpsAgent: http.Agent;
  #authKey = "";
  #authHeader = "";

  constructor(base: string | undefined, opts: RequestClient.RequestClientOptions) {
    super(opts);
    this.#base = base;
    this.#httpAgent = new http.Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? MAX_SOCKETS,
      maxFreeSockets: opts.maxFreeSockets ?? MAX_SOCKETS,
      // As the SDK's own https agent has it. Without a timeout Node ignores the server's
      // "Keep-Alive: timeout=N" and keeps reusing an idle connection until the server closes it,
      // so a send could race that close and fail with ECONNRESET; with one, an idle connection is
      // dropped a second before the server's limit (or after this, if sooner). Requests are timed
      // by #exchange, not by this.
      timeout: this.defaultTimeout,
    });
    // An https.Agent, or https-proxy-agent's (not an http.Agent subclass, but what Node's request takes).
    this.#httpsAgent = (this.axios.defaults.httpsAgent as http.Agent | undefined) ?? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    if (!opts.method) throw new Error("http method is required");
    if (!opts.uri) throw new Error("uri is required");
    const headers: Record<string, string> = opts.headers ?? {};
    if (!headers.Connection && !headers.connection) headers.Connection = this.keepAlive ? "keep-alive" : "close";
    if (opts.username && opts.password) headers.Authorization = this.#basicAuth(opts.username, opts.password);
    else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();

    let uri = this.#base === undefined ? opts.uri : rebaseUri(opts.uri, this.#base);
    if (opts.params) {
      const query = encodeForm(opts.params);
      if (query !== "") {
        const hash = uri.indexOf("#");
        if (hash !== -1) uri = uri.slice(0, hash);
        uri += (uri.includes("?") ? "&" : "?") + query;
      }
    }
    let body: string | undefined;
    if (opts.data) {
      const type = headers["Content-Type"];
      if (type === FORM) body = encodeForm(opts.data);
      else if (type === "application/json") body = typeof opts.data === "string" ? opts.data : JSON.stringify(opts.data);
    }
    if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));

    this.lastResponse = undefined;
    const timeoutMs = opts.timeout || this.defaultTimeout || DEFAULT_TIMEOUT_MS;
    const res = await this.#exchange(opts.method.toUpperCase(), uri, headers, body, timeoutMs);
    this.lastResponse = res;
    if (res.statusCode < 400 || isRfc9457(res.body)) return res as TwilioResponse<unknown> as TwilioResponse<TData>;
    // Every SDK resource method treats >= 400 as a failure and throws exactly this (RFC 9457
    // bodies, which the 2010 API does not use, are left to the SDK's own exception).
    const err = new twilio.RestException(res);
    const retryAfter = parseRetryAfter(res.headers["retry-after"]);
    if (retryAfter !== undefined) retryAfterByError.set(err, retryAfter);
    throw err;
  }

  #basicAuth(username: string, password: string): string {
    const key = `${username}:${password}`;
    if (key !== this.#authKey) {
      this.#authHeader = `Basic ${Buffer.from(key).toString("base64")}`;
      this.#authKey = key;
    }
    return this.#authHeader;
  }

  /** One HTTP exchange; resolves with any status, rejects (a transport error) when no full answer came in time. */
  #exchange(method: string, uri: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<TwilioResponse<string>> {
    const secure = uri.startsWith("https:");
    return new Promise((resolve, reject) => {
      let settled = false;
      const reject_ = (err: unknown): void => {
        settled = true;
        clearTimeout(timer);
        const e = err instanceof Error ? err : new Error(String(err));
        transportErrors.add(e);
        reject(e);
      };
      // The exchange broke off: its socket is not reusable.
      const fail = (err: unknown): void => {
        if (settled) return;
        reject_(err);
        req.destroy();
      };
      const req = (secure ? https : http).request(uri, { method, headers, agent: secure ? this.#httpsAgent : this.#httpAgent }, (res) => {
        const encoding = res.headers["content-encoding"];
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", fail);
        res.on("end", () => {
          if (settled) return;
          let text: string;
          try {
            text = decode(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), encoding).toString("utf8");
          } catch (err) {
            reject_(err); // the exchange itself completed; its socket is fine
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(new TwilioResponse(res.statusCode ?? 0, text, res.headers));
        });
        res.on("close", () => {
          if (!settled) fail(Object.assign(new Error("Twilio closed the connection before the response ended"), { code: "ECONNRESET" }));
        });
      });
      // Wall-clock, from now until the whole body is in: a connect, an answer or a body that stalls.
      const timer = setTimeout(() => {
        fail(Object.assign(new Error(`Twilio request timeout: no complete answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
      }, timeoutMs);
      req.on("error", fail);
      req.end(body);
    });
  }

  /** Closes the keep-alive sockets so a stopped gateway leaves nothing behind. */
  destroy(): void {
    this.#httpAgent.destroy();
    (this.#httpsAgent as { destroy?: () => void }).destroy?.();
  }
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  // We send no Accept-Encoding, so a compliant server answers uncompressed; cope if it does not.
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case "":
    case "identity":
      return raw;
    case "gzip":
    case "x-gzip":
      return zlib.gunzipSync(raw);
    case "deflate":
      return zlib.inflateSync(raw);
    case "br":
      return zlib.brotliDecompressSync(raw);
    default:
      throw Object.assign(new Error(`Twilio answered with an unsupported content encoding (${encoding})`), { code: "ERR_CONTENT_ENCODING" });
  }
}

/**
 * `qs.stringify(data, { arrayFormat: "repeat" })`, as the SDK encodes form bodies and query strings:
 * arrays repeat their key (MediaUrl=a&MediaUrl=b), nested objects become `key[sub]`, undefined is
 * left out, null is empty, dates are ISO strings, and everything outside RFC 3986's unreserved
 * characters is percent-encoded as UTF-8 (spaces as %20).
 */
export function encodeForm(data: unknown): string {
  const parts: string[] = [];
  if (typeof data === "object" && data !== null) {
    const o = data as Record<string, unknown>;
    for (const key of Object.keys(o)) appendPair(parts, key, o[key]);
  }
  return parts.join("&");
}

function appendPair(parts: string[], key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) appendPair(parts, key, item);
    return;
  }
  let text: string;
  if (value === null) text = "";
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const sub of Object.keys(o)) appendPair(parts, `${key}[${sub}]`, o[sub]);
    return;
  } else text = String(value);
  parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(text)}`);
}

// encodeURIComponent leaves these five alone; qs (RFC 3986) does not.
const NEEDS_MORE = /[!'()*]/;
const NEEDS_MORE_ALL = /[!'()*]/g;

function encodeRfc3986(text: string): string {
  let out: string;
  try {
    out = encodeURIComponent(text);
  } catch {
    // A lone surrogate (only from a malformed string) → U+FFFD rather than a URIError.
    out = encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
  }
  return NEEDS_MORE.test(out) ? out.replace(NEEDS_MORE_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : out;
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3) → milliseconds from now. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string" || text.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isRfc9457(body: unknown): boolean {
  let b = body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return false;
    }
  }
  if (typeof b !== "object" || b === null) return false;
  const o = b as Record<string, unknown>;
  return typeof o.type === "string" && typeof o.title === "string" && typeof o.status === "number";
}

export function rebaseUri(uri: string, base: string): string {
  return uri.replace(TWILIO_ORIGIN, base);
}

function normaliseBase(apiBase: string): string {
  const url = new URL(apiBase);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`twilio apiBase must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.search || url.hash) throw new Error("twilio apiBase must not have a query or fragment");
  // Keep a path prefix (a simulator mounted under /twilio), drop the trailing slash so joining
  // with the SDK's absolute paths does not produce `//`.
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export function createTwilioClient(opts: TwilioClientOptions): twilio.Twilio {
  const base = normaliseBase(opts.apiBase);
  // Also sizes the SDK's https agent, which the real-Twilio path uses.
  const clientOpts: RequestClient.RequestClientOptions = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS };
  if (opts.timeoutMs !== undefined) clientOpts.timeout = opts.timeoutMs;
  const httpClient = new GatewayRequestClient(base === REAL_API_ORIGIN ? undefined : base, clientOpts);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}

/** Releases a client's sockets; the client must not be used afterwards. */
export function destroyTwilioClient(client: twilio.Twilio): void {
  const httpClient: unknown = client.httpClient;
  if (httpClient instanceof GatewayRequestClient) httpClient.destroy();
}
