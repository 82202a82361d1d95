// A Bot API call's parameters, read the way Telegram reads them: from the query string and from a
// JSON, urlencoded or multipart body alike. Form values arrive as strings, so every getter accepts
// the string spelling of its type, and structured fields may be JSON-serialised strings.
import type { IncomingMessage } from "node:http";
import { badRequest, readBody } from "./http.ts";
import { parseMultipart } from "./multipart.ts";

export interface Upload {
  filename: string;
  contentType?: string;
  data: Buffer;
}

export class Params {
  constructor(
    private readonly values: Map<string, unknown>,
    private readonly uploads: Map<string, Upload> = new Map(),
  ) {}

  static async fromRequest(req: IncomingMessage, query: URLSearchParams): Promise<Params> {
    const body = req.method === "GET" || req.method === "HEAD" ? Buffer.alloc(0) : await readBody(req);
    return Params.fromBody(req.headers["content-type"] ?? "", body, query);
  }

  static fromBody(contentType: string, body: Buffer, query = new URLSearchParams()): Params {
    const values = new Map<string, unknown>(query);
    const uploads = new Map<string, Upload>();
    const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    if (body.length === 0) return new Params(values, uploads);
    if (type === "application/json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw badRequest("JSON object expected");
      }
      for (const [k, v] of Object.entries(parsed)) values.set(k, v);
    } else if (type === "application/x-www-form-urlencoded") {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) values.set(k, v);
    } else if (type === "multipart/form-data") {
      for (const part of parseMultipart(body, contentType)) {
        if (part.filename === undefined) values.set(part.name, part.data.toString("utf8"));
        else uploads.set(part.name, { filename: part.filename, contentType: part.contentType, data: part.data });
      }
    }
    // Other content types: Telegram ignores the body and reads the query string only.
    return new Params(values, uploads);
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined || this.uploads.has(name);
  }

  /** The value as sent; null counts as absent, as it does for Telegram. */
  raw(name: string): unknown {
    const v = this.values.get(name);
    return v === null ? undefined : v;
  }

  str(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw badRequest(`field "${name}" must be of type String`);
  }

  int(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === "") return undefined;
    if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    if (typeof v === "string" && /^\s*[-+]?\d{1,16}\s*$/.test(v)) return Number(v);
    throw badRequest(`field "${name}" must be of type Integer`);
  }

  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === "") return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "1" || v === 1) return true;
    if (v === "false" || v === "0" || v === 0) return false;
    throw badRequest(`field "${name}" must be of type Boolean`);
  }

  /** A structured field: the JSON value itself, or a string holding it (form and multipart bodies). */
  json(name: string, what: string): unknown {
    const v = this.raw(name);
    if (typeof v !== "string") return v;
    if (v === "") return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw badRequest(`can't parse ${what} JSON object`);
    }
  }

  /** An input file: an uploaded part (directly or via "attach://name"), or a URL / file_id string. */
  file(name: string): Upload | string | undefined {
    const direct = this.uploads.get(name);
    if (direct) return direct;
    const v = this.str(name);
    if (v?.startsWith("attach://")) {
      const attached = this.uploads.get(v.slice("attach://".length));
      if (!attached) throw badRequest(`file "${v}" was not found in the request`);
      return attached;
    }
    return v;
  }
}
