import type { NetworkName } from "./adapter.ts";
import type { ErrorCondition } from "./errors.ts";

/**
 * Something the user's XMPP client should see, in neutral form (the XMPP side renders it).
 * Ids named `...Id` are XMPP ids the user's client already knows.
 */
export type UserEvent =
  | {
      kind: "message";
      from: string;
      body: string;
      mediaUrls: string[];
      stanzaId: string;
      receivedAt: Date;
      replyTo?: string;
      subject?: string;
      thread?: string;
    }
  | { kind: "subscribe"; from: string; nick: string }
  | { kind: "receipt"; from: string; xmppId: string }
  /** `to`: the full JID that sent the failed message (stanza errors to a bare JID are dropped). */
  | { kind: "error"; from: string; to: string | null; xmppId: string | null; condition: ErrorCondition; text: string }
  | { kind: "edit"; from: string; targetId: string; body: string; stanzaId: string }
  | { kind: "reaction"; from: string; targetId: string; emojis: string[]; stanzaId: string }
  | { kind: "retraction"; from: string; targetId: string; stanzaId: string }
  | { kind: "typing"; from: string; state: "composing" | "paused" | "active" }
  /** The network refused the user's account: a notice and a presence error from the gateway. */
  | { kind: "account-broken"; reason: string; stanzaId: string }
  /** A message from the gateway itself (welcome, warnings). */
  | { kind: "notice"; body: string; stanzaId: string; receivedAt: Date };

/** The core's way out to XMPP; implemented by src/xmpp, which knows no network. */
export interface UserLink {
  isUp(network: NetworkName): boolean;
  /** Sends the events in order; throws when the link went down (nothing is marked delivered). */
  deliver(network: NetworkName, userJid: string, events: UserEvent[]): Promise<void>;
}
