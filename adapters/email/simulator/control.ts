// JSON control API under /_sim/, so the demo and shell tools can drive the email simulator.
// No auth: a local test fixture; listen on loopback only.
//   GET    /_sim/mails                                              → [MailSummary…] (no raw bytes)
//   POST   /_sim/reject-next       {count?, code, message?, at?: rcpt|data}
//   POST   /_sim/reject-recipient  {address, code, message?}
//   DELETE /_sim/reject-recipient/{address}
//   POST   /_sim/drop-next         {count?, at?: connect|data}
//   POST   /_sim/clear-faults
//   POST   /_sim/bounce            {messageId, to, recipient, status, diagnostic, deliverTo?: {host, port}}
//                                                                    → {dsn, outcome?}
//   POST   /_sim/send              {target: {host, port}, mail: OutsideMail}  → SmtpOutcome
//   POST   /_sim/send-raw          {target, envelope: {from, to[]}, raw}     → RawSmtpOutcome
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sendRawMail } from "./rawSmtp.ts";
import { sendMail } from "./sender.ts";
import type { MailRelaySink } from "./sink.ts";
import type { OutsideMail, ReceivedMail, SmtpErrorCode, SmtpTarget } from "./types.ts";

const CODES: readonly number[] = [421, 450, 451, 452, 550, 551, 552, 553, 554];

class BadRequest extends Error {}

/** Serve the control API for `sink`; resolves with the base URL. Close the returned server to stop. */
export async function startControl(
  sink: MailRelaySink,
  port = 0,
  host = "127.0.0.1",
): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    route(req, sink).then(
      (body) => send(res, 200, body ?? { ok: true }),
      (err: unknown) => send(res, err instanceof BadRequest ? 400 : 500, { error: (err as Error).message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return { url: `http://${host}:${addr.port}`, server };
}

/** What the control API shows of a mail: everything but raw bytes and attachment contents. */
export function summarize(m: ReceivedMail) {
  return {
    id: m.id,
    envelope: m.envelope,
    authUser: m.authUser,
    receivedAt: m.receivedAt.toISOString(),
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    subject: m.subject,
    from: m.from,
    to: m.to,
    cc: m.cc,
    date: m.date?.toISOString(),
    dkimSignature: m.dkimSignature,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map(({ content: _content, ...rest }) => rest),
    size: m.raw.length,
    parseError: m.parseError,
  };
}

async function route(req: http.IncomingMessage, sink: MailRelaySink): Promise<unknown> {
  const url = new URL(req.url ?? "/", "http://control.invalid");
  const key = `${req.method ?? "GET"} ${url.pathname}`;
  const recipient = /^\/_sim\/reject-recipient\/(.+)$/.exec(url.pathname)?.[1];
  if (req.method === "DELETE" && recipient) return void sink.clearRecipient(decodeURIComponent(recipient));
  if (key === "GET /_sim/mails") return sink.received.map(summarize);
  if (req.method !== "POST") throw new BadRequest(`no route ${key}`);
  const b = await readJson(req);
  switch (url.pathname) {
    case "/_sim/reject-next": {
      const at = b.at ?? "rcpt";
      if (at !== "rcpt" && at !== "data") throw new BadRequest("'at' must be rcpt or data");
      return void sink.rejectNext(count(b), { ...fault(b), at });
    }
    case "/_sim/reject-recipient":
      return void sink.rejectRecipient(str(b, "address"), fault(b));
    case "/_sim/drop-next": {
      const at = b.at ?? "data";
      if (at !== "connect" && at !== "data") throw new BadRequest("'at' must be connect or data");
      return void sink.dropConnectionNext(count(b), at);
    }
    case "/_sim/clear-faults":
      return void sink.clearFaults();
    case "/_sim/bounce": {
      const to = str(b, "to");
      let dsn: string;
      try {
        dsn = sink.bounce(str(b, "messageId"), {
          to,
          recipient: str(b, "recipient"),
          status: str(b, "status"),
          diagnostic: str(b, "diagnostic"),
        });
      } catch (err) {
        throw new BadRequest((err as Error).message);
      }
      if (b.deliverTo === undefined) return { dsn };
      return { dsn, outcome: await sendRawMail(target(b.deliverTo), { from: "", to: [to] }, dsn) };
    }
    case "/_sim/send": {
      if (typeof b.mail !== "object" || b.mail === null) throw new BadRequest("'mail' must be an object");
      return await sendMail(target(b.target), b.mail as OutsideMail);
    }
    case "/_sim/send-raw": {
      const env = b.envelope as { from?: unknown; to?: unknown } | undefined;
      if (typeof env?.from !== "string" || !Array.isArray(env.to) || !env.to.every((t) => typeof t === "string")) {
        throw new BadRequest("'envelope' must be {from: string, to: string[]}");
      }
      return await sendRawMail(target(b.target), { from: env.from, to: env.to as string[] }, str(b, "raw"));
    }
  }
  throw new BadRequest(`no route ${key}`);
}

function fault(b: Record<string, unknown>): { code: SmtpErrorCode; message?: string } {
  if (typeof b.code !== "number" || !CODES.includes(b.code)) throw new BadRequest(`'code' must be one of ${CODES.join(", ")}`);
  const code = b.code as SmtpErrorCode;
  if (b.message === undefined) return { code };
  if (typeof b.message !== "string") throw new BadRequest("'message' must be a string");
  return { code, message: b.message };
}

function count(b: Record<string, unknown>): number {
  const v = b.count ?? 1;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new BadRequest("'count' must be a non-negative integer");
  return v;
}

function str(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== "string" || v === "") throw new BadRequest(`'${key}' must be a non-empty string`);
  return v;
}

function target(v: unknown): SmtpTarget {
  const t = v as { host?: unknown; port?: unknown } | undefined;
  if (typeof t?.host !== "string" || typeof t.port !== "number") throw new BadRequest("target must be {host, port}");
  return { host: t.host, port: t.port };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 32 << 20) throw new BadRequest("request body too large");
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new BadRequest("request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BadRequest("request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(payload) });
  res.end(payload);
}
