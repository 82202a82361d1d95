import assert from "node:assert/strict";
import { createDecipheriv, hkdfSync } from "node:crypto";
import { describe, it } from "node:test";
import { createSecretBox, SecretBoxError } from "../../src/crypto/secretBox.ts";

const KEY = "k".repeat(32) + "-test-secret-key";
const box = createSecretBox(KEY);

function bytesOf(sealed: string): Buffer {
  return Buffer.from(sealed.slice(3), "base64url");
}
function sealedOf(bytes: Buffer): string {
  return `v1.${bytes.toString("base64url")}`;
}
function expectFailure(fn: () => unknown, reason: SecretBoxError["reason"], message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SecretBoxError, `expected SecretBoxError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    assert.match(err.message, message);
    return true;
  });
}

describe("secretBox", () => {
  it("round-trips text, including empty and non-ASCII", () => {
    for (const plaintext of ["", "AC0123456789abcdef:token", "123456:ABC-DEF_ghi", "päss wörd 🔑", "x".repeat(10_000)]) {
      assert.equal(box.open(box.seal(plaintext)), plaintext);
    }
  });

  it("writes v1. + base64url(iv ‖ tag ‖ ciphertext)", () => {
    const sealed = box.seal("hello");
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
    assert.equal(bytesOf(sealed).length, 12 + 16 + Buffer.byteLength("hello"));
  });

  it("uses the documented key derivation and layout (readable without this module)", () => {
    const sealed = box.seal("bot-token-42");
    const key = Buffer.from(hkdfSync("sha256", KEY, Buffer.alloc(0), "switchboard credentials v1", 32));
    const bytes = bytesOf(sealed);
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
    assert.equal(plain, "bot-token-42");
  });

  it("uses a fresh IV each time", () => {
    const a = box.seal("same");
    const b = box.seal("same");
    assert.notEqual(a, b);
    assert.notDeepEqual(bytesOf(a).subarray(0, 12), bytesOf(b).subarray(0, 12));
  });

  it("opens with a second box made from the same key", () => {
    assert.equal(createSecretBox(KEY).open(box.seal("persisted")), "persisted");
  });

  it("refuses a value sealed under a different key", () => {
    const other = createSecretBox("another-secret-key-that-is-long-enough");
    expectFailure(() => other.open(box.seal("secret")), "authentication", /different secretKey|altered/);
  });

  it("detects tampering with the IV, the tag or the ciphertext", () => {
    const sealed = box.seal("auth-token-value");
    for (const index of [0, 11, 12, 27, 28, bytesOf(sealed).length - 1]) {
      const bytes = bytesOf(sealed);
      bytes[index] = (bytes[index] ?? 0) ^ 0x01;
      expectFailure(() => box.open(sealedOf(bytes)), "authentication", /altered/);
    }
  });

  it("detects a ciphertext that was cut short or extended", () => {
    const bytes = bytesOf(box.seal("auth-token-value"));
    expectFailure(() => box.open(sealedOf(bytes.subarray(0, bytes.length - 1))), "authentication", /altered/);
    expectFailure(() => box.open(sealedOf(Buffer.concat([bytes, Buffer.from([0])]))), "authentication", /altered/);
  });

  it("rejects unknown formats with a clear reason", () => {
    expectFailure(() => box.open("plain-text-token"), "format", /v1\./);
    expectFailure(() => box.open("v2.AAAA"), "format", /v1\./);
    expectFailure(() => box.open("v1.not base64!"), "format", /base64url/);
    expectFailure(() => box.open("v1." + Buffer.alloc(27).toString("base64url")), "format", /truncated/);
    expectFailure(() => box.open("v1."), "format", /truncated/);
  });

  it("refuses an empty secretKey", () => {
    assert.throws(() => createSecretBox(""), RangeError);
  });
});
