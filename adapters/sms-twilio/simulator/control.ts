// JSON control API under /_sim/, so the demo and shell tools can drive the simulator without our code.
// No auth: the simulator is a local test fixture.
//   POST   /_sim/accounts   {sid, authToken, numbers}               → 201 {ok, sid}
//   POST   /_sim/inbound    {from, to, body, mediaUrls?, messageSid?} → {status, body, messageSid}
//   GET    /_sim/messages                                            → [SimMessage…] (every created message)
//   POST   /_sim/failures   {count?, status: 429|500|503, code?, retryAfterSeconds?}
//   POST   /_sim/hang       {count?}
//   POST   /_sim/outcomes   {to, status: failed|undelivered, errorCode?}
//   DELETE /_sim/outcomes/{to}
//   POST   /_sim/sms-url    {number, url}
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, notFound, readJson, sendJson } from "./http.ts";
import type { FailureSpec, InboundOptions, InboundResult, Outcome, SimMessage } from "./types.ts";

export interface ControlTarget {
  addAccount(a: { sid: string; authToken: string; numbers: string[] }): void;
  deliverInbound(opts: InboundOptions): Promise<InboundResult>;
  readonly sent: readonly SimMessage[];
  injectFailures(count: number, spec: FailureSpec): void;
  hangNext(count: number): void;
  setOutcome(to: string, outcome: Outcome): void;
  clearOutcome(to: string): void;
  setSmsUrl(number: string, url: string): void;
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sim: ControlTarget,
): Promise<void> {
  try {
    await route(req, res, url, sim);
  } catch (err) {
    // The simulator's own checks (bad sid, unknown number…) are the caller's mistake, not ours.
    throw err instanceof HttpError ? err : bad((err as Error).message);
  }
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, sim: ControlTarget): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname}`;
  const ok = () => sendJson(res, 200, { ok: true });

  switch (route) {
    case "POST /_sim/accounts": {
      const b = await readJson(req);
      sim.addAccount({ sid: str(b, "sid"), authToken: str(b, "authToken"), numbers: strList(b, "numbers") });
      return sendJson(res, 201, { ok: true, sid: b.sid });
    }
    case "POST /_sim/inbound": {
      const b = await readJson(req);
      const opts: InboundOptions = { from: str(b, "from"), to: str(b, "to"), body: optStr(b, "body") ?? "" };
      if (b.mediaUrls !== undefined) opts.mediaUrls = strList(b, "mediaUrls");
      const sid = optStr(b, "messageSid");
      if (sid !== undefined) opts.messageSid = sid;
      try {
        return sendJson(res, 200, await sim.deliverInbound(opts));
      } catch (err) {
        throw new HttpError(502, 20502, `inbound delivery failed: ${(err as Error).message}`);
      }
    }
    case "GET /_sim/messages":
      return sendJson(res, 200, sim.sent);
    case "POST /_sim/failures": {
      const b = await readJson(req);
      const status = b.status ?? 500;
      if (status !== 429 && status !== 500 && status !== 503) throw bad("status must be 429, 500 or 503");
      const spec: FailureSpec = { status };
      const code = optNum(b, "code");
      if (code !== undefined) spec.code = code;
      const retryAfter = optNum(b, "retryAfterSeconds");
      if (retryAfter !== undefined) spec.retryAfterSeconds = retryAfter;
      sim.injectFailures(optNum(b, "count") ?? 1, spec);
      return ok();
    }
    case "POST /_sim/hang": {
      sim.hangNext(optNum(await readJson(req), "count") ?? 1);
      return ok();
    }
    case "POST /_sim/outcomes": {
      const b = await readJson(req);
      const status = b.status;
      if (status !== "failed" && status !== "undelivered") throw bad("status must be failed or undelivered");
      const outcome: Outcome = { status };
      const errorCode = optNum(b, "errorCode");
      if (errorCode !== undefined) outcome.errorCode = errorCode;
      sim.setOutcome(str(b, "to"), outcome);
      return ok();
    }
    case "POST /_sim/sms-url": {
      const b = await readJson(req);
      sim.setSmsUrl(str(b, "number"), str(b, "url"));
      return ok();
    }
  }
  const outcomeTo = /^\/_sim\/outcomes\/([^/]+)$/.exec(url.pathname)?.[1];
  if (req.method === "DELETE" && outcomeTo) {
    sim.clearOutcome(decodeURIComponent(outcomeTo));
    return ok();
  }
  throw notFound(url.pathname);
}

const bad = (message: string) => new HttpError(400, 20001, message);

function str(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== "string" || v === "") throw bad(`'${key}' must be a non-empty string`);
  return v;
}

function optStr(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad(`'${key}' must be a string`);
  return v;
}

function optNum(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw bad(`'${key}' must be a non-negative integer`);
  return v;
}

function strList(b: Record<string, unknown>, key: string): string[] {
  const v = b[key];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === "string")) {
    throw bad(`'${key}' must be an array of strings`);
  }
  return v;
}
