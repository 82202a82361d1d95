import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeLocalpart, tryEscapeLocalpart, unescapeLocalpart } from "../../src/core/jidEscape.ts";

// XEP-0106 §3.2 / §3.3: the table, both ways.
const TABLE: Array<[string, string]> = [
  [" ", String.raw`\20`],
  ['"', String.raw`\22`],
  ["&", String.raw`\26`],
  ["'", String.raw`\27`],
  ["/", String.raw`\2f`],
  [":", String.raw`\3a`],
  ["<", String.raw`\3c`],
  [">", String.raw`\3e`],
  ["@", String.raw`\40`],
];

describe("XEP-0106 escaping table", () => {
  for (const [char, seq] of TABLE) {
    it(`escapes ${JSON.stringify(char)} as ${seq} and back`, () => {
      assert.equal(escapeLocalpart(`a${char}b`), `a${seq}b`);
      assert.equal(unescapeLocalpart(`a${seq}b`), `a${char}b`);
    });
  }

  it("unescapes \\5c to a backslash", () => {
    assert.equal(unescapeLocalpart(String.raw`a\5cb`), String.raw`a\b`);
  });

  it("escapes a backslash only where it starts an escape sequence", () => {
    assert.equal(escapeLocalpart(String.raw`a\b`), String.raw`a\b`);
    assert.equal(escapeLocalpart(String.raw`a\5cb`), String.raw`a\5c5cb`);
    assert.equal(escapeLocalpart(String.raw`a\27b`), String.raw`a\5c27b`);
  });

  it("leaves characters outside the table alone", () => {
    assert.equal(escapeLocalpart("bob.smith+tag_1-%~é"), "bob.smith+tag_1-%~é");
  });
});

describe("XEP-0106 §6.1 JID examples", () => {
  const examples: Array<[string, string]> = [
    ["space cadet@example.com", String.raw`space\20cadet\40example.com`],
    ['call me "ishmael"@example.com', String.raw`call\20me\20\22ishmael\22\40example.com`],
    ["at&t guy@example.com", String.raw`at\26t\20guy\40example.com`],
    ["d'artagnan", String.raw`d\27artagnan`],
    ["/.fanboy", String.raw`\2f.fanboy`],
    ["::foo::", String.raw`\3a\3afoo\3a\3a`],
    ["<foo>", String.raw`\3cfoo\3e`],
    ["user@host", String.raw`user\40host`],
    [String.raw`c:\net`, String.raw`c\3a\net`],
    [String.raw`c:\\net`, String.raw`c\3a\\net`],
    [String.raw`c:\cool stuff`, String.raw`c\3a\cool\20stuff`],
    [String.raw`c:\5commas`, String.raw`c\3a\5c5commas`],
    [String.raw`somenick!user"&'/:<>\3address`, String.raw`somenick!user\22\26\27\2f\3a\3c\3e\5c3address`],
    [String.raw`\3and\2is\5cool`, String.raw`\5c3and\2is\5c5cool`],
    ["here's_a_wild_&_/cr%zy/_address", String.raw`here\27s_a_wild_\26_\2fcr%zy\2f_address`],
  ];
  for (const [input, escaped] of examples) {
    it(`${input} ⇄ ${escaped}`, () => {
      assert.equal(escapeLocalpart(input), escaped);
      assert.equal(unescapeLocalpart(escaped), input);
    });
  }
});

describe("XEP-0106 §4.4 exceptions", () => {
  for (const s of [String.raw`\2plus\2is\4`, String.raw`foo\bar`, String.raw`foob\41r`]) {
    it(`${s} is not modified either way`, () => {
      assert.equal(escapeLocalpart(s), s);
      assert.equal(unescapeLocalpart(s), s);
    });
  }

  it("treats uppercase hex as text, since case is significant", () => {
    assert.equal(unescapeLocalpart(String.raw`a\2Fb\3A`), String.raw`a\2Fb\3A`);
    assert.equal(escapeLocalpart(String.raw`a\2Fb`), String.raw`a\2Fb`);
  });

  it("does not unescape twice", () => {
    assert.equal(unescapeLocalpart(String.raw`\5c27`), String.raw`\27`);
    assert.equal(unescapeLocalpart(String.raw`\5c5c40`), String.raw`\5c40`);
  });
});

describe("email addresses round-trip", () => {
  const addresses = [
    "bob.smith@example.net",
    "o'brien@example.net",
    String.raw`a\\b@x`,
    String.raw`a\b@x`,
    "a&b@x",
    "a/b@x",
    "a:b@x",
    '"a b"@x',
    "<a>@x",
    String.raw`a\40b@x`,
    String.raw`\5c@x`,
    String.raw`\\5c5c@x`,
    "tricky\\@x",
  ];
  for (const address of addresses) {
    it(address, () => {
      const escaped = escapeLocalpart(address);
      assert.doesNotMatch(escaped, /[ "&'/:<>@]/, "no disallowed character survives escaping");
      assert.equal(unescapeLocalpart(escaped), address);
    });
  }

  it("matches the JID contract for email contacts", () => {
    assert.equal(`${escapeLocalpart("alice@example.net")}@email.example.org`, String.raw`alice\40example.net@email.example.org`);
  });
});

describe("tryEscapeLocalpart", () => {
  it("escapes a usable address", () => {
    assert.deepEqual(tryEscapeLocalpart("o'brien@example.net"), { ok: true, localpart: String.raw`o\27brien\40example.net` });
  });

  it("refuses a leading or trailing space (\\20 must not start or end a localpart)", () => {
    for (const s of [" a@x", "a@x "]) {
      const r = tryEscapeLocalpart(s);
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.reason, /space/);
    }
  });

  it("refuses empty and over-long input", () => {
    assert.deepEqual(tryEscapeLocalpart(""), { ok: false, reason: "the address is empty" });
    const long = tryEscapeLocalpart("@".repeat(342));
    assert.equal(long.ok, false);
    assert.match(long.ok ? "" : long.reason, /1023 bytes/);
    assert.equal(tryEscapeLocalpart("@".repeat(341)).ok, true, "exactly 1023 bytes is allowed");
  });
});
