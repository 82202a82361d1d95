// The Telegram network's inbound surface in webhook mode: POST /webhooks/telegram/<path secret>
// with X-Telegram-Bot-Api-Secret-Token. Forged or missing secret tokens (403), unknown paths (404),
// wrong content types, malformed JSON, > 1 MB bodies (413), and validly authenticated Updates that
// are random or mutated (missing fields, wrong types, unknown kinds, huge text, control characters,
// negative and huge ids): 2xx or 4xx, never 5xx, never a hang.
import type { Rng } from "../../test/support/rng.ts";
import { webhookSecrets, WEBHOOK_PREFIX } from "../../adapters/telegram/webhook.ts";
import type { TelegramAim } from "../env/fuzzEnv.ts";
import { httpRequest, rawHttp, type ProbeResult } from "../http/request.ts";
import { bulk, nasty, randomText } from "../xmpp/text.ts";
import type { InboundCase, NetworkTarget } from "./types.ts";

const JSON_CT = "application/json";
const TIMEOUT_MS = 2_000;

function post(url: string, body: string | Buffer, headers: Record<string, string>, timeoutMs = TIMEOUT_MS): Promise<ProbeResult> {
  return httpRequest({ url, method: "POST", headers, body, timeoutMs });
}

type Gen = (rng: Rng, t: TelegramAim) => InboundCase;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

let nextUpdateId = 1_000_000;

/** A well-formed private-chat text message Update from the simulator's user. */
function validUpdate(rng: Rng, t: TelegramAim, text = randomText(rng, 80) || "hi"): { [k: string]: Json } {
  return updateWith(t, text, rng.int(1, 1_000_000));
}

function updateWith(t: TelegramAim, text: string, messageId: number): { [k: string]: Json } {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: t.senderId, type: "private", first_name: "Fuzzy" },
      from: { id: t.senderId, is_bot: false, first_name: "Fuzzy" },
      text,
    },
  };
}

/** Something of the wrong type (or a hostile value of the right one). */
function weird(rng: Rng): Json {
  return rng.pick<() => Json>([
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => -(2 ** 53),
    () => 2 ** 53 + 2,
    () => 1e308,
    () => -0.5,
    () => "",
    () => "12345",
    () => nasty(rng),
    () => bulk(rng.int(1_000, 20_000), "x"),
    () => [],
    () => [1, "two", null],
    () => ({}),
    () => ({ id: "x" }),
    () => "\u0000\u0001\u001b[31m\ufffe\uffff\ud800",
  ])();
}

const hugeId = (rng: Rng): number => rng.pick([-1, 0, -(2 ** 31), 2 ** 31, 2 ** 52, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1.5]);

const PATHS = ["update_id", "message", "message.message_id", "message.date", "message.chat", "message.chat.id", "message.chat.type", "message.from", "message.from.id", "message.from.is_bot", "message.text"] as const;

function setPath(o: { [k: string]: Json }, path: string, value: Json | undefined): void {
  const keys = path.split(".");
  let cur: { [k: string]: Json } = o;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== "object" || next === null || Array.isArray(next)) return;
    cur = next;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

const forgedHeader: Gen = (rng, t) => {
  const other = webhookSecrets(`${rng.int(1, 999999)}:other-token`).header;
  const [name, value] = rng.pick<[string, string | undefined]>([
    ["missing", undefined],
    ["empty", ""],
    ["random", rng.hex(32)],
    ["another bot's", other],
    ["case-flipped", t.header.toUpperCase() === t.header ? t.header.toLowerCase() : t.header.toUpperCase()],
    ["truncated", t.header.slice(0, -1)],
    // (Not a trailing space: HTTP strips it as optional whitespace, so that is the right token.)
    ["with an inner space", `${t.header.slice(0, 8)} ${t.header.slice(8)}`],
    ["doubled", `${t.header}${t.header}`],
    ["the path secret", t.path],
    ["the bot token", t.token],
    ["nasty", nasty(rng).replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, "") || "x"],
  ]);
  const headers: Record<string, string> = { "content-type": JSON_CT };
  if (value !== undefined) headers["x-telegram-bot-api-secret-token"] = value;
  const body = JSON.stringify(validUpdate(rng, t, "forged"));
  return { category: "forged-secret", describe: `secret token ${name}`, expect: [403], unauthenticated: true, send: () => post(t.url, body, headers) };
};

const unknownPath: Gen = (rng, t) => {
  const [name, path, expect] = rng.pick<[string, string, number[]]>([
    ["empty secret", WEBHOOK_PREFIX, [404]],
    ["random secret", `${WEBHOOK_PREFIX}${rng.hex(32)}`, [404]],
    ["path + /", `${WEBHOOK_PREFIX}${t.path}/`, [404]],
    ["path truncated", `${WEBHOOK_PREFIX}${t.path.slice(0, -1)}`, [404]],
    ["path upper-cased", `${WEBHOOK_PREFIX}${t.path.toUpperCase()}`, [404]],
    ["header secret as path", `${WEBHOOK_PREFIX}${t.header}`, [404]],
    ["bot token as path", `${WEBHOOK_PREFIX}${encodeURIComponent(t.token)}`, [404]],
    ["dot segments", `${WEBHOOK_PREFIX}../telegram/${t.path}`, [404, 403]],
    ["percent-encoded", `${WEBHOOK_PREFIX}${encodeURIComponent(t.path).replace(/-/g, "%2D")}`, [404]],
    ["NUL", `${WEBHOOK_PREFIX}${t.path}%00`, [404]],
    ["no trailing slash", "/webhooks/telegram", [404]],
    ["long", `${WEBHOOK_PREFIX}${"a".repeat(rng.int(2_000, 8_000))}`, [404, 414, 431]],
  ]);
  // The right secret token with a wrong path: still nothing to find.
  const headers = { "content-type": JSON_CT, "x-telegram-bot-api-secret-token": t.header };
  const body = JSON.stringify(validUpdate(rng, t, "wrong-path"));
  // Dot segments go out verbatim over a raw socket (node's http client would resolve them to the real path).
  const send = path.includes("/../")
    ? () => rawHttp(Number(new URL(t.base).port), `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${JSON_CT}\r\nX-Telegram-Bot-Api-Secret-Token: ${t.header}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    : () => post(`${t.base}${path}`, body, headers);
  return { category: "unknown-path", describe: name, expect, unauthenticated: true, send };
};

const wrongMethod: Gen = (rng, t) => {
  const method = rng.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]);
  return {
    category: "method",
    describe: `${method} on the webhook`,
    expect: [405],
    unauthenticated: true,
    send: () => httpRequest({ url: t.url, method, headers: { "x-telegram-bot-api-secret-token": t.header }, timeoutMs: TIMEOUT_MS }),
  };
};

/** Authenticated, a valid Update, but not labelled as JSON: the gateway may take it or refuse it. */
const contentType: Gen = (rng, t) => {
  const ct = rng.pick<string | undefined>([undefined, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonX", "APPLICATION/JSON; charset=latin1"]);
  const headers: Record<string, string> = { "x-telegram-bot-api-secret-token": t.header };
  if (ct !== undefined) headers["content-type"] = ct;
  const body = JSON.stringify(validUpdate(rng, t));
  return { category: "content-type", describe: `content-type ${ct === undefined ? "(none)" : `'${ct}'`}`, expect: [200, 400, 415], send: () => post(t.url, body, headers) };
};

const MALFORMED_JSON = [
  "", "{", "}", "[", "null", "true", "0", "-1", "\"update\"", "[]", "[{\"update_id\":1}]", "{\"update_id\":}", "{update_id:1}",
  "{\"update_id\":1,}", "{\"update_id\":\"1\"}", "{\"update_id\":1.5}", "{\"update_id\":9007199254740993}", "{\"update_id\":-9007199254740993}",
  "{\"update_id\":NaN}", "{\"update_id\":1e400}", "\u0000\u0000", "\ufeff{\"update_id\":1}", "{\"update_id\":1}garbage", "{\"__proto__\":{\"update_id\":1}}",
  "{\"update_id\":1,\"message\":", "\"\\ud800\"", `${"[".repeat(100_000)}`, `{"a":${"{\"a\":".repeat(5_000)}1${"}".repeat(5_000)}}`,
];

const malformedJson: Gen = (rng, t) => {
  const junk = rng.pick(MALFORMED_JSON);
  const raw = rng.chance(0.15) ? Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28]) : junk;
  return {
    category: "malformed-json",
    describe: typeof raw === "string" ? `body '${raw.slice(0, 40)}'${raw.length > 40 ? `… (${raw.length} chars)` : ""}` : "invalid UTF-8 bytes",
    expect: [400],
    send: () => post(t.url, raw, { "content-type": JSON_CT, "x-telegram-bot-api-secret-token": t.header }),
  };
};

const oversize: Gen = (rng, t) => {
  const size = rng.pick([1024 * 1024 + 1, 1_500_000, 3_000_000]);
  const authed = rng.chance(0.5);
  const chunked = rng.chance(0.3);
  // A JSON string that goes on and on: well-formed up to the limit.
  const body = Buffer.alloc(size, "a");
  body.write("{\"update_id\":1,\"x\":\"");
  const headers: Record<string, string> = { "content-type": JSON_CT };
  if (authed) headers["x-telegram-bot-api-secret-token"] = t.header;
  if (chunked) headers["transfer-encoding"] = "chunked";
  return { category: "oversize", describe: `${size} byte body${chunked ? " (chunked)" : ""}${authed ? ", right secret" : ", no secret"}`, expect: [413, 403], unauthenticated: !authed, send: () => post(t.url, body, headers, 5_000) };
};

/** The right secret token, a random or mutated Update. */
const mutatedUpdate: Gen = (rng, t) => {
  const u = validUpdate(rng, t);
  const mutations: string[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) {
    const kind = rng.pick(["remove", "retype", "ids", "huge-text", "control", "kind", "edited", "reaction", "extra", "media", "reply"] as const);
    mutations.push(kind);
    const msg = u.message as { [k: string]: Json } | undefined;
    if (kind === "remove") {
      const p = rng.pick(PATHS);
      mutations[mutations.length - 1] = `remove ${p}`;
      setPath(u, p, undefined);
    } else if (kind === "retype") {
      const p = rng.pick(PATHS);
      mutations[mutations.length - 1] = `retype ${p}`;
      setPath(u, p, weird(rng));
    } else if (kind === "ids") {
      const p = rng.pick(["update_id", "message.message_id", "message.chat.id", "message.from.id", "message.date"]);
      mutations[mutations.length - 1] = `id ${p}`;
      setPath(u, p, hugeId(rng));
    } else if (kind === "huge-text") {
      setPath(u, "message.text", bulk(rng.pick([5_000, 100_000, 600_000, 1_000_000 - 300]), "huge text "));
    } else if (kind === "control") {
      setPath(u, "message.text", `ctl${rng.pick(["\u0000", "\u0001", "\u001b[31m", "\ufffe", "\uffff", "\ud800", "\u202e", "\r\n\r\n"])}${nasty(rng)}`);
      if (rng.chance(0.3)) setPath(u, "message.from.first_name", `\u0000${nasty(rng)}`);
    } else if (kind === "kind") {
      const name = rng.pick(["callback_query", "inline_query", "channel_post", "my_chat_member", "poll", "unknown_kind", "__proto__", "constructor"]);
      mutations[mutations.length - 1] = `kind ${name}`;
      if (rng.chance(0.6)) delete u.message;
      u[name] = rng.chance(0.5) ? { id: rng.hex(4), from: { id: t.senderId, is_bot: false, first_name: "F" } } : weird(rng);
    } else if (kind === "edited" && msg) {
      u.edited_message = { ...msg, edit_date: rng.chance(0.8) ? Math.floor(Date.now() / 1000) : weird(rng) };
      if (rng.chance(0.7)) delete u.message;
    } else if (kind === "reaction") {
      u.message_reaction = {
        chat: { id: t.senderId, type: "private" },
        message_id: rng.chance(0.8) ? rng.int(1, 1_000_000) : weird(rng),
        user: rng.chance(0.8) ? { id: t.senderId, is_bot: false, first_name: "F" } : weird(rng),
        date: Math.floor(Date.now() / 1000),
        old_reaction: rng.chance(0.8) ? [] : weird(rng),
        new_reaction: rng.chance(0.8) ? [rng.pick<Json>([{ type: "emoji", emoji: "👍" }, { type: "custom_emoji", custom_emoji_id: "1" }, { type: "paid" }, { type: "emoji" }, { type: "emoji", emoji: bulk(5_000, "👍") }])] : weird(rng),
      };
      if (rng.chance(0.7)) delete u.message;
    } else if (kind === "extra") {
      u[rng.pick(["extra", "__proto__", "constructor", "update_id "])] = weird(rng);
    } else if (kind === "media" && msg) {
      const field = rng.pick(["photo", "document", "voice", "video", "audio", "animation", "video_note", "sticker"]);
      mutations[mutations.length - 1] = `media ${field}`;
      // File ids the simulator never issued (getFile fails): the gateway has to cope.
      const file: Json = rng.chance(0.7) ? { file_id: rng.chance(0.5) ? rng.hex(8) : nasty(rng), file_unique_id: rng.hex(4), file_size: rng.pick<Json>([1, -1, 2 ** 40, "big"]) } : weird(rng);
      msg[field] = field === "photo" ? (rng.chance(0.7) ? [file] : weird(rng)) : field === "sticker" ? { emoji: rng.chance(0.5) ? "🙂" : weird(rng) } : file;
      if (rng.chance(0.5)) delete msg.text;
    } else if (kind === "reply" && msg) {
      msg.reply_to_message = rng.chance(0.7) ? { message_id: hugeId(rng), chat: msg.chat ?? null, date: 0, text: "orig" } : weird(rng);
    }
  }
  const body = JSON.stringify(u);
  return {
    category: "mutated-update",
    describe: `${mutations.join(" + ")} (${body.length} bytes)`,
    expect: body.length > 1024 * 1024 ? [200, 400, 413] : [200, 400],
    send: () => post(t.url, body, { "content-type": JSON_CT, "x-telegram-bot-api-secret-token": t.header }),
  };
};

/** The right secret token and random JSON that is not an Update at all. */
const randomJson: Gen = (rng, t) => {
  const gen = (depth: number): Json => {
    if (depth > 3 || rng.chance(0.4)) return weird(rng);
    if (rng.chance(0.5)) return Array.from({ length: rng.int(0, 4) }, () => gen(depth + 1));
    const o: { [k: string]: Json } = {};
    for (let i = rng.int(0, 5); i > 0; i--) o[rng.pick(["update_id", "message", "text", "chat", "from", "id", randomText(rng, 8) || "k"])] = gen(depth + 1);
    return o;
  };
  const v = gen(0);
  const body = JSON.stringify(v) ?? "null";
  return { category: "random-json", describe: body.slice(0, 60), expect: [200, 400], send: () => post(t.url, body, { "content-type": JSON_CT, "x-telegram-bot-api-secret-token": t.header }) };
};

const GENERATORS: ReadonlyArray<readonly [number, Gen]> = [
  [12, forgedHeader],
  [8, unknownPath],
  [3, wrongMethod],
  [6, contentType],
  [10, malformedJson],
  [3, oversize],
  [45, mutatedUpdate],
  [10, randomJson],
];

export const telegramWebhook: NetworkTarget = {
  name: "telegram-webhook",
  async cases(rng, count, env) {
    return Array.from({ length: count }, () => rng.weighted(GENERATORS)(rng, env.telegram));
  },
  async fixed(env) {
    const t = env.telegram;
    const nina = env.cast.nina;
    const text = `tg-fixed-${Date.now().toString(36)}`;
    const update = updateWith(t, text, 4_242);
    const body = JSON.stringify(update);
    const authed = { "content-type": JSON_CT, "x-telegram-bot-api-secret-token": t.header };
    const bodyIs = (el: { name: string; getChildText(n: string): string | null }) => el.name === "message" && el.getChildText("body") === text;
    return [
      {
        category: "fixed",
        describe: "a well-formed Update with the right secret token reaches the bot's owner",
        expect: [200],
        send: () => post(t.url, body, authed),
        verify: async () => {
          const got = await nina.waitFor(bodyIs, { timeoutMs: 5_000 }).then(() => true, () => false);
          return got ? [] : ["a well-formed, authenticated Update was answered 200 but never reached nina"];
        },
      },
      {
        category: "fixed",
        describe: "the same update_id again (Telegram retrying): 200, not delivered twice",
        expect: [200],
        send: () => post(t.url, body, authed),
        verify: async () => {
          await new Promise((r) => setTimeout(r, 1_000));
          const n = nina.received.filter(bodyIs).length;
          return n <= 1 ? [] : [`one update_id posted twice reached nina ${n} times`];
        },
      },
      {
        category: "fixed",
        describe: "the right path with another bot's secret token",
        expect: [403],
        unauthenticated: true,
        send: () => post(t.url, JSON.stringify({ ...update, update_id: update.update_id as number + 1 }), { ...authed, "x-telegram-bot-api-secret-token": webhookSecrets("1:not-the-bot").header }),
      },
    ];
  },
};
