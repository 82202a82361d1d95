import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js";

export type ParsedPhoneNumber =
  | { ok: true; e164: string; international: string }
  | { ok: false; reason: string };

// Digits in any script (libphonenumber maps them), spaces and the punctuation people put in numbers.
const PHONE_CHARS = /^[\p{Nd}\s+\uFF0B()\uFF08\uFF09.\-\u2010-\u2015\u2212/]*$/u;
const EXTENSION = /(?:ext\.?|extension|x|#)\s*\p{Nd}+\s*$/iu;
const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * What a person typed → the E.164 form the SMS network needs.
 * Judged on possibility (length and shape for the country), not full validity: the
 * fictional 555-01xx range and freshly allocated ranges must still be reachable.
 */
export function parsePhoneNumber(input: string, defaultRegion: string): ParsedPhoneNumber {
  // Every message parses its contact's number (and every callback a sender's): the same few
  // numbers over and over, and libphonenumber is costly per call. Results are plain values.
  const key = `${defaultRegion}\u0000${input}`;
  const known = memo.get(key);
  if (known) return known;
  const result = parseUncached(input, defaultRegion);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, result);
  return result;
}

const memo = new Map<string, ParsedPhoneNumber>();
const MEMO_MAX = 10_000;

function parseUncached(input: string, defaultRegion: string): ParsedPhoneNumber {
  const typed = input.trim();
  if (typed === "") return notANumber("nothing was entered.");
  const quoted = JSON.stringify(typed);

  let text = typed;
  const uri = /^tel:/i.exec(text);
  if (uri) {
    // RFC 3966: parameters follow ';'. Only the number itself matters for SMS.
    const [number = "", ...params] = text.slice(uri[0].length).split(";");
    if (params.some((p) => /^ext=/i.test(p))) return extension(quoted);
    text = number;
  }
  if (/\p{L}/u.test(text)) {
    return EXTENSION.test(text) ? extension(quoted) : notANumber(`${quoted} contains letters.`);
  }
  if (!PHONE_CHARS.test(text)) {
    return notANumber(`${quoted} contains characters that don't belong in a phone number.`);
  }
  if (!/\p{Nd}/u.test(text)) return notANumber(`${quoted} has no digits.`);

  const region = toRegion(defaultRegion);
  let parsed = parse(text, region);
  // "00" is the international prefix in most of the world but not in every default region
  // (the US dials 011): a person typing 0049… means +49… wherever they are.
  if (!parsed?.isPossible() && /^\s*00/.test(text)) {
    const asInternational = parse(text.replace(/^\s*00/, "+"), region);
    if (asInternational?.isPossible()) parsed = asInternational;
  }

  if (parsed?.isPossible()) {
    if (parsed.ext) return extension(quoted);
    return { ok: true, e164: parsed.number, international: parsed.formatInternational() };
  }
  return notANumber(whyNot(text, quoted, region, parsed));
}

/** True only for a canonical E.164 string ("+15550102000") of a possible length for its country. */
export function isE164(s: string): boolean {
  if (!E164_SHAPE.test(s)) return false;
  const known = e164.get(s);
  if (known !== undefined) return known;
  const parsed = parse(s, undefined);
  const result = parsed !== undefined && parsed.isPossible() && parsed.number === s;
  if (e164.size >= MEMO_MAX) e164.clear();
  e164.set(s, result);
  return result;
}

const e164 = new Map<string, boolean>();

function parse(text: string, region: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, region);
  } catch {
    return undefined;
  }
}

function toRegion(region: string): CountryCode | undefined {
  const upper = region.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

function whyNot(
  text: string,
  quoted: string,
  region: CountryCode | undefined,
  parsed: PhoneNumber | undefined,
): string {
  const international = /^\s*[+\uFF0B(]/u.test(text);
  if (!international && region === undefined) {
    return `${quoted} has no country code; start it with + and the country code.`;
  }
  let problem: string | undefined;
  try {
    problem = validatePhoneNumberLength(text, region);
  } catch {
    problem = "NOT_A_NUMBER";
  }
  const code = parsed
    ? `+${parsed.countryCallingCode}`
    : region && !international
      ? `+${getCountryCallingCode(region)}`
      : undefined;
  const forCountry = code ? ` for a ${code} number` : "";
  switch (problem) {
    case "TOO_SHORT":
      return `${quoted} is too short${forCountry}.`;
    case "TOO_LONG":
      return `${quoted} is too long${forCountry}.`;
    case "INVALID_LENGTH":
      return `${quoted} has the wrong number of digits${forCountry}.`;
    case "INVALID_COUNTRY":
      return `${quoted} does not start with a known country code.`;
    default:
      return `${quoted} is not a number that can be dialled.`;
  }
}

function notANumber(why: string): ParsedPhoneNumber {
  return { ok: false, reason: `That doesn't look like a phone number: ${why}` };
}

function extension(quoted: string): ParsedPhoneNumber {
  return notANumber(`${quoted} has an extension, and text messages can't reach extensions.`);
}
