// What was done to the system, counted.
import type { FaultKind, Ledger } from "../ledger.ts";
import type { Network } from "../types.ts";

const LABEL: Partial<Record<FaultKind, string>> = {
  "api-429": "429",
  "api-500": "500",
  "api-hang": "hang (never answered, nothing created)",
  "api-lost-answer": "answer lost after the network took the message",
  "api-held-at-kill": "answer held back until the gateway was killed",
  "api-hung-in-flight": "call hung on purpose while the gateway was killed or its database connections cut",
  "poll-lost-answer": "getUpdates answer with updates lost",
  "smtp-451-rcpt": "451 at RCPT",
  "smtp-451-data": "451 after the data",
  "smtp-drop": "connection dropped after the data (mail not kept)",
  "smtp-lost-250": "250 lost after the relay kept the mail",
  "smtp-held-at-kill": "250 held back until the gateway was killed",
};

const NETWORK_FAULTS: Record<Network, FaultKind[]> = {
  sms: ["api-429", "api-500", "api-hang", "api-lost-answer", "api-held-at-kill", "api-hung-in-flight"],
  telegram: ["api-429", "api-500", "api-lost-answer", "api-held-at-kill", "poll-lost-answer"],
  email: ["smtp-451-rcpt", "smtp-451-data", "smtp-drop", "smtp-lost-250", "smtp-held-at-kill"],
};

const NAME: Record<Network, string> = { sms: "Twilio REST API", telegram: "Telegram Bot API", email: "mail relay (SMTP)" };

export function faultSummary(ledger: Ledger): string[] {
  const lines: string[] = [];
  const kills = ledger.of("gateway-kill");
  lines.push(`gateway SIGKILL + restart: ${kills.length}${kills.length ? ` (${kills.map((k) => k.detail ?? "").join("; ")})` : ""}`);
  lines.push(`gateway exits nobody asked for: ${ledger.count("gateway-crash")}`);
  lines.push(`Prosody restarts: ${ledger.count("prosody-restart")}`);
  const cuts = ledger.of("db-cut");
  lines.push(`PostgreSQL connection cuts: ${cuts.length}${cuts.length ? ` (${cuts.map((c) => c.detail ?? "").join(", ")})` : ""}`);
  for (const network of ["sms", "telegram", "email"] as const) {
    const calls = ledger.calls.filter((c) => c.network === network);
    const parts = NETWORK_FAULTS[network].map((k) => [k, ledger.count(k, network)] as const).filter(([, n]) => n > 0).map(([k, n]) => `${LABEL[k] ?? k} ×${n}`);
    const share = calls.length ? ` — ${calls.filter((c) => c.fault !== undefined).length} of ${calls.length} send calls faulted` : "";
    const lookups = network === "sms" ? `; message-list lookups (findSent) by the gateway: ${ledger.lookups.length}` : "";
    lines.push(`${NAME[network]}: ${parts.length ? parts.join(", ") : "no faults"}${share}${lookups}`);
  }
  const resends = (n: Network) => ledger.faults.filter((f) => f.kind === "inbound-resend" && f.network === n).length;
  lines.push(`inbound acknowledgements treated as lost: SMS webhooks posted again after their 200 ×${resends("sms")}, mails delivered again after their 250 ×${resends("email")}`);
  return lines;
}
