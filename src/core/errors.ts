/**
 * The one error type of the gateway. It carries the XMPP stanza error condition it maps to and
 * whether the operation may be retried; each edge (XMPP, HTTP, CLI) maps it once.
 */
export type ErrorCondition =
  | "bad-request"
  | "conflict"
  | "feature-not-implemented"
  | "forbidden"
  | "internal-server-error"
  | "item-not-found"
  | "jid-malformed"
  | "not-acceptable"
  | "not-allowed"
  | "not-authorized"
  | "policy-violation"
  | "recipient-unavailable"
  | "registration-required"
  | "remote-server-not-found"
  | "remote-server-timeout"
  | "resource-constraint"
  | "service-unavailable"
  | "undefined-condition"
  | "unexpected-request";

export type ErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

const DEFAULT_TYPE: Record<ErrorCondition, ErrorType> = {
  "bad-request": "modify",
  conflict: "cancel",
  "feature-not-implemented": "cancel",
  forbidden: "auth",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "jid-malformed": "modify",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "not-authorized": "auth",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  "registration-required": "auth",
  "remote-server-not-found": "cancel",
  "remote-server-timeout": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "undefined-condition": "cancel",
  "unexpected-request": "wait",
};

export function defaultErrorType(condition: ErrorCondition): ErrorType {
  return DEFAULT_TYPE[condition];
}

export class GatewayError extends Error {
  readonly condition: ErrorCondition;
  readonly type: ErrorType;
  /** True when the same operation may succeed later (network down, rate limited). */
  readonly retryable: boolean;
  /** Milliseconds the network asked us to wait before trying again (Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** The network's own error code, when it gave one (Twilio 21211, Telegram 403…). */
  readonly networkCode: string | undefined;

  constructor(
    condition: ErrorCondition,
    text: string,
    opts: { type?: ErrorType; retryable?: boolean; retryAfterMs?: number; networkCode?: string | number; cause?: unknown } = {},
  ) {
    super(text, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "GatewayError";
    this.condition = condition;
    this.type = opts.type ?? DEFAULT_TYPE[condition];
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.networkCode = opts.networkCode === undefined ? undefined : String(opts.networkCode);
  }

  /** A failure worth retrying: the network is down, slow or rate limiting us. */
  static transient(text: string, opts: { retryAfterMs?: number; networkCode?: string | number; cause?: unknown } = {}): GatewayError {
    return new GatewayError("remote-server-timeout", text, { ...opts, retryable: true });
  }
}

/** Anything thrown becomes a GatewayError; unknown errors are internal and not retried. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError("internal-server-error", "Internal error in the gateway", { cause: err });
}
