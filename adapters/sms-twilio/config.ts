/** What the SMS adapter needs from the operator's configuration. */
export interface SmsAdapterConfig {
  /** ISO 3166 region for numbers typed without a country code, e.g. "US". */
  defaultRegion: string;
  /** The operator's Twilio account and its pool of numbers handed out to registering users. */
  twilio: { accountSid: string; authToken: string; apiBase: string; numbers: readonly string[] };
  /**
   * How Twilio reaches our HTTP listener, e.g. https://gw.example.org. Webhooks are at
   * publicUrl + path and their signatures are checked against exactly that URL; without it
   * webhooks are refused and no status callbacks are requested.
   */
  publicUrl: string | undefined;
  /** Per-request timeout for Twilio's API; 15 s when omitted. */
  timeoutMs?: number;
}

/** A Twilio account's API credentials (the operator's, or a user's own). */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}
