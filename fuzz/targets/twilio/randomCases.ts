// Random hostile webhook requests: missing, bad and replayed signatures, wrong content types,
// oversize and malformed bodies, validly signed garbage, unknown paths and methods, broken HTTP.
import type { Rng } from "../../../test/support/rng.ts";
import { bulk, nasty, randomText } from "../../xmpp/text.ts";
import type { InboundCase } from "../types.ts";
import type { TwilioCtx } from "./context.ts";
import { decode, encode, FORM, inboundForm, post, postForm, sign, statusForm, viaSimulator, type Params } from "./signing.ts";
import { httpRequest, rawHttp } from "../../http/request.ts";

const sid = (rng: Rng, prefix = "SM") => prefix + rng.hex(16);

function validInbound(rng: Rng, c: TwilioCtx): Record<string, string> {
  return inboundForm({ accountSid: c.operatorSid, from: `+1555010${rng.int(2000, 2099)}`, to: c.victimNumber, body: randomText(rng, 60), sid: sid(rng) });
}

type Gen = (rng: Rng, c: TwilioCtx) => InboundCase;

const unsigned: Gen = (rng, c) => {
  const params = validInbound(rng, c);
  const url = rng.chance(0.7) ? c.smsUrl : c.statusUrl;
  return { category: "unsigned", describe: `no signature → ${url.slice(c.base.length)}`, expect: [403], unauthenticated: true, send: () => postForm(url, params, null) };
};

const badSignature: Gen = (rng, c) => {
  const params = validInbound(rng, c);
  const body = encode(params);
  const right = sign(c.operatorToken, c.smsUrl, params);
  const variant = rng.pick([
    ["random", Buffer.from(rng.hex(20), "hex").toString("base64")],
    ["empty", ""],
    ["huge", bulk(rng.int(4_000, 12_000), "QUJD")],
    ["other-url", sign(c.operatorToken, c.statusUrl, params)],
    ["localhost-url", sign(c.operatorToken, c.smsUrl.replace("127.0.0.1", "localhost"), params)],
    ["wrong-token", sign(c.byo.token, c.smsUrl, params)],
    ["case-flipped", right.toLowerCase() === right ? right.toUpperCase() : right.toLowerCase()],
    ["truncated", right.slice(0, -2)],
    ["not-base64", "!!!***%%%"],
    ["nasty", nasty(rng) || "x"],
  ] as const);
  const [name, value] = variant;
  return {
    category: "bad-signature",
    describe: `signature ${name}`,
    expect: [403],
    unauthenticated: true,
    send: () => post(c.smsUrl, body, { "content-type": FORM, "x-twilio-signature": value }),
  };
};

const replayed: Gen = (rng, c) => {
  const original = validInbound(rng, c);
  const changed: Record<string, string> = { ...original };
  const what = rng.pick(["Body", "From", "To", "MessageSid", "add", "remove", "AccountSid"] as const);
  if (what === "add") changed.Extra = "1";
  else if (what === "remove") delete changed.NumSegments;
  else if (what === "To") changed.To = "+15550002222";
  else if (what === "AccountSid") changed.AccountSid = c.byo.sid;
  else changed[what] = `${original[what]}x`;
  return {
    category: "replay",
    describe: `old valid signature, ${what} changed`,
    expect: [403],
    unauthenticated: true,
    send: () => postForm(c.smsUrl, changed, c.operatorToken, { signedParams: original }),
  };
};

const contentType: Gen = (rng, c) => {
  const params = validInbound(rng, c);
  const [ct, expect, body] = rng.pick<[string | undefined, number[], string]>([
    ["text/plain", [415], encode(params)],
    ["application/json", [415], JSON.stringify(params)],
    ["multipart/form-data; boundary=x", [415], `--x\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi\r\n--x--`],
    [undefined, [415], encode(params)],
    ["application/x-www-form-urlencodedX", [415], encode(params)],
    ["x-www-form-urlencoded", [415], encode(params)],
    ["", [415], encode(params)],
    ["application/xml", [415], "<Body>hi</Body>"],
  ]);
  const headers: Record<string, string> = { "x-twilio-signature": sign(c.operatorToken, c.smsUrl, params) };
  if (ct !== undefined) headers["content-type"] = ct;
  return { category: "content-type", describe: `content-type ${ct ?? "(none)"}`, expect, unauthenticated: true, send: () => post(c.smsUrl, body, headers) };
};

/** Form-encoded, but with a media type spelled differently: accepted when signed right. */
const contentTypeVariant: Gen = (rng, c) => {
  const params = validInbound(rng, c);
  const ct = rng.pick(["Application/X-WWW-Form-URLEncoded", "application/x-www-form-urlencoded; charset=UTF-8", " application/x-www-form-urlencoded ;charset=utf-8"]);
  return { category: "content-type", describe: `content-type '${ct}', signed`, expect: [200], send: () => postForm(c.smsUrl, params, c.operatorToken, { contentType: ct }) };
};

const oversize: Gen = (rng, c) => {
  const size = rng.pick([1024 * 1024 + 1, 1_500_000, 3_000_000]);
  const chunked = rng.chance(0.3);
  const body = Buffer.alloc(size, "a");
  const headers: Record<string, string> = { "content-type": FORM, "x-twilio-signature": "x" };
  if (chunked) headers["transfer-encoding"] = "chunked";
  return { category: "oversize", describe: `${size} byte body${chunked ? " (chunked)" : ""}`, expect: [413], unauthenticated: true, send: () => post(rng.chance(0.5) ? c.smsUrl : c.statusUrl, body, headers, 5_000) };
};

const MALFORMED = [
  "%%%", "a=%ZZ&b=%", "=&=&&&=", "&&&&", "Body=%E0%A4%A", "Body=%C3%28&From=%FF%FE", "Body=%00%00",
  "a=1&".repeat(10_000), `${"k".repeat(50_000)}=v`, "__proto__=x&__proto__=y", "constructor=x", "hasOwnProperty=x",
  "toString=x&valueOf=y", "Body[]=a&Body[]=b", "Body=a;From=b", "Body=a+b%20c", "MessageSid=SM1&MessageSid=SM2",
];

const malformedForm: Gen = (rng, c) => {
  const junk = rng.pick(MALFORMED);
  const signed = rng.chance(0.5);
  if (!signed) {
    return { category: "malformed-form", describe: `unsigned: ${junk.slice(0, 40)}`, expect: [403], unauthenticated: true, send: () => post(c.smsUrl, junk, { "content-type": FORM }) };
  }
  // Valid fields plus the junk, signed over what the gateway will decode: passes or fails only on content.
  const body = `${encode(validInbound(rng, c))}&${junk}`;
  const params: Params = decode(body);
  return {
    category: "malformed-form",
    describe: `signed: valid fields + ${junk.slice(0, 40)}`,
    expect: [200, 400, 403],
    send: () => post(c.smsUrl, body, { "content-type": FORM, "x-twilio-signature": sign(c.operatorToken, c.smsUrl, params) }),
  };
};

function garbageValue(rng: Rng): string {
  return rng.weighted<() => string>([
    [20, () => ""],
    [20, () => nasty(rng)],
    [20, () => randomText(rng, 40)],
    [10, () => bulk(rng.int(1_000, 10_000), "9")],
    [10, () => "VERIFY"],
    [10, () => "12345"],
    [10, () => "alice@example.net"],
  ])();
}

const signedInbound: Gen = (rng, c) => {
  const p: Record<string, string> = validInbound(rng, c);
  const mutations: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const key = rng.pick(["MessageSid", "From", "To", "Body", "AccountSid", "NumMedia", "MediaUrl", "Body-huge", "To-unknown"] as const);
    mutations.push(key);
    if (key === "MediaUrl") {
      for (let j = rng.int(0, 20); j >= 0; j--) p[`MediaUrl${j}`] = rng.pick(["javascript:alert(1)", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", bulk(5000), "", "https://example.org/a.png"]);
    } else if (key === "Body-huge") p.Body = bulk(rng.int(10_000, 64_000), "huge body ");
    else if (key === "To-unknown") p.To = `+1555999${rng.digits(4)}`;
    else if (rng.chance(0.2)) delete p[key];
    else p[key] = key === "AccountSid" ? rng.pick(["", c.byo.sid, "AC" + rng.hex(16), nasty(rng)]) : garbageValue(rng);
  }
  const expect = p.AccountSid !== c.operatorSid ? [403] : !p.MessageSid || !p.To || !p.From ? [400] : [200];
  return {
    category: "signed-garbage-inbound",
    describe: `operator-signed inbound, ${mutations.join("+")}`,
    expect,
    send: () => viaSimulator(() => c.sim.postSigned(c.smsUrl, p, c.operatorToken)),
  };
};

const signedStatus: Gen = (rng, c) => {
  const known = c.attackerSids.length > 0 && rng.chance(0.4);
  const p: Record<string, string> = statusForm({
    accountSid: c.operatorSid,
    from: c.victimNumber,
    to: `+1555010${rng.int(1000, 1199)}`,
    sid: known ? rng.pick(c.attackerSids) : sid(rng),
    status: rng.pick(["sent", "delivered", "read", "failed", "undelivered", "queued", "accepted", "", "DELIVERED", "delivered ", nasty(rng), bulk(5000)]),
  });
  if (p.MessageStatus === "failed" || p.MessageStatus === "undelivered" || rng.chance(0.2)) {
    p.ErrorCode = rng.pick(["30003", "", "abc", "-1", "99999999999999999999", "1e3", "30003.5"]);
    if (rng.chance(0.5)) p.ErrorMessage = rng.chance(0.5) ? bulk(20_000) : randomText(rng, 80);
  }
  if (rng.chance(0.15)) delete p[rng.pick(["MessageSid", "MessageStatus", "From", "AccountSid"])];
  if (rng.chance(0.1)) p.MessageSid = rng.pick(["", nasty(rng), bulk(3000)]);
  const expect = p.AccountSid !== c.operatorSid ? [403] : !p.MessageSid || !p.MessageStatus ? [400] : [200];
  return {
    category: "signed-garbage-status",
    describe: `operator-signed status ${known ? "for a real sid" : "for an unknown sid"}: '${(p.MessageStatus ?? "(none)").slice(0, 20)}'`,
    expect,
    send: () => viaSimulator(() => c.sim.postSigned(c.statusUrl, p, c.operatorToken)),
  };
};

const pathsAndMethods: Gen = (rng, c) => {
  const [method, path, expect] = rng.pick<[string, string, number[]]>([
    ["GET", "/webhooks/twilio/sms", [405]],
    ["PUT", "/webhooks/twilio/status", [405]],
    ["DELETE", "/webhooks/twilio/sms", [405]],
    ["OPTIONS", "/webhooks/twilio/sms", [405]],
    ["POST", "/webhooks/twilio/sms/", [404]],
    ["POST", "/webhooks/twilio/SMS", [404]],
    ["POST", "/webhooks/twilio/../twilio/sms", [404, 403]],
    ["POST", "//webhooks/twilio/sms", [404]],
    ["POST", "/webhooks/twilio/sms%00", [404]],
    ["POST", "/webhooks/twilio/sms%2F", [404]],
    ["POST", "/webhooks/twilio", [404]],
    ["POST", "/webhooks/telegram/anything", [404, 403]],
    ["POST", "/healthz", [404, 405]],
    ["POST", "/metrics", [404, 405]],
    ["GET", "/", [404]],
    ["GET", `/${"a".repeat(rng.int(2000, 8000))}`, [404, 414, 431]],
    ["GET", "/webhooks/twilio/sms?" + "x=1&".repeat(500), [405]],
    ["POST", "/%ZZ", [404, 400]],
    ["POST", "/.env", [404]],
  ]);
  return {
    category: "paths-methods",
    describe: `${method} ${path.slice(0, 50)}`,
    expect,
    unauthenticated: true,
    send: () => httpRequest({ url: `${c.base}${path}`, method, body: method === "GET" ? undefined : "Body=x", headers: method === "GET" ? {} : { "content-type": FORM } }),
  };
};

/** A valid request with a query string on the webhook URL, signed over the URL with it. */
const signedQuery: Gen = (rng, c) => {
  const params = validInbound(rng, c);
  const url = `${c.smsUrl}?${rng.pick(["x=1", "a=%20b", "q=" + bulk(500)])}`;
  return { category: "paths-methods", describe: "signed, with a query string", expect: [200], send: () => postForm(url, params, c.operatorToken) };
};

const brokenHttp: Gen = (rng, c) => {
  const [name, bytes] = rng.pick<[string, string]>([
    ["garbage request line", "GARBAGE\r\n\r\n"],
    ["CL and TE together", `POST /webhooks/twilio/sms HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ["two Content-Length", `POST /webhooks/twilio/sms HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
    ["bad chunk size", `POST /webhooks/twilio/sms HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n`],
    ["32k header", `POST /webhooks/twilio/sms HTTP/1.1\r\nHost: x\r\nX-Big: ${"h".repeat(32_000)}\r\n\r\n`],
    ["header with NUL", `POST /webhooks/twilio/sms HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: a\u0000b\r\nContent-Length: 0\r\n\r\n`],
    ["bare LF lines", `POST /webhooks/twilio/sms HTTP/1.1\nHost: x\nContent-Length: 0\n\n`],
  ]);
  return { category: "broken-http", describe: name, expect: [400, 431, 403, 413, 415], unauthenticated: true, reasonOptional: true, send: () => rawHttp(c.port, bytes) };
};

const GENERATORS: ReadonlyArray<readonly [number, Gen]> = [
  [8, unsigned],
  [12, badSignature],
  [10, replayed],
  [7, contentType],
  [3, contentTypeVariant],
  [3, oversize],
  [10, malformedForm],
  [20, signedInbound],
  [15, signedStatus],
  [7, pathsAndMethods],
  [2, signedQuery],
  [3, brokenHttp],
];

export function randomTwilioCases(rng: Rng, count: number, c: TwilioCtx): InboundCase[] {
  return Array.from({ length: count }, () => rng.weighted(GENERATORS)(rng, c));
}
