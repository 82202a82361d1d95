import { timingSafeEqual } from "node:crypto";
import { stableSid } from "./sids.ts";
import type { SimAccount, SimNumber } from "./types.ts";

/** Accounts and their phone numbers. A number belongs to exactly one account. */
export class AccountStore {
  readonly #accounts = new Map<string, SimAccount>();
  readonly #numbers = new Map<string, SimNumber>(); // by E.164 number

  add(a: { sid: string; authToken: string; numbers: string[] }): void {
    if (!/^AC[0-9a-zA-Z]{2,}$/.test(a.sid)) throw new Error(`account sid must start with AC: ${a.sid}`);
    if (!a.authToken) throw new Error(`account ${a.sid} needs an auth token`);
    const now = new Date();
    const existing = this.#accounts.get(a.sid);
    this.#accounts.set(a.sid, { sid: a.sid, authToken: a.authToken, createdAt: existing?.createdAt ?? now });
    for (const phoneNumber of a.numbers) {
      const owner = this.#numbers.get(phoneNumber);
      if (owner && owner.accountSid !== a.sid) {
        throw new Error(`${phoneNumber} already belongs to ${owner.accountSid}`);
      }
      if (owner) continue;
      this.#numbers.set(phoneNumber, {
        sid: stableSid("PN", a.sid, phoneNumber),
        accountSid: a.sid,
        phoneNumber,
        smsUrl: "",
        createdAt: now,
        updatedAt: now,
      });
    }
  }

  get(sid: string): SimAccount | undefined {
    return this.#accounts.get(sid);
  }

  /** The account whose credentials these are, or undefined. */
  authenticate(user: string, pass: string): SimAccount | undefined {
    const account = this.#accounts.get(user);
    if (!account) return undefined;
    const want = Buffer.from(account.authToken);
    const got = Buffer.from(pass);
    return want.length === got.length && timingSafeEqual(want, got) ? account : undefined;
  }

  number(phoneNumber: string): SimNumber | undefined {
    return this.#numbers.get(phoneNumber);
  }

  numbersOf(accountSid: string): SimNumber[] {
    return [...this.#numbers.values()].filter((n) => n.accountSid === accountSid);
  }

  numberBySid(accountSid: string, sid: string): SimNumber | undefined {
    return this.numbersOf(accountSid).find((n) => n.sid === sid);
  }

  setSmsUrl(phoneNumber: string, url: string): void {
    const n = this.#numbers.get(phoneNumber);
    if (!n) throw new Error(`unknown number ${phoneNumber}: add it with addAccount first`);
    n.smsUrl = url;
    n.updatedAt = new Date();
  }
}
