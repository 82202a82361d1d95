// XEP-0077 registration for email: the user picks the local part of their address at our
// address domain, and optionally the name recipients see.
//
// The name comes from this form because an adapter never sees XMPP: the user's nickname or vCard
// is not available here. It is stored in Account.settings and used as the From display name.
import type { Account, FormSpec, RegistrationContext, RegistrationResult } from "../../src/core/adapter.ts";
import { GatewayError } from "../../src/core/errors.ts";

/** Names that belong to the operator (RFC 2142 role accounts and the like), never to a user. */
export const RESERVED_LOCALPARTS: ReadonlySet<string> = new Set([
  "abuse",
  "admin",
  "administrator",
  "bounce",
  "bounces",
  "daemon",
  "dmarc",
  "ftp",
  "help",
  "hostmaster",
  "info",
  "mailer-daemon",
  "marketing",
  "news",
  "no-reply",
  "nobody",
  "noc",
  "noreply",
  "postmaster",
  "root",
  "sales",
  "security",
  "support",
  "usenet",
  "uucp",
  "webmaster",
  "www",
]);

const LOCALPART = /^[a-z0-9._+-]{1,64}$/;
const MAX_NAME_LENGTH = 64;

/** Why `localpart` (already lowercased) can't be a user's address; undefined when it can. */
export function localpartProblem(localpart: string): string | undefined {
  if (localpart === "") return "Choose the part of your address before the @.";
  if (!LOCALPART.test(localpart) || localpart.startsWith(".") || localpart.endsWith(".") || localpart.includes("..")) {
    return (
      `"${localpart}" can't be an address: use 1 to 64 letters, digits and . _ - + ` +
      "(no dot at the start or the end, no two dots in a row)."
    );
  }
  // A subaddress of a role name ("postmaster+x") would still pass for the role with recipients.
  const base = localpart.split("+")[0] ?? localpart;
  if (RESERVED_LOCALPARTS.has(localpart) || RESERVED_LOCALPARTS.has(base)) {
    return `"${localpart}" is reserved for the operator of this mail domain; choose another name.`;
  }
  return undefined;
}

/** What the adapter keeps in Account.settings. */
export interface EmailSettings {
  /** The From display name; absent: mail shows the bare address. */
  name?: string;
}

/** The display name stored with an account, if any. */
export function senderName(account: Account): string | undefined {
  const name = account.settings?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}

export class EmailRegistration {
  constructor(private readonly addressDomain: string) {}

  async form(ctx: RegistrationContext): Promise<FormSpec> {
    const current = ctx.current;
    const localpart = current ? current.legacyAccountId.slice(0, current.legacyAccountId.lastIndexOf("@")) : undefined;
    const name = current ? senderName(current) : undefined;
    return {
      title: "Register with the email gateway",
      instructions:
        `Choose your email address at ${this.addressDomain}. Mail sent to it arrives here as chats, and your ` +
        "replies go out as mail from it. Your name is what recipients see next to your address; this gateway " +
        "can't read your XMPP profile, so give it here if you want one.",
      fields: [
        {
          var: "localpart",
          type: "text-single",
          label: `Your address (before @${this.addressDomain})`,
          required: true,
          ...(localpart !== undefined ? { value: localpart } : {}),
        },
        {
          var: "name",
          type: "text-single",
          label: "Your name as recipients see it",
          ...(name !== undefined ? { value: name } : {}),
        },
      ],
    };
  }

  async register(ctx: RegistrationContext, fields: Record<string, string>): Promise<RegistrationResult> {
    // Mailbox names are case-insensitive at our domain: one spelling, so "Alice" can't shadow "alice".
    const localpart = (fields.localpart ?? "").trim().toLowerCase().replace(new RegExp(`@${escapeRegExp(this.addressDomain)}$`), "");
    const problem = localpartProblem(localpart);
    if (problem !== undefined) throw new GatewayError("not-acceptable", problem);
    const address = `${localpart}@${this.addressDomain}`;
    if ((await ctx.takenByOthers()).has(address)) {
      throw new GatewayError("conflict", `${address} is already someone else's address; choose another name.`);
    }
    const name = displayName(fields.name);
    const settings: EmailSettings = name === undefined ? {} : { name };
    return {
      account: { legacyAccountId: address, settings: { ...settings } },
      welcome:
        `Your email address is ${address}. Mail to it arrives here as chats; ` +
        "add a contact by their email address to write to them.",
    };
  }
}

/** The submitted name, tidied; a header-breaking or absurdly long one is refused rather than mangled. */
function displayName(raw: string | undefined): string | undefined {
  const name = (raw ?? "").replace(/\s+/g, " ").trim();
  if (name === "") return undefined;
  if (/[\x00-\x1f\x7f]/.test(name)) throw new GatewayError("not-acceptable", "Your name can't contain control characters.");
  if (name.length > MAX_NAME_LENGTH) {
    throw new GatewayError("not-acceptable", `Your name can be at most ${MAX_NAME_LENGTH} characters long.`);
  }
  return name;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
