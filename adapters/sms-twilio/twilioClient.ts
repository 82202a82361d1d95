import http from "node:http";
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

// Keyed by the thrown error itself: `httpClient.lastResponse` is one field shared by every request
// of a client, so with concurrent sends it may hold another request's headers.
const retryAfterByError = new WeakMap<object, number>();

/**
 * The Retry-After (in ms) of the HTTP response that made the SDK throw `err`, when Twilio sent one.
 * Safe with concurrent requests on one client.
 */
export function retryAfterMsOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null ? retryAfterByError.get(err) : undefined;
}

/**
 * The SDK's own client, optionally with every Twilio origin swapped for `base` (path and query
 * kept), and failed responses thrown here — as the same RestException the SDK would throw — so
 * their Retry-After can be tied to the error.
 */
class GatewayRequestClient extends twilio.RequestClient {
  readonly #base: string | undefined;

  constructor(base: string | undefined, opts: RequestClient.RequestClientOptions) {
    super(opts);
    this.#base = base;
    // The SDK only configures an https agent; a plain-http simulator would otherwise get axios's
    // default agent and a new connection per call, which dominates CPU in load tests.
    this.axios.defaults.httpAgent = new http.Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 20,
      maxFreeSockets: opts.maxFreeSockets ?? 20,
    });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = this.#base === undefined ? opts.uri : rebaseUri(opts.uri, this.#base);
    const res = await super.request({ ...opts, uri });
    if (res.statusCode < 400 || isRfc9457(res.body)) return res;
    // Every SDK resource method treats >= 400 as a failure and throws exactly this (RFC 9457
    // bodies, which the 2010 API does not use, are left to the SDK's own exception).
    const err = new twilio.RestException(res);
    const retryAfter = parseRetryAfter(res.headers?.["retry-after"]);
    if (retryAfter !== undefined) retryAfterByError.set(err, retryAfter);
    throw err;
  }

  /** Closes idle keep-alive sockets so a stopped gateway leaves nothing behind. */
  destroy(): void {
    this.axios.defaults.httpAgent?.destroy?.();
    this.axios.defaults.httpsAgent?.destroy?.();
  }
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
  const clientOpts: RequestClient.RequestClientOptions = { keepAlive: true };
  if (opts.timeoutMs !== undefined) clientOpts.timeout = opts.timeoutMs;
  const httpClient = new GatewayRequestClient(base === REAL_API_ORIGIN ? undefined : base, clientOpts);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}

/** Releases a client's sockets; the client must not be used afterwards. */
export function destroyTwilioClient(client: twilio.Twilio): void {
  const httpClient: unknown = client.httpClient;
  if (httpClient instanceof GatewayRequestClient) httpClient.destroy();
}
