// What SMS identifiers look like: the legacy account id and contact addresses are E.164 numbers.
import type { Account, AddressResult } from "../../src/core/adapter.ts";
import type { TwilioCredentials } from "./config.ts";
import { isE164, parsePhoneNumber } from "./phoneNumber.ts";

/** What a person typed → the E.164 number that is a contact's address. */
export function parseAddress(input: string, defaultRegion: string): AddressResult {
  const parsed = parsePhoneNumber(input, defaultRegion);
  return parsed.ok ? { ok: true, address: parsed.e164 } : { ok: false, reason: parsed.reason };
}

/**
 * "+15550001111" → "+1 555 000 1111". Short codes and alphanumeric senders (which can text us
 * but are not E.164) are shown as they are.
 */
export function displayNumber(address: string): string {
  if (!isE164(address)) return address;
  const parsed = parsePhoneNumber(address, "");
  return parsed.ok ? parsed.international : address;
}

/** Twilio's Account SIDs start with AC; anything else is a typo or an API key SID. */
export function looksLikeAccountSid(s: string): boolean {
  return /^AC[0-9a-zA-Z]+$/.test(s);
}

/** What the adapter stores in `Account.settings`. */
export interface SmsSettings {
  /** True when the number lives in the user's own Twilio account (bring-your-own). */
  byo: boolean;
}

export function isByo(account: Account): boolean {
  return account.settings?.byo === true;
}

/** The user's own Twilio credentials stored with a BYO registration, or undefined (pool). */
export function byoCredentials(account: Account | undefined): TwilioCredentials | undefined {
  const accountSid = account?.credentials?.accountSid;
  const authToken = account?.credentials?.authToken;
  return accountSid && authToken ? { accountSid, authToken } : undefined;
}
