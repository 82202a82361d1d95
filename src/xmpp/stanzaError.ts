import xml, { type Element } from "@xmpp/xml";
import { asGatewayError, type ErrorCondition, type ErrorType } from "../core/errors.ts";
import { NS } from "./namespaces.ts";

/** The one place a gateway error becomes an XMPP stanza <error/> (RFC 6120 §8.3). */
export function errorElement(condition: ErrorCondition, type: ErrorType, text: string): Element {
  return xml(
    "error",
    { type },
    xml(condition, { xmlns: NS.stanzas }),
    xml("text", { xmlns: NS.stanzas, "xml:lang": "en" }, text),
  );
}

export function errorFor(err: unknown): Element {
  const e = asGatewayError(err);
  return errorElement(e.condition, e.type, e.message);
}

/**
 * Bounces a stanza with an error: the original's addresses swapped, same id and name. Errors are
 * never answered with errors (RFC 6120 §8.3.1), so the caller need not check.
 */
export function bounce(stanza: Element, error: Element): Element | undefined {
  if (stanza.attrs.type === "error") return undefined;
  const reply = xml(stanza.name, { type: "error", from: stanza.attrs.to, to: stanza.attrs.from, id: stanza.attrs.id });
  reply.append(error);
  return reply;
}
