// One fuzz input on the XMPP side, and how the session should treat it.
import { serialize, type XNode } from "./tree.ts";

/** Prosody's c2s stanza limit is 256 KiB; anything near it may close the stream by design. */
export const MAIN_STREAM_MAX_BYTES = 250 * 1024;

export interface StanzaCase {
  /** generator/variant, for the per-label counts */
  label: string;
  xml: string;
  /** Set for an iq get/set with an id: exactly one reply is due. */
  iqId?: string;
  /** Set for an iq result/error: no reply is allowed. */
  noReplyId?: string;
  /** Set for a message/presence with an id: an error bounce may come back. */
  stanzaId?: string;
  /** May get the stream closed (size, hostile XML): sent on a throwaway connection. */
  sacrificial: boolean;
}

export function toCase(label: string, node: XNode, opts: { sacrificial?: boolean } = {}): StanzaCase {
  const xml = serialize(node);
  const c: StanzaCase = { label, xml, sacrificial: opts.sacrificial === true || Buffer.byteLength(xml) > MAIN_STREAM_MAX_BYTES };
  const id = node.attrs.id;
  const type = node.attrs.type;
  if (node.name === "iq" && id !== undefined) {
    if (type === "get" || type === "set") c.iqId = id;
    else if (type === "result" || type === "error") c.noReplyId = id;
  } else if (id !== undefined) {
    c.stanzaId = id;
  }
  return c;
}

let counter = 0;
/** Ids unique in the run, so replies can be matched. */
export function freshId(prefix: string): string {
  return `${prefix}-${(counter++).toString(36)}`;
}
