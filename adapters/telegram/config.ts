/** What the Telegram adapter needs from the operator's configuration (`networks.telegram` + `http.publicUrl`). */
export interface TelegramAdapterConfig {
  /** Bot API root without a trailing slash: https://api.telegram.org, or a simulator's URL. */
  apiRoot: string;
  /** How updates arrive. Webhook mode needs `publicUrl`; without it the adapter polls (and says so). */
  mode: "polling" | "webhook";
  /** How Telegram reaches our HTTP listener, e.g. https://gw.example.org. */
  publicUrl: string | undefined;
  /** How long one getUpdates may be held open by Telegram; 25 s when omitted. */
  pollTimeoutSeconds?: number;
  /**
   * Minimum spacing of the calls that put something into a chat. Telegram asks for about one
   * message a second per chat, 20 a minute per group and 30 a second per bot; those when omitted.
   */
  pacing?: { chatIntervalMs?: number; groupIntervalMs?: number; botIntervalMs?: number };
  /** Per-request timeout for Bot API calls other than the long poll; 30 s when omitted. */
  requestTimeoutMs?: number;
  /** First pause after a failed poll or delivery; doubles up to a minute. 1 s when omitted. */
  retryInitialMs?: number;
}

export interface ResolvedConfig {
  apiRoot: string;
  mode: "polling" | "webhook";
  publicUrl: string | undefined;
  pollTimeoutSeconds: number;
  pacing: { chatIntervalMs: number; groupIntervalMs: number; botIntervalMs: number };
  requestTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export function resolveConfig(c: TelegramAdapterConfig): ResolvedConfig {
  return {
    apiRoot: c.apiRoot.replace(/\/+$/, ""),
    mode: c.mode,
    publicUrl: c.publicUrl?.replace(/\/+$/, ""),
    pollTimeoutSeconds: c.pollTimeoutSeconds ?? 25,
    pacing: {
      chatIntervalMs: c.pacing?.chatIntervalMs ?? 1_000,
      groupIntervalMs: c.pacing?.groupIntervalMs ?? 3_000,
      botIntervalMs: c.pacing?.botIntervalMs ?? Math.ceil(1_000 / 30),
    },
    requestTimeoutMs: c.requestTimeoutMs ?? 30_000,
    retryInitialMs: c.retryInitialMs ?? 1_000,
    retryMaxMs: 60_000,
  };
}
