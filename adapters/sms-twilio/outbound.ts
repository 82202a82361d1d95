// Sending a message part through Twilio, and finding one that Twilio took before we crashed.
import type { Account, OutgoingMessage, SentRef } from "../../src/core/adapter.ts";
import type { MessageInstance } from "twilio/lib/rest/api/v2010/account/message.js";
import type { TwilioClients } from "./clients.ts";
import { sendError } from "./errors.ts";
import { STATUS_WEBHOOK_PATH, publicWebhookUrl } from "./urls.ts";

// Twilio's dates have one-second precision and its clock is not ours: look this far before `since`.
const CLOCK_SLACK_MS = 2_000;
// findSent reads newest first and stops at `since`; this bounds a pathological history.
const MAX_PAGES = 5;
const TRIAL_PREFIX = "Sent from your Twilio trial account - ";

interface MessagesPage {
  instances: MessageInstance[];
  nextPage(): Promise<MessagesPage> | undefined;
}

export interface ApiOutcome {
  /** Called with each API failure that says Twilio is unreachable or failing, and with undefined on success. */
  (problem: string | undefined): void;
}

export class SmsOutbound {
  readonly #statusCallback: string | undefined;

  constructor(
    private readonly clients: TwilioClients,
    publicUrl: string | undefined,
    private readonly noteApi: ApiOutcome,
  ) {
    this.#statusCallback = publicUrl === undefined ? undefined : publicWebhookUrl(publicUrl, STATUS_WEBHOOK_PATH);
  }

  /**
   * One Messages.create. Twilio has no idempotency key for it: a timeout after Twilio accepted
   * the message and a retry by the core sends it twice (at least once, never silently lost).
   */
  async send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    const { client } = this.clients.forAccount(account);
    try {
      const created = await client.messages.create({
        from: account.legacyAccountId,
        to,
        ...(msg.body !== "" ? { body: msg.body } : {}),
        ...(msg.mediaUrls.length > 0 ? { mediaUrl: msg.mediaUrls } : {}),
        ...(this.#statusCallback !== undefined ? { statusCallback: this.#statusCallback } : {}),
      });
      this.noteApi(undefined);
      return { networkId: created.sid };
    } catch (err) {
      const error = sendError(err);
      if (error.retryable) this.noteApi(error.message);
      throw error;
    }
  }

  /**
   * The newest message from the account's number to `to` with the same body and number of
   * attachments, created at or after `since` (less clock slack). Twilio lists newest first, so
   * reading stops at the first older one. The `DateSent` filters are not used: a message still
   * queued at Twilio has no date_sent and would be missed — and then sent twice.
   * A match that already failed counts as not sent, so the part is sent again and gets its own report.
   */
  async findSent(account: Account, to: string, msg: OutgoingMessage, since: Date): Promise<SentRef | undefined> {
    const { client } = this.clients.forAccount(account);
    const cutoff = Math.floor(since.getTime() / 1000) * 1000 - CLOCK_SLACK_MS;
    const numMedia = String(msg.mediaUrls.length);
    try {
      let page: MessagesPage = await client.messages.page({ to, from: account.legacyAccountId, pageSize: 50 });
      for (let n = 1; ; n++) {
        for (const m of page.instances) {
          if (m.dateCreated.getTime() < cutoff) return undefined;
          if (m.direction !== "outbound-api" || m.numMedia !== numMedia) continue;
          if (m.body !== msg.body && m.body !== TRIAL_PREFIX + msg.body) continue;
          if (m.status === "failed" || m.status === "undelivered" || m.status === "canceled") return undefined;
          return { networkId: m.sid, delivered: m.status === "delivered" || m.status === "read" };
        }
        const next = n < MAX_PAGES ? page.nextPage() : undefined;
        if (!next) return undefined;
        page = await next;
      }
    } catch (err) {
      // Not "undefined": guessing "not sent" while Twilio is unreachable could send the part twice.
      throw sendError(err);
    }
  }
}
