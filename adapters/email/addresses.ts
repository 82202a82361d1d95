// Contact addresses: what a person typed, a mail header held, or the XMPP side unescaped from a
// JID → one canonical spelling.
//
// The canonical form is the mailbox name as people write it, never quoted: `x/y:z@example.org`,
// `a b@example.net` (RFC 5322 would write "x/y:z"@example.org). XEP-0106 escapes those characters
// in the JID, and nodemailer, given the address as an object, quotes the local part on the wire
// where RFC 5321 needs it. So `"abc"@x` and `abc@x` are one contact, and a JID's unescaped
// localpart parses back to the same address. The local part is kept exactly as given otherwise
// (it may be case-sensitive at the far end); the domain is case-folded and IDNA-normalized.
import { domainToASCII, domainToUnicode } from "node:url";
import type { AddressResult } from "../../src/core/adapter.ts";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_LOCAL_BYTES = 64;
const MAX_ADDRESS_BYTES = 254;

const EXAMPLE = "like bob@example.net";

/** `Bob <bob@example.net>`, `mailto:bob@example.net`, `bob@Example.NET` → `bob@example.net`. */
export function parseAddress(input: string): AddressResult {
  let s = input.trim();
  if (s === "") return fail(`Enter an email address, ${EXAMPLE}.`);
  // A display name in front: the address is what is in the last <…>.
  const angle = /<([^<>]*)>\s*$/.exec(s);
  if (angle) s = (angle[1] ?? "").trim();
  else s = s.replace(/\s*\([^()]*\)$/, ""); // "bob@example.net (Bob)": an RFC 5322 comment
  if (/^mailto:/i.test(s)) {
    s = s.slice("mailto:".length).split("?")[0] ?? "";
    try {
      s = decodeURIComponent(s);
    } catch {
      return fail(`"${input.trim()}" is not a valid mailto: link.`);
    }
  }
  const at = s.lastIndexOf("@");
  if (at < 0) return fail(`"${s}" has no @; enter a whole email address, ${EXAMPLE}.`);
  const local = localPart(s.slice(0, at));
  if (!local.ok) return local;
  const domain = domainPart(s.slice(at + 1));
  if (!domain.ok) return domain;
  const address = `${local.address}@${domain.address}`;
  if (Buffer.byteLength(address) > MAX_ADDRESS_BYTES) return fail("That email address is too long.");
  return { ok: true, address };
}

/** A sender's address from a header or envelope, canonical; undefined when it is no usable address. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const parsed = parseAddress(address);
  return parsed.ok ? parsed.address : undefined;
}

function localPart(local: string): AddressResult {
  let name = local;
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    const content = unquote(local.slice(1, -1));
    if (content === undefined) return fail(`${local} is not a valid quoted name before the @.`);
    name = content;
  }
  if (name === "") return fail(`The part before the @ is missing; enter a whole email address, ${EXAMPLE}.`);
  if (Buffer.byteLength(name) > MAX_LOCAL_BYTES) return fail("The part before the @ is longer than 64 characters.");
  // nodemailer can't write < or > in an address (it turns them into spaces: another mailbox), and
  // outer spaces or quotes would not survive the unquoted canonical form.
  if (/[\x00-\x1f\x7f<>]/.test(name) || name !== name.trim() || /^".*"$/.test(name)) {
    return fail(`"${name}" can't be used before the @ (no < >, control characters, or spaces at its ends).`);
  }
  return { ok: true, address: name };
}

/** The text inside a quoted local part with its backslash escapes resolved; undefined when malformed. */
function unquote(inner: string): string | undefined {
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? "";
    if (/[\x00-\x1f\x7f]/.test(c)) return undefined;
    if (c === '"') return undefined;
    if (c === "\\") {
      const next = inner[++i];
      if (next === undefined || /[\x00-\x1f\x7f]/.test(next)) return undefined;
      out += next;
    } else {
      out += c;
    }
  }
  return out;
}

function domainPart(raw: string): AddressResult {
  const domain = raw.replace(/\.$/, "");
  if (domain === "") return fail(`The domain after the @ is missing; enter a whole email address, ${EXAMPLE}.`);
  if (domain.startsWith("[")) return fail("Write the domain name after the @, not an IP address.");
  const ascii = domainToASCII(domain);
  const labels = ascii.split(".");
  if (ascii === "" || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? "")) {
    return fail(`"${raw}" is not a valid domain name for email.`);
  }
  // Unicode form: readable on the roster, and the relay's client encodes it for the wire.
  return { ok: true, address: domainToUnicode(ascii) };
}

function fail(reason: string): AddressResult {
  return { ok: false, reason };
}
