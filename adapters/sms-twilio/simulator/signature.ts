// Outgoing webhooks (status callbacks, inbound messages) signed the way Twilio signs them.
import http from "node:http";
import https from "node:https";
import twilio from "twilio";
import type { PostResult } from "./types.ts";

const WEBHOOK_TIMEOUT_MS = 15_000; // Twilio gives a webhook 15 s

export function signature(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** Keep-alive agents for webhook posts; `destroy()` them to let the process exit. */
export class WebhookPoster {
  readonly #http = new http.Agent({ keepAlive: true, maxSockets: 32 });
  readonly #https = new https.Agent({ keepAlive: true, maxSockets: 32 });
  readonly #inFlight = new Set<http.ClientRequest>();

  /** POST `params` form-encoded to `url`, signed with `authToken` (unsigned when null). */
  post(url: string, params: Record<string, string>, authToken: string | null): Promise<PostResult> {
    const target = new URL(url);
    const isHttps = target.protocol === "https:";
    if (!isHttps && target.protocol !== "http:") {
      return Promise.reject(new Error(`webhook URL must be http(s): ${url}`));
    }
    const payload = new URLSearchParams(params).toString();
    const headers: Record<string, string | number> = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(payload),
      "User-Agent": "TwilioProxy/1.1",
      Accept: "*/*",
    };
    // Signed over the URL exactly as configured, which is what validateRequest expects.
    if (authToken !== null) headers["X-Twilio-Signature"] = signature(authToken, url, params);

    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(target, {
        method: "POST",
        headers,
        agent: isHttps ? this.#https : this.#http,
        timeout: WEBHOOK_TIMEOUT_MS,
      });
      this.#inFlight.add(req);
      req.on("timeout", () => req.destroy(new Error(`webhook ${target.origin}${target.pathname} timed out`)));
      req.on("error", (err) => {
        this.#inFlight.delete(req);
        reject(err);
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          this.#inFlight.delete(req);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
      });
      req.end(payload);
    });
  }

  destroy(): void {
    for (const req of this.#inFlight) req.destroy(new Error("simulator stopped"));
    this.#inFlight.clear();
    this.#http.destroy();
    this.#https.destroy();
  }
}
