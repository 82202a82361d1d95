// multipart/form-data, as telegraf (and curl -F) upload files. Whole-buffer parsing: bodies are capped.
import { badRequest } from "./http.ts";

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw badRequest("can't parse multipart/form-data: no boundary");
  return boundary;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const fail = (why: string) => badRequest(`can't parse multipart/form-data: ${why}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw fail("boundary not found");
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter closes the body; anything after it is epilogue.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw fail("malformed delimiter line");
    pos += 2;
    const headerEnd = body.indexOf(HEADER_END, pos);
    // A part with no headers at all starts straight with its blank line.
    const noHeaders = body.subarray(pos, pos + 2).equals(CRLF);
    if (headerEnd < 0 && !noHeaders) throw fail("unterminated part headers");
    const headerText = noHeaders ? "" : body.subarray(pos, headerEnd).toString("utf8");
    const dataStart = noHeaders ? pos + 2 : headerEnd + 4;
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), dataStart);
    if (next < 0) throw fail("missing closing boundary");
    const part = partFromHeaders(headerText, body.subarray(dataStart, next));
    if (part) parts.push(part);
    pos = next + 2;
  }
}

function partFromHeaders(headerText: string, data: Buffer): Part | null {
  let disposition = "";
  let contentType: string | undefined;
  for (const line of headerText.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") disposition = value;
    else if (key === "content-type") contentType = value;
  }
  const name = param(disposition, "name");
  // A part without a name cannot be addressed; real servers skip it too.
  if (name === undefined) return null;
  const part: Part = { name, data };
  const filename = param(disposition, "filename");
  if (filename !== undefined) part.filename = filename;
  if (contentType) part.contentType = contentType;
  return part;
}

function param(header: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}
