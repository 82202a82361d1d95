// What makes a stanza error well-formed (RFC 6120 §8.3): an <error/> with a valid type and exactly
// one defined condition in the stanzas namespace; a <text/> is optional.
import type { Element } from "@xmpp/xml";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const TYPES = new Set(["auth", "cancel", "continue", "modify", "wait"]);
const CONDITIONS = new Set([
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone", "internal-server-error",
  "item-not-found", "jid-malformed", "not-acceptable", "not-allowed", "not-authorized", "policy-violation",
  "recipient-unavailable", "redirect", "registration-required", "remote-server-not-found",
  "remote-server-timeout", "resource-constraint", "service-unavailable", "subscription-required",
  "undefined-condition", "unexpected-request",
]);

export interface ErrorCheck {
  condition: string;
  text: string | undefined;
  /** Why the error is not well-formed, if it isn't. */
  problem: string | undefined;
}

export function checkStanzaError(stanza: Element): ErrorCheck {
  // Only <error/> in the stanza's own namespace: an echoed request payload may contain an element
  // called "error" in another namespace (the iq library appends the request's child to its errors).
  const errors = stanza.getChildElements().filter((c) => c.name === "error" && (c.attrs.xmlns === undefined || c.attrs.xmlns === "jabber:client"));
  const error = errors[0];
  if (!error) return { condition: "(none)", text: undefined, problem: "type='error' without an <error/> child" };
  const conditions = error.getChildElements().filter((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text");
  const condition = conditions[0]?.name ?? "(none)";
  const text = error.getChildText("text", NS_STANZAS) ?? undefined;
  let problem: string | undefined;
  if (errors.length > 1) problem = `${errors.length} <error/> children`;
  else if (!TYPES.has(error.attrs.type ?? "")) problem = `error type '${error.attrs.type ?? "(missing)"}'`;
  else if (conditions.length !== 1) problem = `${conditions.length} conditions`;
  else if (!CONDITIONS.has(condition)) problem = `undefined condition '${condition}'`;
  return { condition, text, problem };
}
