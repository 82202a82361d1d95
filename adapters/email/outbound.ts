// Sending one chat message as a plain-text mail through the operator's relay (nodemailer, pooled).
import { createTransport, type Transporter } from "nodemailer";
import type { Account, OutgoingMessage, SentRef } from "../../src/core/adapter.ts";
import type { EmailAdapterConfig } from "./config.ts";
import { classifyRelayError, sendError } from "./errors.ts";
import { headerId, partMessageId, threadReference } from "./ids.ts";
import { senderName } from "./registration.ts";

const DEFAULT_TIMEOUT_MS = 15_000;
// The relay is "down" for health once this many sends in a row could not reach it.
const UNREACHABLE_STREAK = 3;

export class EmailOutbound {
  readonly #config: EmailAdapterConfig;
  readonly #transport: Transporter;
  #unreachableStreak = 0;
  #lastProblem: string | undefined;

  constructor(config: EmailAdapterConfig) {
    this.#config = config;
    const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Created once; nodemailer connects on the first send and keeps its connections open.
    this.#transport = createTransport({
      pool: true,
      url: config.smtp.url,
      maxConnections: config.smtp.connections ?? 10,
      // The pool may resend once over a fresh connection when one dies mid-send; the core's own
      // retries (with backoff and a budget) are the real ones.
      maxRequeues: 1,
      name: config.hostname ?? config.addressDomain,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 4,
      logger: false,
      disableFileAccess: true,
      disableUrlAccess: true,
      ...(config.dkim ? { dkim: { ...config.dkim } } : {}),
    });
  }

  /**
   * One mail, with a Message-ID made here and returned (without brackets) as the network id.
   * Not idempotent: a retry after an ambiguous failure (connection lost after the data) sends a
   * second mail, so at least once, never silently lost; it has the same Message-ID (partMessageId).
   */
  async send(account: Account, to: string, msg: OutgoingMessage): Promise<SentRef> {
    const domain = this.#config.addressDomain;
    const from = account.legacyAccountId;
    const name = senderName(account);
    const subject = msg.subject !== undefined && msg.subject !== "" ? msg.subject : `Message from ${name ?? from}`;
    const text = bodyWithLinks(msg);
    const messageId = partMessageId(domain, { id: msg.id, from, to, subject, body: text });
    // The mail thread: XMPP <thread/> is its root; the parent is what this answers, else the last
    // mail of the conversation, else the root. References carries root then parent (we keep no
    // longer chain; mail programs thread on either).
    const root = msg.thread !== undefined && msg.thread !== "" ? threadReference(msg.thread, domain) : undefined;
    const parent = msg.replyTo ?? msg.previous ?? root;
    const references = [...new Set([root, parent].filter((r): r is string => r !== undefined))];
    try {
      await this.#transport.sendMail({
        from: name !== undefined ? { name, address: from } : from,
        // Address objects, also in the envelope: a string would be re-parsed, and "x/y:z@example.org"
        // read as the group "x/y" holding z@example.org. Objects get their local part quoted instead.
        to: { name: "", address: to },
        envelope: { from, to: [{ name: "", address: to }] },
        subject,
        text,
        messageId: headerId(messageId),
        date: new Date(),
        ...(parent !== undefined ? { inReplyTo: headerId(parent) } : {}),
        ...(references.length > 0 ? { references: references.map(headerId) } : {}),
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    } catch (err) {
      const unreachable = classifyRelayError(err)?.kind === "unreachable";
      this.#unreachableStreak = unreachable ? this.#unreachableStreak + 1 : 0;
      const error = sendError(err, to, from);
      if (error.retryable) this.#lastProblem = error.message;
      throw error;
    }
    this.#unreachableStreak = 0;
    this.#lastProblem = undefined;
    return { networkId: messageId };
  }

  health(): { ok: boolean; detail?: string } {
    if (this.#unreachableStreak >= UNREACHABLE_STREAK) {
      return { ok: false, detail: `the last ${this.#unreachableStreak} sends could not reach the mail relay: ${this.#lastProblem ?? ""}` };
    }
    return this.#lastProblem !== undefined ? { ok: true, detail: `last send failed: ${this.#lastProblem}` } : { ok: true };
  }

  close(): void {
    this.#transport.close();
  }
}

/**
 * Attachments the user sent are links (their XMPP upload service hosts the files): they go in the
 * text, after the message, unless the message already is the link (XEP-0066 clients repeat it).
 */
function bodyWithLinks(msg: OutgoingMessage): string {
  const links = msg.mediaUrls.filter((url) => !msg.body.includes(url));
  return [msg.body, ...links].filter((t) => t !== "").join("\n");
}
