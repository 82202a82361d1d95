// RFC 3464 delivery status notifications (bounces) about mail we sent → DeliveryReport.
import type { ParsedMail } from "mailparser";
import type { DeliveryReport } from "../../src/core/adapter.ts";
import { bounceText } from "./errors.ts";
import { bareMessageId, isOurMessageId } from "./ids.ts";

const STATUS_PARTS = new Set(["message/delivery-status", "message/global-delivery-status"]);
const ORIGINAL_PARTS = new Set(["text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers"]);

/** True for a multipart/report of type delivery-status (parse with keepDeliveryStatus to see its parts). */
export function isDsn(parsed: ParsedMail): boolean {
  const ct = parsed.headers.get("content-type");
  if (typeof ct !== "object" || ct === null || !("value" in ct)) return false;
  const { value, params } = ct as { value: string; params?: Record<string, string> };
  return value.toLowerCase() === "multipart/report" && (params?.["report-type"] ?? "").toLowerCase() === "delivery-status";
}

export type DsnOutcome = { report: DeliveryReport } | { ignored: string };

/**
 * What a DSN says about one of our mails: `failed` (plain words naming the status and the remote
 * server's reply) or `delivered`. Delays, DSNs about mail that is not ours, and ones we can't
 * tie to a Message-ID are ignored with the reason (for the log); a report about an id the core
 * does not know would only be kept there forever.
 */
export function dsnToReport(parsed: ParsedMail, addressDomain: string): DsnOutcome {
  const statusPart = parsed.attachments.find((a) => STATUS_PARTS.has(a.contentType.toLowerCase()));
  if (!statusPart) return { ignored: "a delivery report without a delivery-status part" };
  const originalPart = parsed.attachments.find((a) => ORIGINAL_PARTS.has(a.contentType.toLowerCase()));
  const originalId = originalPart ? bareMessageId(headerField(headerBlock(originalPart.content.toString("utf8")), "message-id")) : undefined;
  if (originalId === undefined) return { ignored: "a delivery report that does not name the original Message-ID" };
  if (!isOurMessageId(originalId, addressDomain)) return { ignored: "a delivery report about mail this gateway did not send" };

  const recipients = statusBlocks(statusPart.content.toString("utf8")).slice(1);
  const failed = recipients.find((r) => (r.get("action") ?? "").toLowerCase() === "failed");
  if (failed) {
    const recipient = (failed.get("final-recipient") ?? failed.get("original-recipient"))?.replace(/^[^;]*;\s*/, "");
    const diagnostic = failed.get("diagnostic-code")?.replace(/^[^;]*;\s*/, "");
    const status = failed.get("status")?.trim();
    const report: DeliveryReport = { networkId: originalId, state: "failed", errorText: bounceText(recipient, status, diagnostic) };
    if (status) report.errorCode = status;
    return { report };
  }
  if (recipients.some((r) => (r.get("action") ?? "").toLowerCase() === "delivered")) {
    return { report: { networkId: originalId, state: "delivered" } };
  }
  return { ignored: "a delivery report that reports no failure (delayed or relayed)" };
}

/** The blocks of a message/delivery-status body: per-message fields first, then one per recipient. */
function statusBlocks(body: string): Array<Map<string, string>> {
  return body
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((block) => fields(block))
    .filter((m) => m.size > 0);
}

function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(key)) out.set(key, line.slice(colon + 1).trim());
  }
  return out;
}

function headerBlock(text: string): string {
  const normalized = text.replace(/\r\n?/g, "\n");
  const end = normalized.indexOf("\n\n");
  return end < 0 ? normalized : normalized.slice(0, end);
}

function headerField(block: string, name: string): string | undefined {
  return fields(block).get(name);
}
