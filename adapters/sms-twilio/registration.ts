// XEP-0077 registration for SMS: a number from the operator's pool, or one from the user's own
// Twilio account (bring-your-own, "BYO").
//
// The contract's field vars are `number`, `account_sid`, `auth_token`, with `number` a list-single
// of the pool's free numbers. A BYO user needs to give a number outside that list, so:
//  - `number` is a list-single of the free pool numbers (plus the user's own number when they
//    are already BYO, so keeping it is one click), and register() accepts any E.164 value in it
//    when account_sid is given. Scripts and `switchboard users add` fill fields by var and can always do that; clients that
//    render list-single as a fixed drop-down cannot, and the instructions say so.
//  - `number` is a text-single when no pool number is free: BYO is then the only way in, and an
//    empty drop-down would be useless.
// XEP-0122's <open/> would let every client offer free text in the list; FormField has no way
// to ask for it yet.
import type { Account, FormField, FormSpec, RegistrationContext, RegistrationResult } from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";
import type { TwilioClients } from "./clients.ts";
import type { SmsAdapterConfig, TwilioCredentials } from "./config.ts";
import { classifyTwilioError, describeCode } from "./errors.ts";
import { byoCredentials, displayNumber, isByo, looksLikeAccountSid, type SmsSettings } from "./ids.ts";
import { parsePhoneNumber } from "./phoneNumber.ts";
import { SMS_WEBHOOK_PATH, publicWebhookUrl } from "./urls.ts";

const NONE_FREE = "No phone numbers are free; ask the operator.";

export class SmsRegistration {
  constructor(
    private readonly config: SmsAdapterConfig,
    private readonly clients: TwilioClients,
  ) {}

  async form(ctx: RegistrationContext): Promise<FormSpec> {
    const free = await this.freeNumbers(ctx);
    const current = ctx.current;
    const ownCreds = current && isByo(current) ? byoCredentials(current) : undefined;
    const numberField: FormField = { var: "number", type: free.length > 0 ? "list-single" : "text-single", label: "Phone number" };
    if (free.length > 0) {
      const options = free.map((n) => ({ label: displayNumber(n), value: n }));
      if (current && ownCreds) {
        options.unshift({ label: `${displayNumber(current.legacyAccountId)} (your own Twilio number)`, value: current.legacyAccountId });
      }
      numberField.options = options;
      const keep = current && options.some((o) => o.value === current.legacyAccountId);
      numberField.value = keep ? current.legacyAccountId : options[0]?.value;
    } else {
      numberField.desc = "Your own Twilio number, with its country code";
      if (current) numberField.value = current.legacyAccountId;
    }

    const sidField: FormField = {
      var: "account_sid",
      type: "text-single",
      label: "Your Twilio Account SID (only to use your own Twilio number)",
    };
    if (ownCreds) sidField.value = ownCreds.accountSid;
    const tokenField: FormField = {
      var: "auth_token",
      type: "text-private",
      label: "Your Twilio auth token (only with your own Account SID)",
    };
    // The stored token is never sent back; empty means "keep it".
    if (ownCreds) tokenField.desc = "Leave empty to keep the token you gave before";

    return {
      title: "Register with the SMS gateway",
      instructions: instructions(free.length > 0, ownCreds !== undefined),
      fields: [numberField, sidField, tokenField],
    };
  }

  async register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    const number = (fields.number ?? "").trim();
    const accountSid = (fields.account_sid ?? "").trim();
    const authToken = (fields.auth_token ?? "").trim();
    if (accountSid === "" && authToken === "") return this.registerFromPool(ctx, number);
    if (accountSid === "") {
      throw new GatewayError("not-acceptable", "Give your Twilio Account SID together with the auth token.");
    }
    // Re-registering with the same account and an empty token keeps the stored one.
    const kept = byoCredentials(ctx.current);
    const token = authToken || (kept?.accountSid === accountSid ? kept.authToken : "");
    if (token === "") throw new GatewayError("not-acceptable", "Give the auth token of your Twilio account too.");
    return this.registerOwn(ctx, number, { accountSid, authToken: token });
  }

  private async registerFromPool(ctx: RegistrationContext, typed: string): Promise<RegistrationResult> {
    const free = await this.freeNumbers(ctx);
    if (this.config.twilio.numbers.length === 0) throw new GatewayError("service-unavailable", NONE_FREE);
    let e164: string;
    if (typed === "") {
      const first = free[0];
      if (first === undefined) throw new GatewayError("service-unavailable", NONE_FREE);
      e164 = first;
    } else {
      e164 = this.parse(typed);
      if (!this.config.twilio.numbers.includes(e164)) {
        throw new GatewayError("not-acceptable", `${displayNumber(e164)} is not one of this gateway's numbers; choose one from the list.`);
      }
      if (!free.includes(e164)) {
        throw new GatewayError("conflict", `${displayNumber(e164)} is already someone else's number; choose another one.`);
      }
    }
    return {
      account: account(e164, undefined),
      welcome: `Your SMS number is ${displayNumber(e164)}. Add a contact by phone number to text them; their replies arrive here.`,
    };
  }

  private async registerOwn(ctx: RegistrationContext, typed: string, creds: TwilioCredentials): Promise<RegistrationResult> {
    if (typed === "") throw new GatewayError("not-acceptable", "Enter your Twilio phone number, with its country code.");
    const e164 = this.parse(typed);
    if (!looksLikeAccountSid(creds.accountSid)) {
      throw new GatewayError("not-acceptable", "That is not a Twilio Account SID: it starts with AC (see your Twilio console).");
    }
    const client = this.clients.forCredentials(creds);

    const twilioAccount = await client.api.v2010
      .accounts(creds.accountSid)
      .fetch()
      .catch((err: unknown) => {
        throw registrationError(err, "check your Twilio account");
      });
    if (twilioAccount.status !== "active") {
      throw new GatewayError("not-allowed", `Your Twilio account is ${twilioAccount.status}, so it can't send messages.`);
    }

    const owned = await client.incomingPhoneNumbers
      .list({ phoneNumber: e164, limit: 20 })
      .catch((err: unknown) => {
        throw registrationError(err, "look up your Twilio numbers");
      });
    const number = owned.find((n) => n.phoneNumber === e164);
    if (!number) {
      throw new GatewayError("not-acceptable", `${displayNumber(e164)} is not a number of Twilio account ${creds.accountSid}.`);
    }
    if ((await ctx.takenByOthers()).has(e164)) {
      throw new GatewayError("conflict", `${displayNumber(e164)} is already registered by another user.`);
    }

    let reachable = "";
    if (this.config.publicUrl !== undefined) {
      // Twilio posts the number's incoming texts here; without it replies would never reach us.
      await client
        .incomingPhoneNumbers(number.sid)
        .update({ smsUrl: publicWebhookUrl(this.config.publicUrl, SMS_WEBHOOK_PATH), smsMethod: "POST" })
        .catch((err: unknown) => {
          throw registrationError(err, "point your number's incoming messages at this gateway");
        });
    } else {
      reachable = " This gateway has no public address, so texts to your number can't reach you here yet.";
    }
    return {
      account: account(e164, creds),
      welcome: `Your SMS number is ${displayNumber(e164)}, from your own Twilio account.${reachable}`,
    };
  }

  /** The pool minus numbers other users hold, in the operator's order. */
  private async freeNumbers(ctx: RegistrationContext): Promise<string[]> {
    const pool = this.config.twilio.numbers;
    if (pool.length === 0) return [];
    const taken = await ctx.takenByOthers();
    return pool.filter((n) => !taken.has(n));
  }

  private parse(typed: string): string {
    const parsed = parsePhoneNumber(typed, this.config.defaultRegion);
    if (!parsed.ok) throw new GatewayError("not-acceptable", parsed.reason);
    return parsed.e164;
  }
}

function account(e164: string, creds: TwilioCredentials | undefined): Account {
  const settings: SmsSettings = { byo: creds !== undefined };
  return {
    legacyAccountId: e164,
    credentials: creds ? { accountSid: creds.accountSid, authToken: creds.authToken } : undefined,
    settings: { ...settings },
  };
}

function registrationError(err: unknown, doing: string): GatewayError {
  const f = classifyTwilioError(err);
  if (!f) return new GatewayError("internal-server-error", "Internal error in the SMS adapter", { cause: err });
  if (f.kind === "unavailable") {
    return new GatewayError("remote-server-timeout", `Could not ${doing}: ${f.reason}. Try again later.`, { retryable: true, cause: err });
  }
  // Twilio answers another account's resources with 404, so a SID that doesn't match the token lands here too.
  if (f.status === 401 || f.status === 404 || f.code === 20003) {
    return new GatewayError("not-authorized", "Twilio rejected that Account SID and auth token.", { networkCode: f.code, cause: err });
  }
  const why = f.code !== undefined ? describeCode(f.code, f.message) : `HTTP ${f.status}`;
  return new GatewayError("not-acceptable", `Could not ${doing}: ${why}.`, { networkCode: f.code, cause: err });
}

function instructions(poolHasFree: boolean, isOwn: boolean): string {
  const keep = isOwn ? " Leave the auth token empty to keep the one you gave before." : "";
  if (!poolHasFree) {
    return (
      "This gateway has no free phone numbers of its own. To text from a number in your own Twilio account, " +
      "enter that number with its country code, your Account SID and your auth token (both are on your Twilio console)." +
      keep
    );
  }
  return (
    "Choose the phone number you will text from; it stays yours while you are registered. " +
    "To use a number from your own Twilio account instead, fill in your Account SID and auth token and give your " +
    "number, with its country code, as the phone number. If your app only lets you pick from the list, ask the " +
    "gateway's operator to register your own number for you." +
    keep
  );
}
