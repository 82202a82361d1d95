// Argument parsing shared by the commands; light on imports so bad usage is answered quickly.
import type { NetworkName } from "../core/adapter.ts";
import { UsageError } from "./usage.ts";

export const NETWORKS: readonly NetworkName[] = ["sms", "telegram", "email"];

export function parseNetwork(value: string | undefined): NetworkName | undefined {
  if (value === undefined) return undefined;
  if (!(NETWORKS as readonly string[]).includes(value)) throw new UsageError(`--network must be one of ${NETWORKS.join(", ")}, not ${JSON.stringify(value)}`);
  return value as NetworkName;
}

/** A bare JID as the XMPP side stores it (lowercased, no resource). */
export function parseJid(value: string | undefined, what = "a user's bare JID"): string {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  const jid = value.trim().toLowerCase();
  const at = jid.indexOf("@");
  if (at <= 0 || at === jid.length - 1 || jid.includes("/") || /\s/.test(jid) || jid.indexOf("@", at + 1) !== -1) {
    throw new UsageError(`${JSON.stringify(value)} is not a bare JID (user@domain, no resource)`);
  }
  return jid;
}

/** `field=value` arguments, in order. */
export function parseFields(args: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected field=value, got ${JSON.stringify(arg)}`);
    fields[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return fields;
}

/** A TCP port number given as an option, 1-65535. */
export function parsePort(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${option} must be a port number (1-65535), not ${JSON.stringify(value)}`);
  return port;
}

/** A password for an XMPP account: not empty, no whitespace or control characters. */
export function parsePassword(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === "" || /[\s\x00-\x1f\x7f]/.test(value)) throw new UsageError("--password must be non-empty, without spaces or control characters");
  return value;
}
