// Drives each created message through queued → sent → delivered/failed and posts its status callbacks.
import { API_VERSION } from "./resources.ts";
import type { WebhookPoster } from "./signature.ts";
import type { MessageStatus, Outcome, SimMessage } from "./types.ts";

const RETRY_DELAYS_MS = [50, 200, 500]; // Twilio retries failed callbacks too; short here for tests

const ERROR_MESSAGES: Record<number, string> = {
  30003: "Unreachable destination handset",
  30004: "Message blocked",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered",
  30008: "Unknown error",
  21610: "Attempt to send to unsubscribed recipient",
};

export interface CallbackAttempt {
  messageSid: string;
  status: MessageStatus;
  url: string;
  /** HTTP status of the receiver's answer, or null when the post itself failed. */
  httpStatus: number | null;
  error?: string;
}

export class DeliveryScheduler {
  readonly attempts: CallbackAttempt[] = [];
  readonly #pending = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  constructor(
    private readonly poster: WebhookPoster,
    private readonly delayMs: number,
    private readonly tokenOf: (accountSid: string) => string | undefined,
  ) {}

  /** Fire and forget: one async chain per message keeps its callbacks in order. */
  start(m: SimMessage, outcome: Outcome | undefined): void {
    void this.#run(m, outcome);
  }

  stop(): void {
    this.#stopped = true;
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve();
    }
    this.#pending.clear();
  }

  async #run(m: SimMessage, outcome: Outcome | undefined): Promise<void> {
    await this.#sleep(this.delayMs);
    if (this.#stopped) return;
    m.status = "sent";
    m.sentAt = m.updatedAt = new Date();
    await this.#notify(m);

    await this.#sleep(this.delayMs);
    if (this.#stopped) return;
    if (outcome) {
      m.status = outcome.status;
      m.errorCode = outcome.errorCode ?? 30003;
      m.errorMessage = ERROR_MESSAGES[m.errorCode] ?? "Message delivery failed";
    } else {
      m.status = "delivered";
    }
    m.updatedAt = new Date();
    await this.#notify(m);
  }

  async #notify(m: SimMessage): Promise<void> {
    const url = m.statusCallback;
    const token = this.tokenOf(m.accountSid);
    if (!url || token === undefined) return;
    const status = m.status;
    const params: Record<string, string> = {
      MessageSid: m.sid,
      SmsSid: m.sid,
      AccountSid: m.accountSid,
      From: m.from,
      To: m.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: API_VERSION,
    };
    if (m.errorCode !== null) {
      params.ErrorCode = String(m.errorCode);
      if (m.errorMessage) params.ErrorMessage = m.errorMessage;
    }
    for (let attempt = 0; ; attempt++) {
      if (this.#stopped) return;
      let retry: boolean;
      try {
        const res = await this.poster.post(url, params, token);
        this.attempts.push({ messageSid: m.sid, status, url, httpStatus: res.status });
        // A 4xx is the receiver's final word; Twilio only retries when it could not get one.
        retry = res.status >= 500;
      } catch (err) {
        this.attempts.push({ messageSid: m.sid, status, url, httpStatus: null, error: String(err) });
        retry = true;
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (!retry || delay === undefined) return;
      await this.#sleep(delay);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.set(timer, resolve);
    });
  }
}
