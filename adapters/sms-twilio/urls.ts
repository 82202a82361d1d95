// The webhook paths are part of the HTTP contract (ARCHITECTURE.md): Twilio is configured with them.
export const SMS_WEBHOOK_PATH = "/webhooks/twilio/sms";
export const STATUS_WEBHOOK_PATH = "/webhooks/twilio/status";

/**
 * publicUrl + path-and-query, exactly as Twilio is told to call it (and so exactly what it signs).
 * A publicUrl with a path (https://example.org/switchboard) keeps it.
 */
export function publicWebhookUrl(publicUrl: string, pathAndQuery: string): string {
  return publicUrl.replace(/\/+$/, "") + pathAndQuery;
}
