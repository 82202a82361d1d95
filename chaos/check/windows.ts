// The documented windows: where a duplicate or a loss cannot be prevented by the gateway because
// the protocol on the other side gives no way to find out what happened. Anything else fails.

export type WindowId = "telegram-sent-twice" | "smtp-sent-twice" | "xmpp-in-not-committed" | "xmpp-out-passed-twice" | "xmpp-out-lost-at-server-stop";

export const WINDOWS: Record<WindowId, string> = {
  "telegram-sent-twice":
    "Telegram: sendMessage has no idempotency key and a bot cannot list what it sent, so when Telegram's answer never reaches the gateway (connection lost, or the gateway killed between Telegram's answer and its own commit) the gateway cannot tell whether the message was posted, and sends it again.",
  "smtp-sent-twice":
    "Email (RFC 1047): a relay that took a mail but whose final 250 never reached the gateway (connection lost after the data, or the gateway killed before recording the 250) cannot be asked whether it kept it; the mail goes out again (nodemailer's own requeue keeps the Message-ID, so the recipient's mail program can drop it; a later retry of the core makes a new one).",
  "xmpp-in-not-committed":
    "XMPP → gateway: XEP-0114 has no acknowledgements. Prosody passed the stanza to the gateway's socket moments before the gateway was killed; it was never committed and no error can come back (a client notices only by the missing XEP-0184 receipt).",
  "xmpp-out-passed-twice":
    "gateway → XMPP: XEP-0114 has no acknowledgements. A stanza written just before the gateway was killed (or the server went down) and not yet recorded as passed on is passed again, with the same XEP-0359 stanza-id, so a client can drop the repeat.",
  "xmpp-out-lost-at-server-stop":
    "gateway → XMPP: a stanza written to the XMPP server's socket as the server shut down is lost (XEP-0114 has no acknowledgements; ARCHITECTURE.md, 'Delivery windows that remain').",
};

/** SMS is deliberately absent: Twilio lists every message it took, so the gateway can always look before it sends again. */
export const WINDOWS_BY_NETWORK_OUT: Record<string, WindowId | undefined> = {
  sms: undefined,
  telegram: "telegram-sent-twice",
  email: "smtp-sent-twice",
};

/** A SIGKILL between the network's answer and the commit counts when it follows the answer within this. */
export const KILL_AFTER_ANSWER_MS = 1_000;
/** A message counts as in flight at a kill when it was sent this long before it (or just after). */
export const IN_FLIGHT_BEFORE_KILL_MS = 1_000;
export const IN_FLIGHT_AFTER_KILL_MS = 250;
