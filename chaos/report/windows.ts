// The documented windows, and how often each one opened and was hit in this run.
import type { StreamResult } from "../check/types.ts";
import { WINDOWS, type WindowId } from "../check/windows.ts";
import type { Ledger } from "../ledger.ts";
import type { Network } from "../types.ts";

export interface WindowMeasure {
  window: WindowId;
  description: string;
  /** Extra copies and losses it explains in this run. */
  duplicates: number;
  losses: number;
  /** How often the window was open (ambiguous sends, kills). */
  opportunities: number;
  opportunityText: string;
}

export function measureWindows(results: StreamResult[], ledger: Ledger): WindowMeasure[] {
  const count = (w: WindowId, kind: "duplicate" | "lost") =>
    results.flatMap((r) => r.anomalies).filter((a) => a.known?.window === w && a.kind === kind).reduce((s, a) => s + (kind === "duplicate" ? a.copies - 1 : 1), 0);
  const ambiguous = (n: Network) => ledger.calls.filter((c) => c.network === n && c.taken && !c.reachedGateway).length;
  const kills = ledger.count("gateway-kill") + ledger.count("gateway-crash");
  const restarts = ledger.count("prosody-restart");
  const m = (window: WindowId, opportunities: number, opportunityText: string): WindowMeasure => ({
    window, description: WINDOWS[window], duplicates: count(window, "duplicate"), losses: count(window, "lost"), opportunities, opportunityText,
  });
  return [
    m("telegram-sent-twice", ambiguous("telegram"), "sendMessage calls Telegram carried out whose answer never reached the gateway"),
    m("smtp-sent-twice", ambiguous("email"), "mails the relay kept whose 250 never reached the gateway"),
    m("xmpp-in-not-committed", kills, "gateway deaths"),
    m("xmpp-out-passed-twice", kills + restarts, "gateway deaths and Prosody restarts"),
    m("xmpp-out-lost-at-server-stop", restarts, "Prosody restarts"),
  ];
}

/** SMS has no window: what happened to the sends whose answer was lost, for the record. */
export function smsAmbiguity(results: StreamResult[], ledger: Ledger): string {
  const lost = ledger.calls.filter((c) => c.network === "sms" && c.taken && !c.reachedGateway);
  const sms = results.find((r) => r.stream.network === "sms" && r.stream.direction === "out");
  const dups = sms?.anomalies.filter((a) => a.kind === "duplicate").length ?? 0;
  return `SMS: Twilio took ${lost.length} message(s) whose answer never reached the gateway; ${dups} message(s) reached the phone more than once (no window: Twilio lists what it took, the gateway must look before sending again).`;
}
