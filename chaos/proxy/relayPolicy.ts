// Faults on the outbound mail relay. Each SMTP transaction meets, with probability `rate`, one of:
// 451 at RCPT, 451 after the data, the connection dropped after the data (relay simulator; the
// mail is not kept), or a lost "250" (the relay kept the mail; the proxy cuts the connection
// before the gateway reads the reply). Armed before a kill: the next 250 is held back.
import type { MailRelaySink } from "../../adapters/email/simulator/index.ts";
import type { FaultKind, Ledger } from "../ledger.ts";
import type { Rng } from "../../test/support/rng.ts";
import { Arm } from "./arm.ts";
import type { SmtpPolicy, SmtpTransaction, SmtpVerdict } from "./smtpFaultProxy.ts";

const HOLD_MAX_MS = 20_000;

export class RelayPolicy implements SmtpPolicy {
  readonly arm = new Arm<"hold">();

  constructor(
    private readonly relay: MailRelaySink,
    private readonly rng: Rng,
    /** Share of calls that meet a fault; 0 during setup. */
    public rate: number,
    private readonly ledger: Ledger,
  ) {}

  decide(): SmtpVerdict<FaultKind> {
    const armed = this.arm.take();
    if (armed) {
      return { kind: "hold-250", label: "smtp-held-at-kill", maxMs: HOLD_MAX_MS, onHeld: (marker) => armed.engaged(marker) };
    }
    if (!this.rng.chance(this.rate)) return { kind: "pass" };
    switch (this.rng.pick(["rcpt", "data", "drop", "lost"] as const)) {
      case "rcpt":
        return { kind: "inject", label: "smtp-451-rcpt", apply: () => this.relay.rejectNext(1, { code: 451, at: "rcpt" }) };
      case "data":
        return { kind: "inject", label: "smtp-451-data", apply: () => this.relay.rejectNext(1, { code: 451, at: "data" }) };
      case "drop":
        return { kind: "inject", label: "smtp-drop", apply: () => this.relay.dropConnectionNext(1, "data") };
      case "lost":
        return { kind: "lose-250", label: "smtp-lost-250" };
    }
  }

  done(tx: SmtpTransaction): void {
    const label = tx.verdict.kind === "pass" ? undefined : (tx.verdict.label as FaultKind);
    const applied =
      label === "smtp-lost-250" ? tx.cut === "lost" : label === "smtp-held-at-kill" ? tx.cut === "held" : label !== undefined;
    if (label && applied) {
      this.ledger.fault({ at: tx.finalAt ?? tx.startedAt, kind: label, network: "email", ...(tx.marker ? { marker: tx.marker } : {}) });
    }
    this.ledger.call({
      network: "email",
      marker: tx.marker,
      at: tx.startedAt,
      answeredAt: tx.finalAt,
      answer: tx.finalCode,
      taken: tx.finalCode === 250,
      reachedGateway: tx.reachedClient,
      endedAt: Date.now(),
      fault: label,
    });
  }
}
