// One twilio SDK client per set of credentials, reused by every send (each owns a keep-alive pool).
import { createHash } from "node:crypto";
import type twilio from "twilio";
import { GatewayError } from "../../src/core/errors.ts";
import type { Account } from "../../src/core/adapter.ts";
import type { TwilioCredentials } from "./config.ts";
import { byoCredentials, isByo } from "./ids.ts";
import { createTwilioClient, destroyTwilioClient } from "./twilioClient.ts";

const DEFAULT_TIMEOUT_MS = 15_000;
// Plenty for every BYO user of one gateway; beyond it the oldest idle entry is forgotten.
const MAX_CLIENTS = 1_000;

export class TwilioClients {
  readonly #apiBase: string;
  readonly #timeoutMs: number;
  readonly #operator: TwilioCredentials;
  readonly #clients = new Map<string, twilio.Twilio>();

  constructor(opts: { apiBase: string; timeoutMs: number | undefined; operator: TwilioCredentials }) {
    this.#apiBase = opts.apiBase;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#operator = opts.operator;
  }

  get operatorAccountSid(): string {
    return this.#operator.accountSid;
  }

  /** The client that acts for `account`: its own Twilio account (BYO) or the operator's. */
  forAccount(account: Account): { client: twilio.Twilio; accountSid: string } {
    if (!isByo(account)) return { client: this.forCredentials(this.#operator), accountSid: this.#operator.accountSid };
    const creds = byoCredentials(account);
    if (!creds) {
      throw new GatewayError("not-authorized", "Your Twilio credentials are missing; register with this gateway again.");
    }
    return { client: this.forCredentials(creds), accountSid: creds.accountSid };
  }

  forCredentials(creds: TwilioCredentials): twilio.Twilio {
    // The token is hashed so the map's keys are not a second copy of every secret.
    const key = `${creds.accountSid}:${createHash("sha256").update(creds.authToken).digest("base64")}`;
    const existing = this.#clients.get(key);
    if (existing) {
      // Re-insert: Map order then tracks recent use, so eviction drops the least recently used.
      this.#clients.delete(key);
      this.#clients.set(key, existing);
      return existing;
    }
    const client = createTwilioClient({ ...creds, apiBase: this.#apiBase, timeoutMs: this.#timeoutMs });
    this.#clients.set(key, client);
    if (this.#clients.size > MAX_CLIENTS) {
      // Not destroyed: a send may still be using it. Idle keep-alive sockets don't hold the process
      // open and the server closes them.
      const oldest = this.#clients.keys().next().value;
      if (oldest !== undefined) this.#clients.delete(oldest);
    }
    return client;
  }

  /** Closes every client's sockets (on stop). */
  destroy(): void {
    for (const client of this.#clients.values()) destroyTwilioClient(client);
    this.#clients.clear();
  }
}
