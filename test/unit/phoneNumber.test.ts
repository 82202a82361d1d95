import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isE164, parsePhoneNumber } from "../../adapters/sms-twilio/phoneNumber.ts";

function accepts(input: string, region: string, e164: string, international?: string): void {
  const r = parsePhoneNumber(input, region);
  assert.ok(r.ok, `${JSON.stringify(input)} (${region}) was refused: ${r.ok ? "" : r.reason}`);
  assert.equal(r.e164, e164);
  if (international !== undefined) assert.equal(r.international, international);
}

function refuses(input: string, region: string, reason: RegExp): void {
  const r = parsePhoneNumber(input, region);
  assert.equal(r.ok, false, `${JSON.stringify(input)} (${region}) was accepted as ${r.ok ? r.e164 : ""}`);
  if (!r.ok) {
    assert.match(r.reason, /^That doesn't look like a phone number: /);
    assert.match(r.reason, reason);
  }
}

describe("parsePhoneNumber accepts what people type", () => {
  it("US numbers in every usual shape", () => {
    for (const input of [
      "+1 (555) 010-2000",
      "(555) 010-2000",
      "555-010-2000",
      "555-0102000",
      "555.010.2000",
      "1 555 010 2000",
      "+1 555 010 2000",
      "+15550102000",
      "tel:+15550102000",
      "TEL:+1-555-010-2000",
      "  +1 555 010 2000  ",
      "011 1 555 010 2000",
    ]) {
      accepts(input, "US", "+15550102000", "+1 555 010 2000");
    }
  });

  it("international numbers from any default region", () => {
    accepts("+44 20 7946 0958", "US", "+442079460958", "+44 20 7946 0958");
    accepts("0049 30 123456", "US", "+4930123456", "+49 30 123456");
    accepts("0049 30 123456", "DE", "+4930123456");
    accepts("+49 (0)30 123456", "FR", "+4930123456");
    accepts("+81 90-1234-5678", "US", "+819012345678", "+81 90 1234 5678");
  });

  it("national numbers in the default region", () => {
    accepts("030 123456", "DE", "+4930123456", "+49 30 123456");
    accepts("07700 900123", "GB", "+447700900123", "+44 7700 900123");
    accepts("06 12 34 56 78", "FR", "+33612345678", "+33 6 12 34 56 78");
    accepts("030 123456", "de", "+4930123456");
  });

  it("digits from other scripts", () => {
    accepts("+１ ５５５ ０１０ ２０００", "US", "+15550102000");
  });

  it("international input even when the region is unknown", () => {
    accepts("+1 555 010 2000", "ZZ", "+15550102000");
  });
});

describe("parsePhoneNumber refuses nonsense with a reason", () => {
  it("empty", () => refuses("", "US", /nothing was entered/));
  it("blank", () => refuses("   ", "US", /nothing was entered/));
  it("words", () => refuses("hello", "US", /"hello" contains letters/));
  it("a number inside a sentence", () => refuses("call +1 555 010 2000", "US", /letters/));
  it("too short", () => refuses("12", "US", /"12" is too short/));
  it("a lone plus", () => refuses("+", "US", /no digits/));
  it("too long", () => refuses("+155501020001234567", "US", /too long for a \+1 number/));
  it("one digit too many", () => refuses("+1 555 010 20001", "US", /too long/));
  it("an unknown country code", () => refuses("+999 123456", "US", /country code/));
  it("a national number with no usable region", () => refuses("555 010 2000", "ZZ", /start it with \+ and the country code/));
  it("symbols", () => refuses("555*010*2000", "US", /characters that don't belong/));
  it("two numbers", () => refuses("+1 555 010 2000 +1 555", "US", /./));
  it("extensions", () => {
    refuses("+1 555 010 2000 ext. 5", "US", /extension/);
    refuses("tel:+1-555-010-2000;ext=1", "US", /extension/);
  });
});

describe("isE164", () => {
  it("accepts canonical numbers of a possible length", () => {
    for (const n of ["+15550102000", "+442079460958", "+4930123456", "+819012345678"]) assert.equal(isE164(n), true, n);
  });
  it("refuses anything else", () => {
    for (const n of ["+1555", "15550102000", "+1 555 010 2000", "+1-555-010-2000", "+015550102000", "+99912345678", "+1555010200012345", "", "+"]) {
      assert.equal(isE164(n), false, n);
    }
  });
});
